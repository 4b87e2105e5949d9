/**
 * PostgreSQL errors and socket failures that mean "the database is restarting or not up yet", not "this process
 * is wrong": admin/crash shutdown and "cannot connect now" (57P01–57P03), a refused or reset connection, and the
 * driver's "Connection terminated" when the server goes away mid-query.
 */
const TRANSIENT_CODES = new Set(['57P01', '57P02', '57P03', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
const TRANSIENT_MESSAGES =
  /Connection terminated|terminating connection|the database system is (starting up|shutting down|in recovery mode)/i;

export function isTransientDatabaseError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    if (typeof message === 'string' && TRANSIENT_MESSAGES.test(message)) return true;
    e = cause;
  }
  return false;
}

export interface StartupRetryOptions {
  /** No new attempt starts once this much time has passed since the first. */
  maxMs: number;
  delayMs: number;
  /** Called after a failed attempt that will be retried (to log it and let go of what it opened). */
  onRetry: (error: unknown, attempt: number) => Promise<void> | void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs a start-up until it succeeds, retrying only transient database failures and only for a bounded time: a
 * process started while PostgreSQL restarts waits for it, while a real fault (bad schema, bad config) still ends
 * the start at once.
 */
export async function retryStartup<T>(start: () => Promise<T>, options: StartupRetryOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const began = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (!isTransientDatabaseError(error) || now() - began + options.delayMs > options.maxMs) throw error;
      await options.onRetry(error, attempt);
      await sleep(options.delayMs);
    }
  }
}

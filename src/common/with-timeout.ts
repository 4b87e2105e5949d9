/** Raised when the awaited work did not settle in time; the work itself is not cancelled, only no longer awaited. */
export class TimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`no answer from ${what} in ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * The work's result, or a TimeoutError after `ms`. Used where a caller must not wait on a dependency that queues
 * commands while it is away (Redis): the caller answers and a sweep catches up later.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, what = 'the dependency'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * What every benchmark needs around its measurements: cleanup that also runs on error or Ctrl-C, bounded
 * waits, and one way to end with a one-line usage error or a stack trace.
 */
/** A wrong flag or a layout that cannot run: reported as one line, without a stack trace. */
export class UsageError extends Error {}

// ---------------------------------------------------------------------------------------------------------
// Cleanup: registered as resources are created, run once in reverse order on success, error or signal.

const cleanups: Array<{ name: string; run: () => Promise<unknown> }> = [];
let cleaning: Promise<void> | null = null;
/** Set on a signal: every loop checks it, so none keeps working against the connections cleanup closes. */
export let stopping = false;

export function onCleanup(name: string, run: () => Promise<unknown>): void {
  cleanups.push({ name, run });
}

/** What a failed run adds after its error, e.g. the last output of each service process still running. */
const failureNotes: Array<() => string> = [];

export function onFailure(note: () => string): void {
  failureNotes.push(note);
}

export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const { name, run } of cleanups.splice(0).reverse()) {
      await withTimeout(run(), 30_000, `cleanup: ${name}`).catch((e) =>
        process.stderr.write(`cleanup of ${name} failed: ${(e as Error).message}\n`),
      );
    }
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopping = true;
    // Requests and queries in flight fail as their connections close; that is expected now, not a crash.
    process.on('unhandledRejection', () => undefined);
    process.stderr.write(`\n${signal}: cleaning up\n`);
    void cleanup().finally(() => process.exit(130));
  });
}

/** Runs a benchmark's main, then the cleanup, and exits: 0 after a run, 1 after a failure, 130 on a signal. */
export function runBench(main: () => Promise<void>): void {
  main()
    .then(() => cleanup())
    .then(() => process.exit(0))
    .catch(async (error) => {
      if (stopping) return; // interrupted: the signal handler cleans up and exits
      process.stderr.write(`bench failed: ${error instanceof UsageError ? error.message : ((error as Error).stack ?? error)}\n`);
      for (const note of failureNotes) process.stderr.write(note());
      await cleanup();
      process.exit(1);
    });
}

// ---------------------------------------------------------------------------------------------------------
// Time

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const now = () => performance.now();

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls until `probe` is truthy or the time is up; every wait of the benchmarks goes through here so none is unbounded. */
export async function until<T>(
  what: string,
  timeoutMs: number,
  everyMs: number,
  probe: () => Promise<T | null | undefined | false>,
): Promise<T> {
  const deadline = now() + timeoutMs;
  while (now() < deadline && !stopping) {
    const value = await probe();
    if (value) return value;
    await sleep(everyMs);
  }
  throw new Error(`${what}: not reached in ${Math.round(timeoutMs / 1000)} s`);
}

/** What a store answers a consumption with (rate-limiter-flexible's RateLimiterRes has these). */
export interface Consumed {
  /** The points consumed in the window so far, this consumption included. */
  consumedPoints: number;
  msBeforeNext: number;
}

/** Each request's answer: let through, refused for so long, or the store could not say. */
export type Verdict = { ok: true } | { ok: false; msBeforeNext: number } | { ok: null; error: unknown };

interface Waiting {
  verdicts: Array<(verdict: Verdict) => void>;
}

/**
 * Requests for the same key that arrive in one turn of the event loop are counted with one store round trip of
 * n points instead of n round trips of one: a webhook provider's requests all come from a few addresses, so under
 * load most requests share a key, and each round trip was a Redis write and read of its own (bench:ivr profile).
 * The budget is the same: the counter grows by n either way, and of a batch that crosses the limit the first
 * `points − (consumed − n)` pass, as they would have one by one.
 */
export class CoalescedConsumer {
  private readonly waiting = new Map<string, Waiting>();

  /**
   * `consume(key, n)` resolves with the counter after adding n, or rejects with the same shape (a refusal) or any
   * other error (the store failed); `points` is the budget of the window.
   */
  constructor(
    private readonly points: number,
    private readonly consume: (key: string, n: number) => Promise<Consumed>,
    private readonly isRefusal: (error: unknown) => error is Consumed,
  ) {}

  take(key: string): Promise<Verdict> {
    let batch = this.waiting.get(key);
    if (!batch) {
      batch = { verdicts: [] };
      this.waiting.set(key, batch);
      // After the poll phase: every request whose bytes arrived in this turn has asked by then.
      setImmediate(() => this.flush(key));
    }
    const verdicts = batch.verdicts;
    return new Promise((resolve) => verdicts.push(resolve));
  }

  private flush(key: string): void {
    const batch = this.waiting.get(key);
    if (!batch) return;
    this.waiting.delete(key);
    const n = batch.verdicts.length;
    this.consume(key, n).then(
      () => batch.verdicts.forEach((resolve) => resolve({ ok: true })),
      (error: unknown) => {
        if (!this.isRefusal(error)) return batch.verdicts.forEach((resolve) => resolve({ ok: null, error }));
        const allowed = Math.max(0, this.points - (error.consumedPoints - n));
        batch.verdicts.forEach((resolve, i) => resolve(i < allowed ? { ok: true } : { ok: false, msBeforeNext: error.msBeforeNext }));
      },
    );
  }
}

/**
 * The outcome of one item when a batch handler isolates failures per item. A tagged union rather than
 * `T | Error`, because `instanceof Error` is false for errors made in another realm (Node's core modules
 * under a test runner's sandbox, worker threads).
 */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface MicroBatcherOptions {
  /** A batch is written as soon as it holds this many items. */
  maxSize: number;
  /**
   * The first item of a batch waits at most this long for company. 0 is the end of the current turn of the event
   * loop (setImmediate): the items that arrive in the same turn go together, and none waits for a timer, which
   * Node rounds up to a millisecond.
   */
  maxWaitMs: number;
  /**
   * At most this many batches run at once (default: no limit). While they all run, arriving items wait and leave
   * together in the next batch as one finishes: under load the batches grow instead of their number, which is
   * what a handler whose cost is per batch (a transaction's round trips) needs.
   */
  maxInFlight?: number;
}

interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Collects items that arrive one by one (for example jobs that a queue worker runs concurrently) and hands them
 * to a handler in batches, so that one database transaction can serve many items. Each caller gets the result
 * for its own item; the handler must return one result per item, in order.
 */
export class MicroBatcher<T, R> {
  private pending: Pending<T, R>[] = [];
  private timer: { cancel: () => void } | null = null;
  private inFlight = new Set<Promise<void>>();

  constructor(
    private readonly handler: (items: T[]) => Promise<R[]>,
    private readonly options: MicroBatcherOptions,
  ) {
    if (options.maxSize < 1) throw new RangeError('maxSize must be at least 1');
    if (options.maxWaitMs < 0) throw new RangeError('maxWaitMs must not be negative');
    if (options.maxInFlight !== undefined && options.maxInFlight < 1) throw new RangeError('maxInFlight must be at least 1');
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.options.maxSize) {
        this.flush();
      } else if (!this.timer) {
        this.timer = this.later(() => this.flush());
      }
    });
  }

  /** Number of items waiting for their batch to start. */
  get waiting(): number {
    return this.pending.length;
  }

  /** Starts every waiting batch now (as the in-flight limit allows) and resolves when all have finished. */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.inFlight.size > 0) {
      this.flush();
      await Promise.allSettled([...this.inFlight]);
    }
  }

  private get saturated(): boolean {
    return this.options.maxInFlight !== undefined && this.inFlight.size >= this.options.maxInFlight;
  }

  private flush(): void {
    if (this.timer) {
      this.timer.cancel();
      this.timer = null;
    }
    // A finishing batch starts the next one; its items keep gathering meanwhile.
    if (this.pending.length === 0 || this.saturated) return;
    const batch = this.pending.splice(0, this.options.maxSize);
    if (this.pending.length > 0) this.timer = this.later(() => this.flush());
    const run = this.run(batch);
    this.inFlight.add(run);
    void run.finally(() => {
      this.inFlight.delete(run);
      // Items held back by the limit have waited long enough.
      if (this.options.maxInFlight !== undefined && this.pending.length > 0) this.flush();
    });
  }

  private later(flush: () => void): { cancel: () => void } {
    if (this.options.maxWaitMs === 0) {
      const immediate = setImmediate(flush);
      return { cancel: () => clearImmediate(immediate) };
    }
    const timeout = setTimeout(flush, this.options.maxWaitMs);
    return { cancel: () => clearTimeout(timeout) };
  }

  private async run(batch: Pending<T, R>[]): Promise<void> {
    try {
      const results = await this.handler(batch.map((p) => p.item));
      if (results.length !== batch.length) {
        throw new Error(`batch handler returned ${results.length} results for ${batch.length} items`);
      }
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }
}

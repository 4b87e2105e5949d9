import type { Settled } from './micro-batcher';

/**
 * Runs the items as one batch (one transaction, one round trip); when the batch fails, runs each item alone, so
 * that one bad item fails by itself and holds back no other. `run` must give one result per item, in order. A
 * batch of one that fails is that item's failure; `onBatchFailed` hears of a larger batch that had to be split.
 */
export async function batchOrOneByOne<T, R>(
  items: readonly T[],
  run: (items: T[]) => Promise<R[]>,
  onBatchFailed?: (error: unknown, size: number) => void,
): Promise<Array<Settled<R>>> {
  if (items.length === 0) return [];
  try {
    const values = await run([...items]);
    return values.map((value) => ({ ok: true as const, value }));
  } catch (error) {
    if (items.length === 1) return [{ ok: false, error }];
    onBatchFailed?.(error, items.length);
    const results: Array<Settled<R>> = [];
    for (const item of items) {
      try {
        results.push({ ok: true, value: (await run([item]))[0] });
      } catch (e) {
        results.push({ ok: false, error: e });
      }
    }
    return results;
  }
}

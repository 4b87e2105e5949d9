import { MicroBatcher } from './micro-batcher';

describe('MicroBatcher', () => {
  it('gives each caller the result for its own item, in one batch when they arrive together', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        batches.push(items);
        return items.map((n) => n * 10);
      },
      { maxSize: 10, maxWaitMs: 5 },
    );

    const results = await Promise.all([1, 2, 3].map((n) => batcher.submit(n)));

    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('starts a batch as soon as it is full and splits larger bursts', async () => {
    const sizes: number[] = [];
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        sizes.push(items.length);
        return items;
      },
      { maxSize: 4, maxWaitMs: 1000 },
    );

    const started = Date.now();
    await Promise.all(Array.from({ length: 8 }, (_, i) => batcher.submit(i)));

    expect(sizes).toEqual([4, 4]);
    expect(Date.now() - started).toBeLessThan(900); // full batches never wait for the timer
  });

  it('rejects every item of a failed batch with the handler error, and later batches still run', async () => {
    let calls = 0;
    const batcher = new MicroBatcher<string, string>(
      async (items) => {
        calls += 1;
        if (calls === 1) throw new Error('database down');
        return items.map((s) => s.toUpperCase());
      },
      { maxSize: 10, maxWaitMs: 0 },
    );

    await expect(Promise.all([batcher.submit('a'), batcher.submit('b')])).rejects.toThrow('database down');
    await expect(batcher.submit('c')).resolves.toBe('C');
  });

  it('rejects when the handler returns the wrong number of results', async () => {
    const batcher = new MicroBatcher<number, number>(async () => [1], { maxSize: 10, maxWaitMs: 0 });
    await expect(Promise.all([batcher.submit(1), batcher.submit(2)])).rejects.toThrow('returned 1 results for 2 items');
  });

  it('drain() runs what is waiting without waiting for the timer', async () => {
    const seen: number[] = [];
    const batcher = new MicroBatcher<number, void>(
      async (items) => {
        seen.push(...items);
        return items.map(() => undefined);
      },
      { maxSize: 100, maxWaitMs: 60_000 },
    );

    const done = Promise.all([batcher.submit(7), batcher.submit(8)]);
    expect(batcher.waiting).toBe(2);
    await batcher.drain();
    await done;
    expect(seen).toEqual([7, 8]);
  });

  it('refuses nonsensical options', () => {
    expect(() => new MicroBatcher(async (x) => x, { maxSize: 0, maxWaitMs: 1 })).toThrow(RangeError);
    expect(() => new MicroBatcher(async (x) => x, { maxSize: 1, maxWaitMs: -1 })).toThrow(RangeError);
  });
});

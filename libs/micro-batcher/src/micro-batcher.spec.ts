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

  it('with no wait, sends what arrived in the same turn of the event loop together, and sets no timer', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        batches.push(items);
        return items;
      },
      { maxSize: 10, maxWaitMs: 0 },
    );
    const timers = jest.spyOn(global, 'setTimeout');
    try {
      const first = Promise.all([batcher.submit(1), batcher.submit(2), batcher.submit(3)]);
      await expect(first).resolves.toEqual([1, 2, 3]);
      await expect(batcher.submit(4)).resolves.toBe(4);
      // Node rounds a timer of 0 up to a millisecond: a lone web form or call end would wait for nothing.
      expect(timers).not.toHaveBeenCalled();
    } finally {
      timers.mockRestore();
    }
    expect(batches).toEqual([[1, 2, 3], [4]]);
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

  it('with maxInFlight, holds arriving items while the batches run and sends them together when one finishes', async () => {
    const batches: number[][] = [];
    const release: Array<() => void> = [];
    let running = 0;
    let mostAtOnce = 0;
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        batches.push(items);
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        await new Promise<void>((resolve) => release.push(resolve));
        running -= 1;
        return items;
      },
      { maxSize: 100, maxWaitMs: 0, maxInFlight: 2 },
    );
    const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

    const all: Array<Promise<number>> = [batcher.submit(1)];
    await tick();
    all.push(batcher.submit(2));
    await tick();
    // Both slots busy: these wait, however long, and leave together.
    for (const n of [3, 4, 5]) all.push(batcher.submit(n));
    await tick();
    expect(batches).toEqual([[1], [2]]);
    expect(batcher.waiting).toBe(3);

    release.shift()!();
    await tick();
    expect(batches).toEqual([[1], [2], [3, 4, 5]]);
    while (release.length) {
      release.shift()!();
      await tick();
    }
    expect(await Promise.all(all)).toEqual([1, 2, 3, 4, 5]);
    expect(mostAtOnce).toBe(2);
  });

  it('with maxInFlight, drain() waits for the held-back batch too', async () => {
    const seen: number[] = [];
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        seen.push(...items);
        return items;
      },
      { maxSize: 2, maxWaitMs: 60_000, maxInFlight: 1 },
    );
    const done = Promise.all([1, 2, 3, 4, 5].map((n) => batcher.submit(n)));
    await batcher.drain();
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(batcher.waiting).toBe(0);
    await expect(done).resolves.toEqual([1, 2, 3, 4, 5]);
  });

  it('refuses nonsensical options', () => {
    expect(() => new MicroBatcher(async (x) => x, { maxSize: 0, maxWaitMs: 1 })).toThrow(RangeError);
    expect(() => new MicroBatcher(async (x) => x, { maxSize: 1, maxWaitMs: -1 })).toThrow(RangeError);
    expect(() => new MicroBatcher(async (x) => x, { maxSize: 1, maxWaitMs: 1, maxInFlight: 0 })).toThrow(RangeError);
  });
});

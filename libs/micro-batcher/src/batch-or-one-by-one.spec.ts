import { batchOrOneByOne } from './batch-or-one-by-one';

describe('batchOrOneByOne', () => {
  const double = async (xs: number[]) => {
    if (xs.includes(13)) throw new Error('thirteen');
    return xs.map((x) => x * 2);
  };

  it('runs a good batch once', async () => {
    const run = jest.fn(double);
    expect(await batchOrOneByOne([1, 2, 3], run)).toEqual([1, 2, 3].map((x) => ({ ok: true, value: x * 2 })));
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('splits a failed batch so that only the bad item fails, and says so once', async () => {
    const run = jest.fn(double);
    const failed = jest.fn();
    const results = await batchOrOneByOne([1, 13, 3], run, failed);
    expect(results).toEqual([
      { ok: true, value: 2 },
      { ok: false, error: new Error('thirteen') },
      { ok: true, value: 6 },
    ]);
    expect(run).toHaveBeenCalledTimes(4);
    expect(failed).toHaveBeenCalledWith(new Error('thirteen'), 3);
  });

  it('gives a batch of one its own failure without running it again', async () => {
    const run = jest.fn(double);
    const failed = jest.fn();
    expect(await batchOrOneByOne([13], run, failed)).toEqual([{ ok: false, error: new Error('thirteen') }]);
    expect(run).toHaveBeenCalledTimes(1);
    expect(failed).not.toHaveBeenCalled();
    expect(await batchOrOneByOne([], run)).toEqual([]);
  });
});

import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { CoalescedConsumer, Verdict } from './coalesced-consumer';

const isRefusal = (error: unknown): error is RateLimiterRes => error instanceof RateLimiterRes;

function consumer(points: number) {
  const limiter = new RateLimiterMemory({ points, duration: 60 });
  const calls: Array<[string, number]> = [];
  const coalesced = new CoalescedConsumer(
    points,
    (key, n) => {
      calls.push([key, n]);
      return limiter.consume(key, n);
    },
    isRefusal,
  );
  return { coalesced, calls };
}

const passed = (verdicts: Verdict[]) => verdicts.filter((v) => v.ok === true).length;

describe('CoalescedConsumer', () => {
  it('counts the requests of one key in one turn with a single consumption of that many points', async () => {
    const { coalesced, calls } = consumer(100);
    const verdicts = await Promise.all([...Array(5)].map(() => coalesced.take('a')).concat(coalesced.take('b')));
    expect(verdicts.every((v) => v.ok === true)).toBe(true);
    expect(calls).toEqual([
      ['a', 5],
      ['b', 1],
    ]);
  });

  it('lets through exactly the budget, batch or not, and refuses the rest with the time to wait', async () => {
    const { coalesced } = consumer(7);
    const first = await Promise.all([...Array(4)].map(() => coalesced.take('a')));
    const second = await Promise.all([...Array(6)].map(() => coalesced.take('a')));
    expect(passed(first)).toBe(4);
    expect(second.map((v) => v.ok)).toEqual([true, true, true, false, false, false]);
    const refused = second[5] as { ok: false; msBeforeNext: number };
    expect(refused.msBeforeNext).toBeGreaterThan(0);
    expect(refused.msBeforeNext).toBeLessThanOrEqual(60_000);
    expect((await coalesced.take('a')).ok).toBe(false);
  });

  it('says the store failed, for every request of the batch, rather than refusing them', async () => {
    const failure = new Error('Redis is down');
    const coalesced = new CoalescedConsumer(10, () => Promise.reject(failure), isRefusal);
    const verdicts = await Promise.all([coalesced.take('a'), coalesced.take('a')]);
    expect(verdicts).toEqual([
      { ok: null, error: failure },
      { ok: null, error: failure },
    ]);
  });
});

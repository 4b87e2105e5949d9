import { CHANNEL_SHARES, loadAt, prng, schedule, simulatedHour, weighted } from './day';

describe('simulated day', () => {
  it('draws the same numbers from the same seed, and others from another', () => {
    const a = prng(42);
    const b = prng(42);
    const c = prng(43);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect([c(), c(), c()]).not.toEqual(first);
    for (const x of first) expect(x >= 0 && x < 1).toBe(true);
  });

  it('peaks in the late morning, dips at lunch, and is quiet before opening', () => {
    expect(loadAt(10.5)).toBe(1);
    expect(loadAt(12.5)).toBeLessThan(loadAt(11.5));
    expect(loadAt(14.5)).toBeGreaterThan(loadAt(12.5));
    expect(loadAt(7)).toBe(0);
    expect(simulatedHour(0, 60_000)).toBe(8);
    expect(simulatedHour(30_000, 60_000)).toBe(14);
  });

  it('schedules the same contacts for the same seed, busier at the peak than at lunch', () => {
    const times = schedule(prng(7), 120_000, 5);
    expect(schedule(prng(7), 120_000, 5)).toEqual(times);
    // 12 simulated hours in 120 s: 10 s per hour. 10:00–11:00 is 20–30 s, 12:00–13:00 is 40–50 s.
    const inWindow = (from: number, to: number) => times.filter((t) => t >= from && t < to).length;
    expect(inWindow(20_000, 30_000)).toBeGreaterThan(inWindow(40_000, 50_000));
    expect([...times].sort((x, y) => x - y)).toEqual(times);
  });

  it('picks channels in their shares', () => {
    const random = prng(1);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 10_000; i++) {
      const ch = weighted(random, CHANNEL_SHARES);
      counts[ch] = (counts[ch] ?? 0) + 1;
    }
    expect(counts.phone / 10_000).toBeCloseTo(0.45, 1);
    expect(counts.counter / 10_000).toBeCloseTo(0.03, 1);
  });
});

/**
 * The shape of a contact centre's day and the seeded randomness the simulator draws everything from, so that one
 * seed gives the same day (the same contacts in the same order, the same choices of every citizen and operator).
 */

/** mulberry32: small, fast and good enough to pick channels and texts; not for anything secret. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)];

/** One of `weights`' keys, each as likely as its weight. */
export function weighted<K extends string>(random: () => number, weights: Readonly<Record<K, number>>): K {
  const entries = Object.entries(weights) as Array<[K, number]>;
  let x = random() * entries.reduce((s, [, w]) => s + w, 0);
  for (const [key, w] of entries) if ((x -= w) < 0) return key;
  return entries[entries.length - 1][0];
}

/**
 * Contacts per hour of the day relative to the busiest hour (1.0), 08:00–20:00: the morning ramp, the peak at
 * 10–11, the lunch dip, a second smaller hump in the afternoon and the evening tail. Nights stay quiet.
 */
export const DAY_CURVE: Readonly<Record<number, number>> = {
  8: 0.45,
  9: 0.8,
  10: 1.0,
  11: 0.95,
  12: 0.55,
  13: 0.6,
  14: 0.8,
  15: 0.75,
  16: 0.55,
  17: 0.3,
  18: 0.18,
  19: 0.1,
};
export const DAY_START_HOUR = 8;
export const DAY_END_HOUR = 20;
/** The simulated day's length in real time: a run of `runMs` compresses it DAY_MS / runMs times. */
export const DAY_MS = (DAY_END_HOUR - DAY_START_HOUR) * 3_600_000;

/** The simulated hour (fractional, 8.0–20.0) at `elapsed` of the run's `total` wall time. */
export function simulatedHour(elapsedMs: number, totalMs: number): number {
  const share = Math.min(1, Math.max(0, elapsedMs / totalMs));
  return DAY_START_HOUR + share * (DAY_END_HOUR - DAY_START_HOUR);
}

export function loadAt(hour: number): number {
  return DAY_CURVE[Math.floor(hour)] ?? 0;
}

/**
 * The whole day's contacts as their start times in ms from the run's start: in each slice of the run, as many as
 * the curve asks for at `peakPerSecond`, placed at seeded random moments within it. The count per slice is the
 * expected value rounded by a seeded draw, so short runs still see the curve's shape rather than all zeros.
 */
export function schedule(random: () => number, runMs: number, peakPerSecond: number, sliceMs = 1000): number[] {
  const times: number[] = [];
  for (let start = 0; start < runMs; start += sliceMs) {
    const length = Math.min(sliceMs, runMs - start);
    const expected = peakPerSecond * loadAt(simulatedHour(start + length / 2, runMs)) * (length / 1000);
    const count = Math.floor(expected) + (random() < expected - Math.floor(expected) ? 1 : 0);
    for (let i = 0; i < count; i++) times.push(start + random() * length);
  }
  return times.sort((a, b) => a - b);
}

/** Shares of the channels in a national contact centre's day. */
export const CHANNEL_SHARES = { phone: 45, email: 20, webform: 15, chat: 10, social: 7, counter: 3 } as const;
export type SimChannel = keyof typeof CHANNEL_SHARES;

/**
 * Riga wall-clock time ↔ instants without a time-zone library. Only Intl knows the EU DST rules, and building an
 * Intl.DateTimeFormat costs ~200 µs, so there is exactly one, and its answers are cached.
 */
const RIGA_PARTS = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Europe/Riga',
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

const HOUR = 3_600_000;
export const DAY = 86_400_000;

// Riga has only ever changed offset on a whole UTC hour, so one lookup per UTC hour is exact.
const offsetByUtcHour = new Map<number, number>();

/** Milliseconds to add to a UTC instant to get Riga wall-clock time. */
export function rigaOffset(instantMs: number): number {
  const hour = Math.floor(instantMs / HOUR);
  let offset = offsetByUtcHour.get(hour);
  if (offset === undefined) {
    const p: Record<string, number> = {};
    for (const part of RIGA_PARTS.formatToParts(hour * HOUR)) if (part.type !== 'literal') p[part.type] = Number(part.value);
    offset = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - hour * HOUR;
    if (offsetByUtcHour.size > 100_000) offsetByUtcHour.clear(); // a long-running process must not grow without bound
    offsetByUtcHour.set(hour, offset);
  }
  return offset;
}

/** The Riga calendar day of an instant, as days since 1970-01-01. */
export function rigaDayNumber(instantMs: number): number {
  return Math.floor((instantMs + rigaOffset(instantMs)) / DAY);
}

/**
 * The instant at which Riga clocks show `minutes` past midnight of the given day. Like Temporal's "compatible":
 * a time repeated in October resolves to the earlier (summer-time) instant, and a time skipped in March resolves
 * forward by the length of the gap (03:30 → 04:30).
 */
export function rigaInstant(dayNumber: number, minutes: number): number {
  const wall = dayNumber * DAY + minutes * 60_000;
  const before = rigaOffset(wall - 12 * HOUR);
  const after = rigaOffset(wall + 12 * HOUR);
  const candidates = [wall - before, wall - after].filter((t) => wall - rigaOffset(t) === t);
  return candidates.length > 0 ? Math.min(...candidates) : wall - before;
}

/** The Riga calendar date of an instant, 'YYYY-MM-DD'. */
export function rigaDate(instant: Date): string {
  return new Date(rigaDayNumber(instant.getTime()) * DAY).toISOString().slice(0, 10);
}

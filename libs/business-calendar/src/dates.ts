/** Calendar days as plain numbers (days since 1970-01-01, UTC-based) so date arithmetic never meets a time zone. */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function dayNumber(date: string): number {
  const m = ISO_DATE.exec(date);
  if (!m) throw new RangeError(`invalid date (expected YYYY-MM-DD): ${date}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  // Date.UTC silently rolls 2026-02-30 over into March; a typo in holiday data must fail instead.
  if (new Date(ms).getUTCMonth() !== mo - 1 || d < 1) throw new RangeError(`invalid date: ${date}`);
  return ms / 86_400_000;
}

export function isoDate(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday, as Date#getDay. */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

export function yearOf(day: number): number {
  return new Date(day * 86_400_000).getUTCFullYear();
}

export function dayOf(year: number, month: number, date: number): number {
  return Date.UTC(year, month - 1, date) / 86_400_000;
}

import { dayNumber } from './dates';
import { rigaDayNumber, rigaInstant, rigaOffset } from './riga-time';

const H = 3_600_000;

describe('Riga offsets', () => {
  it.each([
    ['2026-01-15T12:00:00Z', 2],
    ['2026-07-15T12:00:00Z', 3],
    ['2026-03-29T00:59:59.999Z', 2], // last instant of winter time (02:59:59.999 local)
    ['2026-03-29T01:00:00Z', 3], // clocks jump 03:00 → 04:00
    ['2026-10-25T00:59:59.999Z', 3], // 03:59:59.999 summer time
    ['2026-10-25T01:00:00Z', 2], // clocks fall back 04:00 → 03:00
  ])('%s is UTC+%i', (iso, hours) => expect(rigaOffset(Date.parse(iso))).toBe(hours * H));

  it('finds the Riga calendar day, not the UTC one', () => {
    expect(rigaDayNumber(Date.parse('2026-06-30T21:30:00Z'))).toBe(dayNumber('2026-07-01'));
    expect(rigaDayNumber(Date.parse('2026-12-31T21:59:59Z'))).toBe(dayNumber('2026-12-31'));
  });
});

describe('rigaInstant', () => {
  it('converts ordinary winter and summer times', () => {
    expect(new Date(rigaInstant(dayNumber('2026-01-15'), 8 * 60 + 30)).toISOString()).toBe('2026-01-15T06:30:00.000Z');
    expect(new Date(rigaInstant(dayNumber('2026-07-15'), 8 * 60 + 30)).toISOString()).toBe('2026-07-15T05:30:00.000Z');
  });

  it('takes midnight at the end of the day (24:00) as the next day’s 00:00', () => {
    expect(new Date(rigaInstant(dayNumber('2026-03-29'), 24 * 60)).toISOString()).toBe('2026-03-29T21:00:00.000Z');
  });

  it('resolves 03:30 on 25 Oct 2026, which happens twice, to the first (summer-time) one', () => {
    expect(new Date(rigaInstant(dayNumber('2026-10-25'), 210)).toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });

  it('moves 03:30 on 29 Mar 2026, which never happens, forward to 04:30', () => {
    expect(new Date(rigaInstant(dayNumber('2026-03-29'), 210)).toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });
});

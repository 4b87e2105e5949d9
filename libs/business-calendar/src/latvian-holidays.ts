import { dayNumber, dayOf, isoDate, weekday } from './dates';

/**
 * Days off in Latvia under the law "Par svētku, atceres un atzīmējamām dienām" (article 1 and 2), plus the
 * one-off decisions that the law cannot know in advance: Cabinet transfers of a working day, holidays declared by a
 * separate law, and the closing day of the Song and Dance Festival. Those are data and arrive as `Adjustments`.
 */

export interface Transfer {
  /** A working day that becomes a day off… */
  dayOff: string;
  /** …and the (usually Saturday) day that is worked instead. */
  workedOn: string;
}

export interface ExtraHoliday {
  date: string;
  name?: string;
  /**
   * The law gives the Song and Dance Festival closing day the same treatment as 4 May and 18 November: on a
   * Saturday or Sunday, the next working day is off. One-off holidays (e.g. the 2023 hockey bronze) have no such rule.
   */
  weekendMovesToNextWorkingDay?: boolean;
}

export interface Adjustments {
  transfers?: readonly Transfer[];
  extraHolidays?: readonly (string | ExtraHoliday)[];
}

export type HolidayKind =
  /** named in the law */
  | 'holiday'
  /** the next working day after 4 May / 18 November / a festival closing day that fell on a weekend */
  | 'substitute'
  /** declared by a one-off law, or a festival closing day */
  | 'extra';

export interface Holiday {
  date: string;
  name: string;
  kind: HolidayKind;
}

/** Only decisions the author could confirm. Later these rows live in PostgreSQL; this seed is the fallback. */
export const LATVIA_KNOWN_ADJUSTMENTS: Readonly<Required<Adjustments>> = Object.freeze({
  transfers: Object.freeze([
    { dayOff: '2026-01-02', workedOn: '2026-01-17' },
    { dayOff: '2026-06-22', workedOn: '2026-06-27' },
  ]),
  extraHolidays: Object.freeze([
    { date: '2023-05-29', name: 'Hockey World Championship bronze medal' },
    { date: '2023-07-09', name: 'Song and Dance Festival closing day', weekendMovesToNextWorkingDay: true },
  ]),
});

/** The earliest year whose rules this module has been checked against. */
export const FIRST_SUPPORTED_YEAR = 2020;

/** Western (Gregorian) Easter Sunday: the anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
export function easterSunday(year: number): string {
  if (!Number.isInteger(year) || year < 1583 || year > 9999) throw new RangeError(`invalid year: ${year}`);
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return isoDate(dayOf(year, month, day));
}

const isWeekend = (day: number) => weekday(day) === 0 || weekday(day) === 6;

/**
 * All public days off of one calendar year, sorted. Transfers are not included: a transferred day off is not a
 * holiday (it does not shorten the day before it) — see BusinessCalendar.
 */
export function latvianHolidays(year: number, adjustments: Adjustments = LATVIA_KNOWN_ADJUSTMENTS): Holiday[] {
  if (!Number.isInteger(year) || year < FIRST_SUPPORTED_YEAR || year > 9999) {
    throw new RangeError(`Latvian holidays are only computed for ${FIRST_SUPPORTED_YEAR}–9999, not ${year}`);
  }
  const easter = dayNumber(easterSunday(year));
  const byDay = new Map<number, Holiday>();
  const add = (day: number, name: string, kind: HolidayKind) => {
    if (!byDay.has(day)) byDay.set(day, { date: isoDate(day), name, kind });
  };
  const fixed = (month: number, date: number) => dayOf(year, month, date);

  add(fixed(1, 1), 'Jaungada diena', 'holiday');
  add(easter - 2, 'Lielā Piektdiena', 'holiday');
  add(easter, 'Lieldienas', 'holiday');
  add(easter + 1, 'Otrās Lieldienas', 'holiday');
  add(fixed(5, 1), 'Darba svētki', 'holiday');
  add(fixed(5, 4), 'Latvijas Republikas Neatkarības atjaunošanas diena', 'holiday');
  add(easter + 49, 'Vasarsvētki', 'holiday');
  add(fixed(6, 23), 'Līgo diena', 'holiday');
  add(fixed(6, 24), 'Jāņu diena', 'holiday');
  add(fixed(11, 18), 'Latvijas Republikas proklamēšanas diena', 'holiday');
  add(fixed(12, 24), 'Ziemassvētku vakars', 'holiday');
  add(fixed(12, 25), 'Pirmie Ziemassvētki', 'holiday');
  add(fixed(12, 26), 'Otrie Ziemassvētki', 'holiday');
  add(fixed(12, 31), 'Vecgada diena', 'holiday');

  const movable: Array<{ day: number; name: string }> = [
    { day: fixed(5, 4), name: 'Latvijas Republikas Neatkarības atjaunošanas diena' },
    { day: fixed(11, 18), name: 'Latvijas Republikas proklamēšanas diena' },
  ];
  for (const raw of adjustments.extraHolidays ?? []) {
    const extra = typeof raw === 'string' ? { date: raw } : raw;
    const day = dayNumber(extra.date);
    if (day < fixed(1, 1) || day > fixed(12, 31)) continue;
    const name = extra.name ?? 'Extra holiday';
    add(day, name, 'extra');
    if (extra.weekendMovesToNextWorkingDay) movable.push({ day, name });
  }

  // Substitutes are decided after every holiday of the year is known, so one never lands on another holiday.
  for (const { day, name } of movable) {
    if (!isWeekend(day)) continue;
    let next = day + 1;
    while (isWeekend(next) || byDay.has(next)) next++;
    // Only a weekend festival day at the very end of December could spill into January; the law has never met that.
    if (next > fixed(12, 31)) continue;
    add(next, `${name} (pārcelta brīvdiena)`, 'substitute');
  }

  return [...byDay.values()].sort((x, y) => (x.date < y.date ? -1 : 1));
}

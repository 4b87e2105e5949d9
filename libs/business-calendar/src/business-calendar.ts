import { dayNumber, isoDate, weekday, yearOf } from './dates';
import { Adjustments, Holiday, LATVIA_KNOWN_ADJUSTMENTS, latvianHolidays } from './latvian-holidays';
import { rigaDayNumber, rigaInstant } from './riga-time';

export type WeekdayKey = 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat';
/** Riga local wall-clock times, 'HH:MM'; an end of '24:00' means midnight at the end of the day. */
export type WorkingHours = Record<WeekdayKey, ReadonlyArray<readonly [string, string]>>;

export interface Interval {
  start: Date;
  end: Date;
}

/**
 * Hours that replace the usual ones on particular dates ('YYYY-MM-DD' → Riga wall-clock spans): a centre open on
 * a holiday or an election Saturday, closing early on one day, or shut for a day (an empty list).
 */
export type SpecialHours = Readonly<Record<string, ReadonlyArray<readonly [string, string]>>>;

export interface BusinessCalendarOptions {
  hours?: WorkingHours;
  adjustments?: Adjustments;
  specialHours?: SpecialHours;
}

const WEEKDAYS: WeekdayKey[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** Ordinary state-office hours: a shorter Friday is common in Latvian institutions. */
export const STANDARD_OFFICE_HOURS: WorkingHours = Object.freeze({
  mon: [['08:30', '17:00']],
  tue: [['08:30', '17:00']],
  wed: [['08:30', '17:00']],
  thu: [['08:30', '17:00']],
  fri: [['08:30', '15:30']],
  sat: [],
  sun: [],
});

/** Darba likums art. 135(2): the working day before a holiday is one hour shorter. */
const PRE_HOLIDAY_CUT_MINUTES = 60;

// A search for the next open minute gives up after this many days: a schedule with no hours at all never opens.
const MAX_SEARCH_DAYS = 3660;

type MinuteSpan = [number, number];

function parseHours(hours: WorkingHours): MinuteSpan[][] {
  return WEEKDAYS.map((key) => parseSpans(hours[key] ?? [], key));
}

function parseSpans(list: ReadonlyArray<readonly [string, string]>, name: string): MinuteSpan[] {
  const spans = list.map(([from, to]): MinuteSpan => [toMinutes(from), toMinutes(to)]);
  spans.forEach(([from, to], i) => {
    if (from >= to) throw new RangeError(`working hours for ${name}: ${list[i].join('–')} is empty or reversed`);
    if (i > 0 && from < spans[i - 1][1]) throw new RangeError(`working hours for ${name} overlap or are out of order`);
  });
  return spans;
}

function toMinutes(hhmm: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!m || Number(m[2]) > 59 || minutes > 24 * 60) throw new RangeError(`invalid time (expected HH:MM): ${hhmm}`);
  return minutes;
}

/** Removes the last `cut` minutes of scheduled time, reaching into earlier intervals if the last one is shorter. */
function shorten(spans: MinuteSpan[], cut: number): MinuteSpan[] {
  const out = spans.map((s): MinuteSpan => [s[0], s[1]]);
  while (cut > 0 && out.length > 0) {
    const last = out[out.length - 1];
    const take = Math.min(cut, last[1] - last[0]);
    last[1] -= take;
    cut -= take;
    if (last[0] === last[1]) out.pop();
  }
  return out;
}

/**
 * A Latvian business calendar: which days are worked, and at which Riga-time hours. All instants are `Date`s; all
 * calendar days are 'YYYY-MM-DD' strings in Riga.
 *
 * Choices:
 * - the day before a holiday named in the law, a substitute day or a one-off extra holiday is shortened by one hour,
 *   also when it is a transferred working Saturday; a day before a day that is off only through a transfer is not
 *   (Darba likums 135(2) speaks of "svētku diena", and a Cabinet transfer does not create one);
 * - a transferred working Saturday keeps the hours of the weekday it replaces (17 Jan 2026 works Friday hours,
 *   because it stands in for Friday 2 Jan).
 */
export class BusinessCalendar {
  private readonly spansByWeekday: MinuteSpan[][];
  private readonly adjustments: Adjustments;
  private readonly transferredOff = new Set<number>();
  /** worked day → the day off it replaces */
  private readonly transferredWork = new Map<number, number>();
  private readonly holidaysByYear = new Map<number, Map<number, Holiday>>();
  private readonly intervalCache = new Map<number, ReadonlyArray<readonly [number, number]>>();
  /** day → the hours that replace its usual ones */
  private readonly specialSpans = new Map<number, MinuteSpan[]>();

  constructor(options: BusinessCalendarOptions = {}) {
    this.spansByWeekday = parseHours(options.hours ?? STANDARD_OFFICE_HOURS);
    for (const [date, spans] of Object.entries(options.specialHours ?? {})) {
      let day: number;
      try {
        day = dayNumber(date);
      } catch {
        throw new RangeError(`special hours: ${date} is not a date (YYYY-MM-DD)`);
      }
      this.specialSpans.set(day, parseSpans(spans, date));
    }
    this.adjustments = options.adjustments ?? LATVIA_KNOWN_ADJUSTMENTS;
    for (const t of this.adjustments.transfers ?? []) {
      const off = dayNumber(t.dayOff);
      const worked = dayNumber(t.workedOn);
      this.transferredOff.add(off);
      this.transferredWork.set(worked, off);
    }
  }

  /** Public holidays, substitute days and one-off holidays of a year (not transferred days off). */
  holidays(year: number): Holiday[] {
    return [...this.holidayMap(year).values()];
  }

  isHoliday(date: string): boolean {
    return this.isHolidayDay(dayNumber(date));
  }

  isWorkingDay(date: string): boolean {
    return this.isWorkingDayNumber(dayNumber(date));
  }

  /** True for a day with working hours that end an hour early because a holiday follows. */
  isShortenedDay(date: string): boolean {
    const day = dayNumber(date);
    return !this.specialSpans.has(day) && this.hasHours(day) && this.isHolidayDay(day + 1);
  }

  workingIntervals(date: string): Interval[] {
    return this.intervals(dayNumber(date)).map(([s, e]) => ({ start: new Date(s), end: new Date(e) }));
  }

  /**
   * The close of business on a day, for deadlines "by the end of the Nth working day". A day without hours (a
   * working day the office does not open) closes at its Riga midnight, so the whole day still counts.
   */
  closingTime(date: string): Date {
    const spans = this.intervals(dayNumber(date));
    return new Date(spans.length > 0 ? spans[spans.length - 1][1] : rigaInstant(dayNumber(date), 24 * 60));
  }

  isOpen(at: Date): boolean {
    const t = at.getTime();
    return this.intervals(rigaDayNumber(t)).some(([s, e]) => s <= t && t < e);
  }

  /** The first instant at or after `at` when the office is open — `at` itself if it is open now. */
  nextOpening(at: Date): Date {
    const t = at.getTime();
    const first = rigaDayNumber(t);
    for (let day = first; day < first + MAX_SEARCH_DAYS; day++) {
      for (const [s, e] of this.intervals(day)) if (t < e) return new Date(Math.max(s, t));
    }
    throw new RangeError(`no working time within ${MAX_SEARCH_DAYS} days after ${at.toISOString()}`);
  }

  /**
   * `start` plus `ms` of open time. Closed time is skipped; a result that lands exactly on a closing time is that
   * closing time (not the next opening). Negative `ms` counts backwards.
   */
  addBusinessTime(start: Date, ms: number): Date {
    if (!Number.isFinite(ms)) throw new RangeError(`invalid duration: ${ms}`);
    const t = start.getTime();
    let left = Math.abs(ms);
    if (left === 0) return new Date(t);
    const first = rigaDayNumber(t);
    if (ms > 0) {
      for (let day = first; day < first + MAX_SEARCH_DAYS; day++) {
        for (const [s, e] of this.intervals(day)) {
          const from = Math.max(s, t);
          if (from >= e) continue;
          if (left <= e - from) return new Date(from + left);
          left -= e - from;
        }
      }
    } else {
      for (let day = first; day > first - MAX_SEARCH_DAYS; day--) {
        const spans = this.intervals(day);
        for (let i = spans.length - 1; i >= 0; i--) {
          const [s, e] = spans[i];
          const to = Math.min(e, t);
          if (to <= s) continue;
          if (left <= to - s) return new Date(to - left);
          left -= to - s;
        }
      }
    }
    throw new RangeError(`not enough working time within ${MAX_SEARCH_DAYS} days of ${start.toISOString()}`);
  }

  /** Open time between two instants in ms; negative when `b` is before `a`. */
  businessTimeBetween(a: Date, b: Date): number {
    const from = a.getTime();
    const to = b.getTime();
    if (to < from) return -this.businessTimeBetween(b, a);
    let total = 0;
    for (let day = rigaDayNumber(from), last = rigaDayNumber(to); day <= last; day++) {
      for (const [s, e] of this.intervals(day)) total += Math.max(0, Math.min(e, to) - Math.max(s, from));
    }
    return total;
  }

  /**
   * Moves `n` working days from `date` (backwards for negative n); `date` itself need not be a working day.
   * For "within 10 working days of receipt" the deadline is addWorkingDays(receiptDate, 10).
   */
  addWorkingDays(date: string, n: number): string {
    if (!Number.isInteger(n)) throw new RangeError(`invalid number of working days: ${n}`);
    let day = dayNumber(date);
    const step = Math.sign(n);
    for (let left = Math.abs(n); left > 0;) {
      day += step;
      if (this.isWorkingDayNumber(day)) left--;
    }
    return isoDate(day);
  }

  private holidayMap(year: number): Map<number, Holiday> {
    let map = this.holidaysByYear.get(year);
    if (!map) {
      map = new Map(latvianHolidays(year, this.adjustments).map((h) => [dayNumber(h.date), h]));
      this.holidaysByYear.set(year, map);
    }
    return map;
  }

  private isHolidayDay(day: number): boolean {
    return this.holidayMap(yearOf(day)).has(day);
  }

  private isWorkingDayNumber(day: number): boolean {
    if (this.isHolidayDay(day) || this.transferredOff.has(day)) return false;
    if (this.transferredWork.has(day)) return true;
    const wd = weekday(day);
    return wd !== 0 && wd !== 6;
  }

  /**
   * Whether the office hours apply on this day at all. Deliberately not isWorkingDay: an office that also opens on
   * ordinary Saturdays keeps those hours, while "working days" for legal deadlines stay Monday–Friday.
   */
  private hasHours(day: number): boolean {
    const special = this.specialSpans.get(day);
    if (special) return special.length > 0;
    if (this.isHolidayDay(day) || this.transferredOff.has(day)) return false;
    return this.spansByWeekday[weekday(this.transferredWork.get(day) ?? day)].length > 0;
  }

  /** The day's open intervals as [startMs, endMs), cached: every query above walks days through here. */
  private intervals(day: number): ReadonlyArray<readonly [number, number]> {
    let cached = this.intervalCache.get(day);
    if (!cached) {
      let spans: MinuteSpan[] = [];
      const special = this.specialSpans.get(day);
      // Hours set for the day itself are taken as they are: whoever set them knew what follows.
      if (special) spans = special;
      else if (this.hasHours(day)) {
        spans = this.spansByWeekday[weekday(this.transferredWork.get(day) ?? day)];
        if (this.isHolidayDay(day + 1)) spans = shorten(spans, PRE_HOLIDAY_CUT_MINUTES);
      }
      cached = spans.map(([from, to]) => [rigaInstant(day, from), rigaInstant(day, to)] as const);
      if (this.intervalCache.size > 50_000) this.intervalCache.clear();
      this.intervalCache.set(day, cached);
    }
    return cached;
  }
}

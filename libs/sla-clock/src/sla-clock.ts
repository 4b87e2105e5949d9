import { BusinessCalendar, rigaDate } from '@lib/business-calendar';

export const SLA_METRICS = ['first_response', 'next_response', 'resolution'] as const;
export type SlaMetric = (typeof SLA_METRICS)[number];

/**
 * How a target is counted:
 * - calendar_seconds: wall-clock time (a call answered within 20 s, whatever the hour);
 * - business_seconds: open time of the centre's calendar (4 business hours);
 * - working_days: by the close of business of the Nth working day after the day of receipt, as the Submissions
 *   Law counts its 10 working days (the day of receipt is not counted);
 * - months: by the close of business of the same date N months later, moved to the next working day when that
 *   date is not one (the law's "one month" extension).
 */
export const TARGET_UNITS = ['calendar_seconds', 'business_seconds', 'working_days', 'months'] as const;
export type TargetUnit = (typeof TARGET_UNITS)[number];

export interface SlaTarget {
  value: number;
  unit: TargetUnit;
}

/** What a running clock consumes: open time of the calendar, or wall-clock time. */
export type Measure = 'business' | 'calendar';

export function measureOf(unit: TargetUnit): Measure {
  return unit === 'calendar_seconds' ? 'calendar' : 'business';
}

/**
 * A clock is a budget of time and how much of it has been used. It runs (runningSince set) or stands (paused,
 * met, stopped); pausing folds the time used so far into consumedMs. Due and warning instants follow from that
 * alone, so a clock can be paused, resumed and given another target without losing what was used.
 */
export interface ClockTiming {
  measure: Measure;
  budgetMs: number;
  consumedMs: number;
  runningSince: Date | null;
}

/** The instant a date-based target ends for a clock started at `start`. */
export function deadlineOf(target: SlaTarget, start: Date, calendar: BusinessCalendar): Date | null {
  if (target.unit === 'working_days') return calendar.closingTime(calendar.addWorkingDays(rigaDate(start), target.value));
  if (target.unit === 'months') {
    let date = addMonths(rigaDate(start), target.value);
    if (!calendar.isWorkingDay(date)) date = calendar.addWorkingDays(date, 1);
    return calendar.closingTime(date);
  }
  return null;
}

/** How much running time a target gives a clock started at `start`. */
export function budgetOf(target: SlaTarget, start: Date, calendar: BusinessCalendar): number {
  const deadline = deadlineOf(target, start, calendar);
  if (deadline) return Math.max(0, calendar.businessTimeBetween(start, deadline));
  return target.value * 1000;
}

export function elapsed(measure: Measure, calendar: BusinessCalendar, from: Date, to: Date): number {
  return measure === 'business' ? calendar.businessTimeBetween(from, to) : to.getTime() - from.getTime();
}

export function advance(measure: Measure, calendar: BusinessCalendar, from: Date, ms: number): Date {
  return measure === 'business' ? calendar.addBusinessTime(from, ms) : new Date(from.getTime() + ms);
}

export function consumedAt(clock: ClockTiming, now: Date, calendar: BusinessCalendar): number {
  if (!clock.runningSince || now <= clock.runningSince) return clock.consumedMs;
  return clock.consumedMs + elapsed(clock.measure, calendar, clock.runningSince, now);
}

/** When the budget runs out; null while the clock stands. */
export function dueAt(clock: ClockTiming, calendar: BusinessCalendar): Date | null {
  if (!clock.runningSince) return null;
  return advance(clock.measure, calendar, clock.runningSince, clock.budgetMs - clock.consumedMs);
}

/** When `percent` of the budget is used; null while the clock stands. */
export function warningAt(clock: ClockTiming, percent: number, calendar: BusinessCalendar): Date | null {
  if (!clock.runningSince) return null;
  return advance(clock.measure, calendar, clock.runningSince, Math.floor((clock.budgetMs * percent) / 100) - clock.consumedMs);
}

export function pause(clock: ClockTiming, now: Date, calendar: BusinessCalendar): ClockTiming {
  if (!clock.runningSince) return clock;
  return { ...clock, consumedMs: consumedAt(clock, now, calendar), runningSince: null };
}

export function resume(clock: ClockTiming, now: Date): ClockTiming {
  if (clock.runningSince) return clock;
  return { ...clock, runningSince: now };
}

/**
 * When a reminder about `at` may be sent: at once if the policy allows reminders at any hour, otherwise at the
 * next business opening (never at midnight or on a holiday).
 */
export function reminderTime(at: Date, calendar: BusinessCalendar, anyHour: boolean): Date {
  return anyHour ? at : calendar.nextOpening(at);
}

/** 'YYYY-MM-DD' plus whole months, clamped to the last day of a shorter month (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, lastDay))).toISOString().slice(0, 10);
}

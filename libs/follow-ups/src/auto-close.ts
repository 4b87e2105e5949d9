import { BusinessCalendar, rigaDate } from '@lib/business-calendar';

/**
 * The last Riga day a ticket may stay pending the customer: `workingDays` whole working days after the day it
 * began waiting (that day itself does not count, as with the Submissions Law's terms). Holidays, weekends and
 * transferred days are the calendar's.
 */
export function lastPendingDay(calendar: BusinessCalendar, pendingSince: Date, workingDays: number): string {
  return calendar.addWorkingDays(rigaDate(pendingSince), workingDays);
}

/** Whether a ticket pending the customer since `pendingSince` is due to be closed at `now`: its last day has ended. */
export function autoCloseDue(calendar: BusinessCalendar, pendingSince: Date, now: Date, workingDays: number): boolean {
  return rigaDate(now) > lastPendingDay(calendar, pendingSince, workingDays);
}

/**
 * The latest instant a ticket may have begun waiting and still be due at `now` can never be later than
 * `workingDays` calendar days ago (a working day is at least a day): a cheap bound for the SQL that finds the
 * candidates, checked exactly with autoCloseDue afterwards.
 */
export function candidateBound(now: Date, workingDays: number): Date {
  return new Date(now.getTime() - workingDays * 86_400_000);
}

import { BusinessCalendar, STANDARD_OFFICE_HOURS } from '@lib/business-calendar';
import { addMonths, budgetOf, ClockTiming, consumedAt, deadlineOf, dueAt, pause, reminderTime, resume, warningAt } from './sla-clock';

const calendar = new BusinessCalendar({ hours: STANDARD_OFFICE_HOURS });
const at = (iso: string) => new Date(iso);

describe('SLA clock arithmetic in Latvian business time', () => {
  it('counts 10 working days past Easter: Good Friday and Easter Monday are not working days', () => {
    // Thursday 2 April 2026, 10:00 Riga (EEST). Working days after: 7–10, 13–17, 20 April → close of Monday 20 April.
    const due = deadlineOf({ value: 10, unit: 'working_days' }, at('2026-04-02T07:00:00Z'), calendar);
    expect(due?.toISOString()).toBe('2026-04-20T14:00:00.000Z'); // 17:00 Riga
  });

  it('counts working days across a weekend and ends at a Friday closing time', () => {
    // Friday 6 March 2026 16:00 Riga (after the 15:30 Friday close): 5 working days → Friday 13 March, 15:30 EET.
    const due = deadlineOf({ value: 5, unit: 'working_days' }, at('2026-03-06T14:00:00Z'), calendar);
    expect(due?.toISOString()).toBe('2026-03-13T13:30:00.000Z');
  });

  it('skips the weekend for business hours: Friday 15:00 + 1 h is Monday 09:00', () => {
    const clock: ClockTiming = { measure: 'business', budgetMs: 3600_000, consumedMs: 0, runningSince: at('2026-03-13T13:00:00Z') };
    expect(dueAt(clock, calendar)?.toISOString()).toBe('2026-03-16T07:00:00.000Z');
  });

  it('skips Midsummer and the shortened day before it', () => {
    // Tuesday 22 June 2027 is the day before Līgo, shortened by an hour: 08:30–16:00. Start 15:00 + 2 h →
    // 1 h that day; 23 and 24 June are holidays; 1 h on Friday 25 June → 09:30 Riga.
    const clock: ClockTiming = { measure: 'business', budgetMs: 2 * 3600_000, consumedMs: 0, runningSince: at('2027-06-22T12:00:00Z') };
    expect(calendar.isShortenedDay('2027-06-22')).toBe(true);
    expect(dueAt(clock, calendar)?.toISOString()).toBe('2027-06-25T06:30:00.000Z');
  });

  it('pauses and resumes without losing the time already used', () => {
    const start = at('2026-03-16T07:00:00Z'); // Monday 09:00 Riga
    let clock: ClockTiming = { measure: 'business', budgetMs: 4 * 3600_000, consumedMs: 0, runningSince: start };
    expect(dueAt(clock, calendar)?.toISOString()).toBe('2026-03-16T11:00:00.000Z');
    clock = pause(clock, at('2026-03-16T08:00:00Z'), calendar); // one hour used
    expect(clock.consumedMs).toBe(3600_000);
    expect(dueAt(clock, calendar)).toBeNull();
    clock = resume(clock, at('2026-03-17T08:00:00Z')); // Tuesday 10:00: three hours left
    expect(dueAt(clock, calendar)?.toISOString()).toBe('2026-03-17T11:00:00.000Z');
    expect(consumedAt(clock, at('2026-03-17T09:00:00Z'), calendar)).toBe(2 * 3600_000);
  });

  it('puts the warning at its share of the budget', () => {
    const clock: ClockTiming = { measure: 'calendar', budgetMs: 20_000, consumedMs: 0, runningSince: at('2026-03-16T07:00:00Z') };
    expect(warningAt(clock, 80, calendar)?.toISOString()).toBe('2026-03-16T07:00:16.000Z');
  });

  it('gives a working-day target a budget of exactly the open time until its deadline', () => {
    const start = at('2026-04-02T07:00:00Z');
    const budget = budgetOf({ value: 10, unit: 'working_days' }, start, calendar);
    const clock: ClockTiming = { measure: 'business', budgetMs: budget, consumedMs: 0, runningSince: start };
    expect(dueAt(clock, calendar)?.toISOString()).toBe('2026-04-20T14:00:00.000Z');
  });

  it('extends by a month to the next working day when the date falls on a weekend', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    // 14 Feb 2026 + 1 month = Saturday 14 March → Monday 16 March, 17:00 Riga.
    expect(deadlineOf({ value: 1, unit: 'months' }, at('2026-02-14T10:00:00Z'), calendar)?.toISOString()).toBe('2026-03-16T15:00:00.000Z');
  });

  it('defers a reminder at night to the next opening unless the policy allows any hour', () => {
    const night = at('2026-03-14T21:00:00Z'); // Saturday 23:00 Riga
    expect(reminderTime(night, calendar, false).toISOString()).toBe('2026-03-16T06:30:00.000Z');
    expect(reminderTime(night, calendar, true)).toBe(night);
  });
});

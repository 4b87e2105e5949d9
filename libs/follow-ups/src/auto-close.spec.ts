import { BusinessCalendar } from '@lib/business-calendar';
import { autoCloseDue, candidateBound, lastPendingDay } from './auto-close';
import { closingNotice } from './closing-notice';

/** Noon in Riga (UTC+2 in winter) on a date. */
const rigaNoon = (date: string) => new Date(`${date}T10:00:00Z`);

describe('auto-close after N working days on the Latvian calendar', () => {
  const calendar = new BusinessCalendar();

  it('counts working days after the day the wait began, skipping the weekend', () => {
    // Friday 6 November 2026: Mon 9, Tue 10 are the two working days.
    expect(lastPendingDay(calendar, rigaNoon('2026-11-06'), 2)).toBe('2026-11-10');
    expect(autoCloseDue(calendar, rigaNoon('2026-11-06'), rigaNoon('2026-11-10'), 2)).toBe(false);
    expect(autoCloseDue(calendar, rigaNoon('2026-11-06'), new Date('2026-11-10T21:59:00Z'), 2)).toBe(false);
    expect(autoCloseDue(calendar, rigaNoon('2026-11-06'), new Date('2026-11-10T22:00:00Z'), 2)).toBe(true);
  });

  it('skips the Proclamation Day holiday (18 November)', () => {
    // Monday 16 November 2026: Tue 17 counts, Wed 18 is a holiday, Thu 19 counts.
    expect(lastPendingDay(calendar, rigaNoon('2026-11-16'), 2)).toBe('2026-11-19');
    expect(autoCloseDue(calendar, rigaNoon('2026-11-16'), rigaNoon('2026-11-19'), 2)).toBe(false);
    expect(autoCloseDue(calendar, rigaNoon('2026-11-16'), rigaNoon('2026-11-20'), 2)).toBe(true);
  });

  it('skips Christmas, the holidays around it and the New Year', () => {
    // Tuesday 22 December 2026: Wed 23 counts; 24, 25, 26 (Sat) holidays; Mon 28, Tue 29, Wed 30 count; 31 Dec and 1 Jan are holidays.
    expect(lastPendingDay(calendar, rigaNoon('2026-12-22'), 4)).toBe('2026-12-30');
    expect(lastPendingDay(calendar, rigaNoon('2026-12-22'), 5)).toBe('2027-01-04');
  });

  it('uses the Riga date, not the UTC one, for the day the wait began', () => {
    // 23:30 Riga on Friday 6 November is still Friday there (21:30 UTC).
    expect(lastPendingDay(calendar, new Date('2026-11-06T21:30:00Z'), 1)).toBe('2026-11-09');
    // 00:30 Riga on Saturday 7 November is 22:30 UTC on Friday: the wait began on Saturday.
    expect(lastPendingDay(calendar, new Date('2026-11-06T22:30:00Z'), 1)).toBe('2026-11-09');
  });

  it('bounds the candidates by calendar days, never excluding a due ticket', () => {
    const now = rigaNoon('2026-11-20');
    for (let back = 0; back < 30; back++) {
      const since = new Date(now.getTime() - back * 86_400_000);
      if (autoCloseDue(calendar, since, now, 2)) expect(since.getTime()).toBeLessThanOrEqual(candidateBound(now, 2).getTime());
    }
  });

  it('writes the closing notice in the customer language, Latvian otherwise', () => {
    expect(closingNotice('en', 'VP-2026-000001', 10).text).toContain('reply to this message');
    expect(closingNotice('ru', 'VP-2026-000001', 10).subject).toContain('закрыто');
    expect(closingNotice('de', 'VP-2026-000001', 10).subject).toBe('Jūsu pieprasījums VP-2026-000001 ir slēgts');
  });
});

import { BusinessCalendar, LATVIA_KNOWN_ADJUSTMENTS, STANDARD_OFFICE_HOURS, WorkingHours } from '@lib/business-calendar';

const H = 3_600_000;
const M = 60_000;
const cal = new BusinessCalendar({ hours: STANDARD_OFFICE_HOURS, adjustments: LATVIA_KNOWN_ADJUSTMENTS });
const at = (iso: string) => new Date(iso);
const iso = (d: Date) => d.toISOString();
const span = (date: string, c = cal) => c.workingIntervals(date).map((i) => [iso(i.start), iso(i.end)]);

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('days', () => {
  it('treats holidays, substitutes and one-off holidays as holidays, transfers as days off only', () => {
    expect(cal.isHoliday('2025-05-05')).toBe(true); // 4 May 2025 was a Sunday
    expect(cal.isHoliday('2028-11-20')).toBe(true); // 18 Nov 2028 is a Saturday
    expect(cal.isHoliday('2023-05-29')).toBe(true);
    expect(cal.isHoliday('2023-07-10')).toBe(true); // festival closing day 9 Jul 2023 was a Sunday
    expect(cal.isHoliday('2026-01-02')).toBe(false);
    expect(cal.isWorkingDay('2026-01-02')).toBe(false);
    expect(cal.isWorkingDay('2026-06-22')).toBe(false);
  });

  it('works the transferred Saturdays of 2026', () => {
    expect(cal.isWorkingDay('2026-01-17')).toBe(true);
    expect(cal.isWorkingDay('2026-06-27')).toBe(true);
    expect(cal.isWorkingDay('2026-01-24')).toBe(false); // an ordinary Saturday
    // Each keeps the hours of the day it replaces: Friday 2 Jan, Monday 22 Jun.
    expect(span('2026-01-17')).toEqual([['2026-01-17T06:30:00.000Z', '2026-01-17T13:30:00.000Z']]);
    expect(span('2026-06-27')).toEqual([['2026-06-27T05:30:00.000Z', '2026-06-27T14:00:00.000Z']]);
  });

  it('has no hours on holidays, weekends and transferred days off', () => {
    for (const d of ['2026-01-01', '2026-01-02', '2026-04-03', '2026-04-06', '2026-06-22', '2026-06-23', '2026-01-03']) {
      expect(span(d)).toEqual([]);
    }
  });
});

describe('the day before a holiday is one hour shorter', () => {
  it.each([
    ['2025-12-30', '2025-12-30T06:30:00.000Z', '2025-12-30T14:00:00.000Z'], // Tue before 31 Dec
    ['2026-04-02', '2026-04-02T05:30:00.000Z', '2026-04-02T13:00:00.000Z'], // Thu before Good Friday (summer time)
    ['2026-04-30', '2026-04-30T05:30:00.000Z', '2026-04-30T13:00:00.000Z'], // Thu before 1 May
    ['2026-11-17', '2026-11-17T06:30:00.000Z', '2026-11-17T14:00:00.000Z'], // Tue before 18 Nov
    ['2026-12-23', '2026-12-23T06:30:00.000Z', '2026-12-23T14:00:00.000Z'], // Wed before 24 Dec
    ['2026-12-30', '2026-12-30T06:30:00.000Z', '2026-12-30T14:00:00.000Z'], // Wed before 31 Dec
    ['2028-11-17', '2028-11-17T06:30:00.000Z', '2028-11-17T12:30:00.000Z'], // Fri (08:30–15:30) before Sat 18 Nov
    ['2027-03-25', '2027-03-25T06:30:00.000Z', '2027-03-25T14:00:00.000Z'], // Thu before Good Friday (winter time)
  ])('%s', (date, start, end) => {
    expect(cal.isShortenedDay(date)).toBe(true);
    expect(span(date)).toEqual([[start, end]]);
  });

  it('is not applied before a day that is off only through a transfer', () => {
    expect(cal.isShortenedDay('2026-06-19')).toBe(false); // Fri; Mon 22 Jun is a transferred day off
    expect(span('2026-06-19')).toEqual([['2026-06-19T05:30:00.000Z', '2026-06-19T12:30:00.000Z']]);
  });

  it('is applied to a transferred working Saturday before a holiday', () => {
    // Hypothetical transfer: Saturday 4 Apr 2026 worked (for Tuesday 7 Apr) — Easter Sunday follows.
    const c = new BusinessCalendar({ adjustments: { transfers: [{ dayOff: '2026-04-07', workedOn: '2026-04-04' }] } });
    expect(c.isShortenedDay('2026-04-04')).toBe(true);
    expect(span('2026-04-04', c)).toEqual([['2026-04-04T05:30:00.000Z', '2026-04-04T13:00:00.000Z']]);
  });

  it('takes the hour from the end of the day, reaching into an earlier interval if needed', () => {
    const split: WorkingHours = {
      ...STANDARD_OFFICE_HOURS,
      thu: [
        ['09:00', '12:00'],
        ['13:00', '17:00'],
      ],
      wed: [
        ['09:00', '12:00'],
        ['16:30', '17:00'],
      ],
    };
    const c = new BusinessCalendar({ hours: split, adjustments: {} });
    expect(span('2026-04-02', c)).toEqual([
      ['2026-04-02T06:00:00.000Z', '2026-04-02T09:00:00.000Z'],
      ['2026-04-02T10:00:00.000Z', '2026-04-02T13:00:00.000Z'],
    ]);
    expect(span('2026-12-23', c)).toEqual([['2026-12-23T07:00:00.000Z', '2026-12-23T09:30:00.000Z']]);
  });
});

describe('working days per month in 2026', () => {
  /** Rules applied again, independently: Easter from a table, weekdays from Date, the list typed from the law. */
  function bruteForce(): number[] {
    const fixed = ['01-01', '05-01', '05-04', '06-23', '06-24', '11-18', '12-24', '12-25', '12-26', '12-31'];
    const easter = Date.UTC(2026, 3, 5);
    const dayMs = 86_400_000;
    const off = new Set(fixed.map((d) => `2026-${d}`));
    for (const delta of [-2, 0, 1, 49]) off.add(new Date(easter + delta * dayMs).toISOString().slice(0, 10));
    for (const d of ['2026-05-04', '2026-11-18']) {
      const wd = new Date(`${d}T00:00:00Z`).getUTCDay();
      if (wd === 6 || wd === 0) off.add(new Date(Date.parse(d) + (wd === 6 ? 2 : 1) * dayMs).toISOString().slice(0, 10));
    }
    const counts = new Array<number>(12).fill(0);
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += dayMs) {
      const date = new Date(t);
      const key = date.toISOString().slice(0, 10);
      const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6;
      const worked = key === '2026-01-17' || key === '2026-06-27';
      const transferredOff = key === '2026-01-02' || key === '2026-06-22';
      if ((worked || !weekend) && !off.has(key) && !transferredOff) counts[date.getUTCMonth()]++;
    }
    return counts;
  }

  it('matches the brute-force count', () => {
    const actual = Array.from({ length: 12 }, (_, m) => {
      let n = 0;
      for (let d = 1; d <= 31; d++) {
        const date = `2026-${String(m + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        if (!Number.isNaN(Date.parse(date)) && new Date(date).getUTCMonth() === m && cal.isWorkingDay(date)) n++;
      }
      return n;
    });
    expect(actual).toEqual(bruteForce());
    // Two months counted on paper: January 22 weekdays −1 Jan −2 Jan +17 Jan; June 22 −22, 23, 24 Jun +27 Jun.
    expect(actual[0]).toBe(21);
    expect(actual[5]).toBe(20);
    expect(actual.reduce((a, b) => a + b)).toBe(250);
  });
});

describe('daylight saving time, 2026', () => {
  it('adds across the spring change (29 Mar) exactly', () => {
    const fri = at('2026-03-27T14:00:00+02:00'); // 1.5 h left on Friday (until 15:30)
    const end = cal.addBusinessTime(fri, 3 * H);
    expect(iso(end)).toBe(iso(at('2026-03-30T10:00:00+03:00')));
    expect(cal.businessTimeBetween(fri, end)).toBe(3 * H);
    expect(cal.businessTimeBetween(end, fri)).toBe(-3 * H);
  });

  it('adds across the autumn change (25 Oct) exactly', () => {
    const fri = at('2026-10-23T14:00:00.001+03:00');
    const end = cal.addBusinessTime(fri, 3 * H);
    expect(iso(end)).toBe(iso(at('2026-10-26T10:00:00.001+02:00')));
    expect(cal.businessTimeBetween(fri, end)).toBe(3 * H);
    expect(iso(cal.addBusinessTime(end, -3 * H))).toBe(iso(fri));
  });

  it('gives a round-the-clock Sunday 23 hours in March and 25 in October', () => {
    const allDay = new BusinessCalendar({ hours: { ...STANDARD_OFFICE_HOURS, sun: [['00:00', '24:00']] }, adjustments: {} });
    expect(span('2026-03-29', allDay)).toEqual([['2026-03-28T22:00:00.000Z', '2026-03-29T21:00:00.000Z']]);
    expect(span('2026-10-25', allDay)).toEqual([['2026-10-24T21:00:00.000Z', '2026-10-25T22:00:00.000Z']]);
    // Saturday 08:00 to Monday 08:00 local: only the Sunday counts.
    expect(allDay.businessTimeBetween(at('2026-03-28T08:00:00+02:00'), at('2026-03-30T08:00:00+03:00'))).toBe(23 * H);
    expect(allDay.businessTimeBetween(at('2026-10-24T08:00:00+03:00'), at('2026-10-26T08:00:00+02:00'))).toBe(25 * H);
    expect(iso(allDay.addBusinessTime(at('2026-10-25T00:00:00+03:00'), 24 * H))).toBe('2026-10-25T21:00:00.000Z'); // 23:00
    expect(allDay.isOpen(at('2026-10-25T03:30:00+02:00'))).toBe(true); // the repeated hour
  });
});

describe('addBusinessTime', () => {
  it('skips a weekend', () => {
    // Fri 9 Oct 2026 15:00 → 30 min left; Monday 12 Oct from 08:30.
    expect(iso(cal.addBusinessTime(at('2026-10-09T15:00:00+03:00'), 2 * H))).toBe(iso(at('2026-10-12T10:00:00+03:00')));
  });

  it('skips Easter, with the shortened Thursday before it', () => {
    // Thu 2 Apr 2026 closes at 16:00; Good Friday, the weekend and Easter Monday are closed.
    expect(iso(cal.addBusinessTime(at('2026-04-02T15:00:00+03:00'), 90 * M))).toBe(iso(at('2026-04-07T09:00:00+03:00')));
  });

  it('skips the transferred day off and works the transferred Saturday', () => {
    // Wed 31 Dec 2025 and Thu 1 Jan are holidays, Fri 2 Jan transferred; Mon 5 Jan opens 08:30.
    expect(iso(cal.addBusinessTime(at('2025-12-30T15:00:00+02:00'), 2 * H))).toBe(iso(at('2026-01-05T09:30:00+02:00')));
    // Fri 16 Jan 15:00 → 30 min left; Saturday 17 Jan is worked with Friday hours from 08:30.
    expect(iso(cal.addBusinessTime(at('2026-01-16T15:00:00+02:00'), H))).toBe(iso(at('2026-01-17T09:00:00+02:00')));
  });

  it('ends exactly at a closing time rather than at the next opening', () => {
    expect(iso(cal.addBusinessTime(at('2026-10-09T15:00:00+03:00'), 30 * M))).toBe(iso(at('2026-10-09T15:30:00+03:00')));
  });

  it('starts counting at the next opening when called while closed', () => {
    expect(iso(cal.addBusinessTime(at('2026-10-10T12:00:00+03:00'), H))).toBe(iso(at('2026-10-12T09:30:00+03:00')));
  });

  it('returns the start for zero and rejects non-finite durations', () => {
    expect(iso(cal.addBusinessTime(at('2026-10-10T12:00:00Z'), 0))).toBe('2026-10-10T12:00:00.000Z');
    expect(() => cal.addBusinessTime(at('2026-10-10T12:00:00Z'), NaN)).toThrow(RangeError);
  });
});

describe('businessTimeBetween and addBusinessTime agree', () => {
  const rand = mulberry32(20260329);
  const from = Date.parse('2025-01-01T00:00:00Z');
  const to = Date.parse('2028-12-31T00:00:00Z');
  const cases = Array.from({ length: 400 }, () => ({
    a: new Date(from + Math.floor(rand() * (to - from))),
    ms: Math.floor(rand() * 300 * H) + 1,
  }));

  it('between(a, add(a, ms)) === ms, and backwards too', () => {
    for (const { a, ms } of cases) {
      const b = cal.addBusinessTime(a, ms);
      expect(cal.businessTimeBetween(a, b)).toBe(ms);
      expect(cal.businessTimeBetween(b, a)).toBe(-ms);
      const back = cal.addBusinessTime(a, -ms);
      expect(cal.businessTimeBetween(back, a)).toBe(ms);
    }
  });

  it('add(a, between(a, b)) === b whenever b is during working hours', () => {
    let checked = 0;
    for (let i = 0; i + 1 < cases.length; i += 2) {
      const [x, y] = [cases[i].a, cases[i + 1].a].sort((p, q) => p.getTime() - q.getTime());
      // Strictly inside an interval: an opening instant is, by definition, reached as the previous closing time.
      const b = new Date(cal.nextOpening(y).getTime() + 1);
      if (!cal.isOpen(b)) continue;
      expect(iso(cal.addBusinessTime(x, cal.businessTimeBetween(x, b)))).toBe(iso(b));
      checked++;
    }
    expect(checked).toBeGreaterThan(195);
  });
});

describe('isOpen and nextOpening', () => {
  it('is open from the opening instant up to, not including, the closing instant', () => {
    expect(cal.isOpen(at('2026-10-12T08:29:59.999+03:00'))).toBe(false);
    expect(cal.isOpen(at('2026-10-12T08:30:00+03:00'))).toBe(true);
    expect(cal.isOpen(at('2026-10-12T16:59:59.999+03:00'))).toBe(true);
    expect(cal.isOpen(at('2026-10-12T17:00:00+03:00'))).toBe(false);
    expect(cal.isOpen(at('2026-11-18T10:00:00+02:00'))).toBe(false);
  });

  it('returns the instant itself when open', () => {
    expect(iso(cal.nextOpening(at('2026-10-12T12:34:56.789+03:00')))).toBe(iso(at('2026-10-12T12:34:56.789+03:00')));
  });

  it.each([
    ['before opening', '2026-10-12T07:00:00+03:00', '2026-10-12T08:30:00+03:00'],
    ['at closing', '2026-10-12T17:00:00+03:00', '2026-10-13T08:30:00+03:00'],
    ['Friday evening', '2026-10-09T18:00:00+03:00', '2026-10-12T08:30:00+03:00'],
    ['after the shortened 17 Nov, over 18 Nov', '2026-11-17T16:00:00+02:00', '2026-11-19T08:30:00+02:00'],
    ['over Christmas and New Year', '2026-12-23T16:30:00+02:00', '2026-12-28T08:30:00+02:00'],
    ['over the 2026 New Year transfer', '2025-12-30T23:00:00+02:00', '2026-01-05T08:30:00+02:00'],
    ['late evening, the Riga date already tomorrow in UTC terms', '2026-07-14T22:30:00Z', '2026-07-15T08:30:00+03:00'],
  ])('%s', (_, from, expected) => {
    expect(iso(cal.nextOpening(at(from)))).toBe(iso(at(expected)));
  });

  it('refuses to search for ever when there are no hours', () => {
    const never = new BusinessCalendar({
      hours: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
      adjustments: {},
    });
    expect(() => never.nextOpening(at('2026-01-01T00:00:00Z'))).toThrow(RangeError);
  });
});

describe('addWorkingDays', () => {
  it.each([
    ['2026-01-05', 10, '2026-01-17'], // 6–9, 12–16 Jan, then the worked Saturday 17 Jan is the 10th
    ['2025-12-29', 3, '2026-01-06'], // skips 31 Dec, 1 Jan, the transferred 2 Jan
    ['2026-03-30', 10, '2026-04-15'], // 31 Mar–2 Apr, then 7–10 and 13–15 Apr: Good Friday, Easter Monday skipped
    ['2026-06-19', 1, '2026-06-25'], // skips 22 (transfer), 23, 24 June
    ['2026-06-19', 2, '2026-06-26'],
    ['2026-06-26', 1, '2026-06-27'],
    ['2028-11-16', 2, '2028-11-21'], // 18 Nov Saturday → Monday 20 Nov off
    ['2026-10-10', 0, '2026-10-10'],
    ['2026-01-17', -10, '2026-01-05'],
    ['2026-04-07', -1, '2026-04-02'],
  ])('%s %+i → %s', (date, n, expected) => {
    expect(cal.addWorkingDays(date, n)).toBe(expected);
  });

  it('rejects bad input', () => {
    expect(() => cal.addWorkingDays('2026-02-30', 1)).toThrow(RangeError);
    expect(() => cal.addWorkingDays('2026-02-03', 1.5)).toThrow(RangeError);
  });
});

describe('working hours validation', () => {
  it.each([
    [[['17:00', '08:30']]],
    [
      [
        ['08:30', '12:00'],
        ['11:00', '17:00'],
      ],
    ],
    [[['8:30', '17:00']]],
    [[['08:60', '17:00']]],
    [[['08:00', '24:01']]],
  ])('rejects %j', (mon) => {
    expect(() => new BusinessCalendar({ hours: { ...STANDARD_OFFICE_HOURS, mon: mon as unknown as WorkingHours['mon'] } })).toThrow(
      RangeError,
    );
  });
});

describe('special hours for one date', () => {
  const special = new BusinessCalendar({
    hours: STANDARD_OFFICE_HOURS,
    adjustments: LATVIA_KNOWN_ADJUSTMENTS,
    specialHours: {
      '2026-11-18': [['10:00', '14:00']], // open on Proclamation Day
      '2026-11-20': [], // shut on a Friday
      '2026-12-23': [['08:30', '17:00']], // the full day before Christmas Eve, not one hour shorter
      '2026-11-21': [
        ['09:00', '12:00'],
        ['13:00', '15:00'],
      ], // an election Saturday
    },
  });

  it('replace the hours of a holiday, a working day or a weekend day, and nothing else', () => {
    expect(span('2026-11-18', special)).toEqual([['2026-11-18T08:00:00.000Z', '2026-11-18T12:00:00.000Z']]);
    expect(span('2026-11-20', special)).toEqual([]);
    expect(span('2026-11-21', special)).toEqual([
      ['2026-11-21T07:00:00.000Z', '2026-11-21T10:00:00.000Z'],
      ['2026-11-21T11:00:00.000Z', '2026-11-21T13:00:00.000Z'],
    ]);
    expect(span('2026-11-19', special)).toEqual(span('2026-11-19'));
    expect(special.isOpen(at('2026-11-18T09:00:00Z'))).toBe(true);
    expect(special.nextOpening(at('2026-11-19T16:00:00Z'))).toEqual(at('2026-11-21T07:00:00Z'));
  });

  it('are taken exactly, without the shorter day before a holiday', () => {
    expect(cal.isShortenedDay('2026-12-23')).toBe(true);
    expect(special.isShortenedDay('2026-12-23')).toBe(false);
    expect(span('2026-12-23', special)).toEqual([['2026-12-23T06:30:00.000Z', '2026-12-23T15:00:00.000Z']]);
  });

  it('leave working days for legal deadlines as they were', () => {
    expect(special.isHoliday('2026-11-18')).toBe(true);
    expect(special.isWorkingDay('2026-11-18')).toBe(false);
    expect(special.isWorkingDay('2026-11-20')).toBe(true);
    expect(special.addWorkingDays('2026-11-17', 1)).toBe(cal.addWorkingDays('2026-11-17', 1));
  });

  it('refuse a date that does not exist and hours that make no sense', () => {
    expect(() => new BusinessCalendar({ specialHours: { '2026-02-30': [] } })).toThrow(/2026-02-30 is not a date/);
    expect(() => new BusinessCalendar({ specialHours: { tomorrow: [] } })).toThrow(/not a date/);
    expect(() => new BusinessCalendar({ specialHours: { '2026-11-18': [['14:00', '10:00']] } })).toThrow(
      /2026-11-18: 14:00–10:00 is empty or reversed/,
    );
    expect(() => new BusinessCalendar({ specialHours: { '2026-11-18': [['10:00', '25:00']] } })).toThrow(/invalid time/);
  });
});

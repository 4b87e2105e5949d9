import { easterSunday, latvianHolidays, LATVIA_KNOWN_ADJUSTMENTS } from '@lib/business-calendar';

const weekdayOf = (date: string) => new Date(`${date}T12:00:00Z`).getUTCDay(); // 0 = Sunday, 6 = Saturday

describe('easterSunday', () => {
  it.each([
    [2020, '2020-04-12'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2028, '2028-04-16'],
    [2038, '2038-04-25'], // the latest possible date
    [2285, '2285-03-22'], // the earliest possible date
  ])('%i → %s', (year, date) => {
    expect(easterSunday(year)).toBe(date);
    expect(weekdayOf(date)).toBe(0);
  });
});

describe('latvianHolidays — every day off, 2025–2028', () => {
  // Written out by hand from the law and the Easter dates above, not generated.
  const expected: Record<number, string[]> = {
    2025: [
      '01-01',
      '04-18',
      '04-20',
      '04-21',
      '05-01',
      '05-04',
      '05-05',
      '06-08',
      '06-23',
      '06-24',
      '11-18',
      '12-24',
      '12-25',
      '12-26',
      '12-31',
    ],
    2026: ['01-01', '04-03', '04-05', '04-06', '05-01', '05-04', '05-24', '06-23', '06-24', '11-18', '12-24', '12-25', '12-26', '12-31'],
    2027: ['01-01', '03-26', '03-28', '03-29', '05-01', '05-04', '05-16', '06-23', '06-24', '11-18', '12-24', '12-25', '12-26', '12-31'],
    2028: [
      '01-01',
      '04-14',
      '04-16',
      '04-17',
      '05-01',
      '05-04',
      '06-04',
      '06-23',
      '06-24',
      '11-18',
      '11-20',
      '12-24',
      '12-25',
      '12-26',
      '12-31',
    ],
  };

  it.each(Object.entries(expected))('%s', (year, days) => {
    expect(latvianHolidays(Number(year)).map((h) => h.date)).toEqual(days.map((d) => `${year}-${d}`));
  });

  it('puts Good Friday, Easter Monday and Pentecost on the right weekdays', () => {
    for (const year of [2025, 2026, 2027, 2028]) {
      const byName = new Map(latvianHolidays(year).map((h) => [h.name, h.date]));
      expect(weekdayOf(byName.get('Lielā Piektdiena')!)).toBe(5);
      expect(weekdayOf(byName.get('Otrās Lieldienas')!)).toBe(1);
      expect(weekdayOf(byName.get('Vasarsvētki')!)).toBe(0);
    }
  });

  it('does not make Mother’s Day (second Sunday of May) a holiday', () => {
    expect(latvianHolidays(2026).map((h) => h.date)).not.toContain('2026-05-10');
  });

  describe('4 May / 18 November on a weekend → the next Monday is off', () => {
    it.each([
      // year, 4 May weekday, substitute, 18 Nov weekday, substitute
      [2025, 0, '2025-05-05', 2, null],
      [2026, 1, null, 3, null],
      [2027, 2, null, 4, null],
      [2028, 4, null, 6, '2028-11-20'],
      [2031, 0, '2031-05-05', 2, null],
      [2029, 5, null, 0, '2029-11-19'],
      [2030, 6, '2030-05-06', 1, null],
    ])('%i', (year, mayDay, maySub, novDay, novSub) => {
      expect(weekdayOf(`${year}-05-04`)).toBe(mayDay);
      expect(weekdayOf(`${year}-11-18`)).toBe(novDay);
      const substitutes = latvianHolidays(year)
        .filter((h) => h.kind === 'substitute')
        .map((h) => h.date);
      expect(substitutes).toEqual([maySub, novSub].filter(Boolean));
      for (const d of substitutes) expect(weekdayOf(d)).toBe(1);
    });
  });

  it('includes 2023’s one-off holiday and the festival closing day moved from Sunday to Monday', () => {
    const h2023 = latvianHolidays(2023);
    expect(h2023.find((h) => h.date === '2023-05-29')).toMatchObject({ kind: 'extra' });
    expect(h2023.find((h) => h.date === '2023-07-09')).toMatchObject({ kind: 'extra' });
    expect(h2023.find((h) => h.date === '2023-07-10')).toMatchObject({ kind: 'substitute' });
    // The hockey holiday has no weekend rule: nothing else in late May/early June besides Pentecost (28 May 2023).
    expect(h2023.filter((h) => h.date >= '2023-05-20' && h.date <= '2023-06-10').map((h) => h.date)).toEqual(['2023-05-28', '2023-05-29']);
  });

  it('moves a weekend festival day past a Monday that is already a holiday', () => {
    const dates = latvianHolidays(2026, {
      extraHolidays: [{ date: '2026-05-03', weekendMovesToNextWorkingDay: true }], // Sunday; Monday 4 May is a holiday
    }).map((h) => h.date);
    expect(dates.filter((d) => d >= '2026-05-01' && d <= '2026-05-10')).toEqual(['2026-05-01', '2026-05-03', '2026-05-04', '2026-05-05']);
  });

  it('accepts plain date strings as extra holidays and ignores other years’ entries', () => {
    const dates = latvianHolidays(2027, { extraHolidays: ['2027-09-01', '2026-09-01'] }).map((h) => h.date);
    expect(dates).toContain('2027-09-01');
    expect(dates).not.toContain('2026-09-01');
  });

  it('keeps transfers out of the holiday list', () => {
    expect(latvianHolidays(2026, LATVIA_KNOWN_ADJUSTMENTS).map((h) => h.date)).not.toContain('2026-01-02');
  });

  it.each([2019, 1999, 2026.5, 10_000])('refuses year %s', (year) => {
    expect(() => latvianHolidays(year)).toThrow(RangeError);
  });

  it('rejects malformed adjustment dates instead of rolling them over', () => {
    expect(() => latvianHolidays(2026, { extraHolidays: ['2026-02-30'] })).toThrow(RangeError);
    expect(() => latvianHolidays(2026, { extraHolidays: ['26-2-3'] })).toThrow(RangeError);
  });
});

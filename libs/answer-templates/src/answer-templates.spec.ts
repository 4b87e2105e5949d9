import { BusinessCalendar } from '@lib/business-calendar';
import { fillTemplate, formatAnswerDate, legalAnswerDate, templateProblems } from './answer-templates';

describe('answer templates', () => {
  it('accepts the known placeholders, with or without spaces inside the braces', () => {
    expect(
      templateProblems(
        'Labdien, {{customer.name}}! Jūsu pieteikums {{ ticket.reference }}; atbildēsim līdz {{ticket.answerDate}}. {{institution.contact}}',
      ),
    ).toEqual([]);
  });

  it('refuses a misspelt placeholder and an unclosed one', () => {
    expect(templateProblems('Dear {{custmer.name}}')).toEqual([
      expect.objectContaining({ code: 'unknownPlaceholder', message: expect.stringContaining('{{custmer.name}}') }),
    ]);
    expect(templateProblems('Dear {{customer.name}')).toEqual([expect.objectContaining({ code: 'unclosedPlaceholder' })]);
    expect(templateProblems('Dear {{}}')).toEqual([expect.objectContaining({ code: 'unknownPlaceholder' })]);
  });

  it('fills the values it has and names the ones it has not, leaving them in place', () => {
    expect(
      fillTemplate('Labdien, {{customer.name}}! {{ticket.reference}}', {
        'customer.name': 'Anna Bērziņa',
        'ticket.reference': 'VP-2026-000001',
      }),
    ).toEqual({
      text: 'Labdien, Anna Bērziņa! VP-2026-000001',
      missing: [],
    });
    expect(fillTemplate('Labdien, {{customer.name}}! {{customer.name}}', { 'customer.name': null })).toEqual({
      text: 'Labdien, {{customer.name}}! {{customer.name}}',
      missing: ['customer.name'],
    });
  });

  it('writes a date as each language writes it in a letter', () => {
    expect(formatAnswerDate('2026-12-03', 'lv')).toBe('2026. gada 3. decembris');
    expect(formatAnswerDate('2026-12-03', 'ru')).toBe('3 декабря 2026 г.');
    expect(formatAnswerDate('2026-12-03', 'en')).toBe('3 December 2026');
  });

  describe('the legal answer date', () => {
    const calendar = new BusinessCalendar();
    const working = (d: string) => calendar.isWorkingDay(d);
    it('is one month after receipt', () => expect(legalAnswerDate('2026-03-10', working)).toBe('2026-04-10'));
    it("is the month's last day when the month is shorter", () => expect(legalAnswerDate('2025-01-31', working)).toBe('2025-02-28'));
    it("moves on from a short month's last day when that is a Saturday", () =>
      expect(legalAnswerDate('2026-01-30', working)).toBe('2026-03-02'));
    it('moves past a weekend to Monday', () => expect(legalAnswerDate('2026-09-05', working)).toBe('2026-10-05'));
    it('moves past a public holiday', () => expect(legalAnswerDate('2026-04-04', working)).toBe('2026-05-05')); // 4 May is a holiday (Monday)
    it('moves past the year end', () => expect(legalAnswerDate('2026-11-25', working)).toBe('2026-12-28')); // 25–27 Dec Christmas and the weekend
  });
});

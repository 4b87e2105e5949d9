import { changedValues, checkChoices, checkValue, checkValues, CustomFieldRule, isCalendarDate } from './custom-fields';

const rule = (key: string, type: CustomFieldRule['type'], extra: Partial<CustomFieldRule> = {}): CustomFieldRule => ({
  key,
  type,
  choices: [],
  required: false,
  active: true,
  ...extra,
});

describe('custom field values', () => {
  const rules = [
    rule('caseNumber', 'text', { required: true }),
    rule('amount', 'number'),
    rule('decidedOn', 'date'),
    rule('outcome', 'choice', { choices: ['granted', 'refused'] }),
    rule('oldField', 'text', { active: false }),
  ];

  it('takes a value of each type as stored: text trimmed, a JSON number, a calendar date, a listed choice', () => {
    expect(checkValues(rules, { caseNumber: '  VSAA-17 ', amount: 12.5, decidedOn: '2026-02-28', outcome: 'granted' })).toEqual({
      values: { caseNumber: 'VSAA-17', amount: 12.5, decidedOn: '2026-02-28', outcome: 'granted' },
      problems: [],
    });
  });

  it('refuses each wrong value at its own field, with a code per reason', () => {
    const { problems } = checkValues(rules, {
      caseNumber: 17,
      amount: '12',
      decidedOn: '2026-02-30',
      outcome: 'maybe',
      nope: 'x',
      oldField: 'x',
    });
    expect(problems).toEqual([
      expect.objectContaining({ field: 'values.caseNumber', code: 'notText' }),
      expect.objectContaining({ field: 'values.amount', code: 'notNumber' }),
      expect.objectContaining({ field: 'values.decidedOn', code: 'notDate' }),
      expect.objectContaining({ field: 'values.outcome', code: 'notInChoices' }),
      expect.objectContaining({ field: 'values.nope', code: 'unknown' }),
      expect.objectContaining({ field: 'values.oldField', code: 'inactive' }),
    ]);
  });

  it('treats null and blank text as no value, and then names a required field that has none', () => {
    expect(checkValues(rules, { caseNumber: '   ', amount: null })).toEqual({
      values: {},
      problems: [expect.objectContaining({ field: 'values.caseNumber', code: 'required' })],
    });
    expect(checkValues(rules, {}).problems).toEqual([expect.objectContaining({ field: 'values.caseNumber', code: 'required' })]);
    // A switched-off required field is not asked for.
    expect(checkValues([rule('x', 'text', { required: true, active: false })], {})).toEqual({ values: {}, problems: [] });
  });

  it('refuses infinities, over-long text and dates in another form', () => {
    expect(checkValue(rule('n', 'number'), Number.POSITIVE_INFINITY)).toMatchObject({ code: 'notNumber' });
    expect(checkValue(rule('t', 'text'), 'x'.repeat(2001))).toMatchObject({ code: 'tooLong' });
    expect(checkValue(rule('d', 'date'), '28.02.2026')).toMatchObject({ code: 'notDate' });
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2027-02-29')).toBe(false);
  });
});

describe('custom field definitions', () => {
  it('wants choices for a choice field only, each once and without stray spaces', () => {
    expect(checkChoices('choice', ['a', 'b'])).toEqual([]);
    expect(checkChoices('choice', [])).toEqual([expect.objectContaining({ field: 'choices', code: 'required' })]);
    expect(checkChoices('choice', ['a', ' b', 'a'])).toEqual([
      expect.objectContaining({ field: 'choices[1]', code: 'blank' }),
      expect.objectContaining({ field: 'choices[2]', code: 'duplicate' }),
    ]);
    expect(checkChoices('text', ['a'])).toEqual([expect.objectContaining({ code: 'notAChoiceField' })]);
    expect(checkChoices('date', undefined)).toEqual([]);
  });
});

describe('changed values', () => {
  it('lists what was set, altered and cleared, by key', () => {
    expect(changedValues({ a: 1, b: 'x', c: 'same' }, { a: 2, c: 'same', d: '2026-01-01' })).toEqual([
      { key: 'a', from: 1, to: 2 },
      { key: 'b', from: 'x', to: null },
      { key: 'd', from: null, to: '2026-01-01' },
    ]);
  });
});

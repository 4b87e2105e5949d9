/**
 * Custom fields of an institution's tickets: what a value of each type may be, and how a ticket's whole set of
 * values is checked against the institution's definitions. Pure, so the API and its tests share one rule.
 */
export const CUSTOM_FIELD_TYPES = ['text', 'number', 'date', 'choice'] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

/** A value as stored and answered: text, a date (YYYY-MM-DD) and a choice as strings, a number as a number. */
export type CustomFieldValue = string | number;

export interface CustomFieldRule {
  key: string;
  type: CustomFieldType;
  choices: string[];
  required: boolean;
  active: boolean;
}

export interface CustomFieldProblem {
  field: string;
  code: string;
  message: string;
}

/** Keys go into URLs, exports' column names and integrations' payloads: lower camel case, as the API's own names. */
export const CUSTOM_FIELD_KEY = /^[a-z][a-zA-Z0-9]{0,47}$/;
export const CUSTOM_FIELD_KEY_MESSAGE = 'a key is a letter, then letters and digits (at most 48), e.g. caseNumber';
export const TEXT_MAX_LENGTH = 2000;
export const CHOICE_MAX_LENGTH = 100;
export const MAX_CHOICES = 100;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date written as YYYY-MM-DD (2026-02-30 is not one). */
export function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** One given value against its field's type: the value to store, or why not. Empty means "no value" and is handled by the caller. */
export function checkValue(rule: CustomFieldRule, raw: unknown): { value: CustomFieldValue } | { code: string; message: string } {
  switch (rule.type) {
    case 'text': {
      if (typeof raw !== 'string') return { code: 'notText', message: `${rule.key} takes text` };
      const text = raw.trim();
      if (text.length > TEXT_MAX_LENGTH) return { code: 'tooLong', message: `${rule.key} is at most ${TEXT_MAX_LENGTH} characters` };
      return { value: text };
    }
    case 'number':
      // A number in JSON, not "12" in a string: a client that sends text here is sending the wrong field.
      if (typeof raw !== 'number' || !Number.isFinite(raw)) return { code: 'notNumber', message: `${rule.key} takes a number` };
      return { value: raw };
    case 'date':
      if (typeof raw !== 'string' || !isCalendarDate(raw))
        return { code: 'notDate', message: `${rule.key} takes a date written as YYYY-MM-DD` };
      return { value: raw };
    case 'choice':
      if (typeof raw !== 'string') return { code: 'notChoice', message: `${rule.key} takes one of: ${rule.choices.join(', ')}` };
      if (!rule.choices.includes(raw))
        return { code: 'notInChoices', message: `${raw} is not one of ${rule.key}'s choices: ${rule.choices.join(', ')}` };
      return { value: raw };
  }
}

const isEmpty = (raw: unknown) => raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '');

/**
 * A ticket's whole set of values (`given`, by key) checked against its institution's fields. A key the institution
 * has no field for, or whose field is switched off, is refused; an empty value (null, '') clears the field; every
 * active required field must have a value. Answers the values to keep for the active fields, or the problems, each
 * at `values.<key>`.
 */
export function checkValues(
  rules: CustomFieldRule[],
  given: Record<string, unknown>,
): { values: Record<string, CustomFieldValue>; problems: CustomFieldProblem[] } {
  const values: Record<string, CustomFieldValue> = {};
  const problems: CustomFieldProblem[] = [];
  const byKey = new Map(rules.map((r) => [r.key, r]));
  for (const [key, raw] of Object.entries(given)) {
    const rule = byKey.get(key);
    const field = `values.${key}`;
    if (!rule) {
      problems.push({ field, code: 'unknown', message: `the ticket's institution has no field ${key}` });
      continue;
    }
    if (!rule.active) {
      problems.push({ field, code: 'inactive', message: `${key} is switched off and takes no values` });
      continue;
    }
    if (isEmpty(raw)) continue;
    const checked = checkValue(rule, raw);
    if ('value' in checked) values[key] = checked.value;
    else problems.push({ field, ...checked });
  }
  for (const rule of rules) {
    if (rule.active && rule.required && !(rule.key in values) && !problems.some((p) => p.field === `values.${rule.key}`)) {
      problems.push({ field: `values.${rule.key}`, code: 'required', message: `${rule.key} is required` });
    }
  }
  return { values, problems };
}

/** What a definition's choices must be for its type: a list for a choice field (each once), none for the others. */
export function checkChoices(type: CustomFieldType, choices: string[] | undefined, field = 'choices'): CustomFieldProblem[] {
  const list = choices ?? [];
  if (type !== 'choice')
    return list.length ? [{ field, code: 'notAChoiceField', message: `only a choice field has choices; this one is ${type}` }] : [];
  if (list.length === 0) return [{ field, code: 'required', message: 'a choice field needs at least one choice' }];
  if (list.length > MAX_CHOICES) return [{ field, code: 'tooMany', message: `at most ${MAX_CHOICES} choices` }];
  const problems: CustomFieldProblem[] = [];
  const seen = new Set<string>();
  list.forEach((c, i) => {
    if (c.trim() === '' || c !== c.trim())
      problems.push({ field: `${field}[${i}]`, code: 'blank', message: 'a choice is text without leading or trailing spaces' });
    else if (c.length > CHOICE_MAX_LENGTH)
      problems.push({ field: `${field}[${i}]`, code: 'tooLong', message: `a choice is at most ${CHOICE_MAX_LENGTH} characters` });
    else if (seen.has(c)) problems.push({ field: `${field}[${i}]`, code: 'duplicate', message: `${c} is given twice` });
    seen.add(c);
  });
  return problems;
}

/** Each field whose value a change sets, alters or clears, in key order: what the ticket's history shows. */
export function changedValues(
  before: Record<string, CustomFieldValue>,
  after: Record<string, CustomFieldValue>,
): Array<{ key: string; from: CustomFieldValue | null; to: CustomFieldValue | null }> {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.filter((k) => before[k] !== after[k]).map((k) => ({ key: k, from: before[k] ?? null, to: after[k] ?? null }));
}

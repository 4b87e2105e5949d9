/**
 * Canned answers are written once and sent many times: the parts that differ per ticket are placeholders,
 * `{{customer.name}}`, filled on use. Only the names below exist; a misspelt one is refused when the answer is
 * saved, so a citizen never receives "Dear {{custmer.name}}".
 */
export const PLACEHOLDERS = ['customer.name', 'ticket.reference', 'ticket.answerDate', 'institution.contact'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type AnswerLanguage = 'lv' | 'ru' | 'en';

/** `{{ name }}`: letters, digits, dots; spaces inside the braces are allowed. */
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

export interface TemplateProblem {
  /** What is wrong: a name that is not a placeholder, or braces that do not close. */
  code: 'unknownPlaceholder' | 'unclosedPlaceholder';
  message: string;
}

/** Every problem of a text, in order; empty when it may be saved. */
export function templateProblems(text: string): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(match[1])) {
      problems.push({
        code: 'unknownPlaceholder',
        message: `{{${match[1]}}} is not a placeholder; use one of ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
      });
    }
  }
  // What is left after the well-formed ones are taken out must have no braces pair started: "{{customer.name}".
  if (text.replace(PLACEHOLDER, '').includes('{{'))
    problems.push({ code: 'unclosedPlaceholder', message: 'a placeholder is opened with {{ and not closed with }}' });
  return problems;
}

export interface FilledTemplate {
  text: string;
  /** Placeholders this ticket has no value for; they are left in the text as written, for a person to fill. */
  missing: Placeholder[];
}

/** The text with every placeholder that has a value replaced by it. */
export function fillTemplate(text: string, values: Partial<Record<Placeholder, string | null>>): FilledTemplate {
  const missing = new Set<Placeholder>();
  const filled = text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name as Placeholder];
    if (value === undefined || value === null || value === '') {
      if ((PLACEHOLDERS as readonly string[]).includes(name)) missing.add(name as Placeholder);
      return whole;
    }
    return value;
  });
  return { text: filled, missing: [...missing] };
}

const LOCALES: Record<AnswerLanguage, string> = { lv: 'lv-LV', ru: 'ru-RU', en: 'en-GB' };

/** A date (YYYY-MM-DD) as a letter in that language writes it: "2026. gada 3. decembris", "3 декабря 2026 г.", "3 December 2026". */
export function formatAnswerDate(date: string, language: AnswerLanguage): string {
  return new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${date}T12:00:00Z`));
}

/**
 * The last day to answer a submission: one month after the day it was received (Iesniegumu likums, 5. pants),
 * the month's last day when it has no such date (31 January → 28/29 February), moved on to the next working day
 * when it falls on a day off (Administratīvā procesa likums, 41. pants).
 */
export function legalAnswerDate(receivedOn: string, isWorkingDay: (date: string) => boolean): string {
  const [year, month, day] = receivedOn.split('-').map(Number);
  const next = new Date(Date.UTC(year, month, 1)); // the first day of the following month
  const lastDay = new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 0)).getUTCDate();
  let due = new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth(), Math.min(day, lastDay)));
  for (let i = 0; i < 31 && !isWorkingDay(due.toISOString().slice(0, 10)); i++) due = new Date(due.getTime() + 86_400_000);
  return due.toISOString().slice(0, 10);
}

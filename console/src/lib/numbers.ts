const SPACES = /[ \u00a0\u202f]/;
const PLAIN = /^[-+]?\d+([.,]\d+)?$/;
const GROUPED = new RegExp(`^[-+]?\\d{1,3}(${SPACES.source}\\d{3})+([.,]\\d+)?$`);

/**
 * A number as a person in Latvia writes it: a decimal comma, and spaces between groups of thousands ("1 250,50"),
 * read as the same number as 1250.5. Anything else (a space inside a group, two separators) is not a number: null.
 */
export function parseNumber(typed: string): number | null {
  const text = typed.trim();
  if (!PLAIN.test(text) && !GROUPED.test(text)) return null;
  return Number(text.replace(new RegExp(SPACES.source, 'g'), '').replace(',', '.'));
}

/** A stored number the way the person's language writes it, so that what they see is what they would type. */
export const formatNumber = (value: number, lang: string) => (lang === 'lv' ? String(value).replace('.', ',') : String(value));

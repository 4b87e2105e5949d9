/**
 * Public ticket references such as VP-2026-000123: prefix, the year in Latvian time, and a number that starts
 * again every year. The number has at least six digits and grows beyond them rather than wrapping.
 */
const RIGA = 'Europe/Riga';
const yearFormat = new Intl.DateTimeFormat('en-GB', { timeZone: RIGA, year: 'numeric' });

export function referenceYear(at: Date): number {
  return Number(yearFormat.format(at));
}

export function formatReference(prefix: string, year: number, sequence: number): string {
  if (!/^[A-Z]{1,5}$/.test(prefix)) throw new RangeError(`invalid reference prefix: ${prefix}`);
  if (!Number.isInteger(year) || year < 2000 || year > 9999) throw new RangeError(`invalid reference year: ${year}`);
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new RangeError(`invalid reference sequence: ${sequence}`);
  return `${prefix}-${year}-${String(sequence).padStart(6, '0')}`;
}

export interface ParsedReference {
  prefix: string;
  year: number;
  sequence: number;
}

const REFERENCE = /^([A-Z]{1,5})-(\d{4})-(\d{6,15})$/;

/** Accepts what a person types: any case, surrounding spaces or brackets (as in an e-mail subject). */
export function parseReference(input: string): ParsedReference | null {
  const m = REFERENCE.exec(
    input
      .trim()
      .replace(/^\[|\]$/g, '')
      .toUpperCase(),
  );
  if (!m) return null;
  const sequence = Number(m[3]);
  if (sequence < 1) return null;
  return { prefix: m[1], year: Number(m[2]), sequence };
}

/** Finds the first reference with the given prefix in free text, e.g. "Re: [VP-2026-000123] Pabalsts". */
export function findReference(prefix: string, text: string): string | null {
  const re = new RegExp(`\\b${prefix}-(\\d{4})-(\\d{6,15})\\b`, 'i');
  const m = re.exec(text);
  return m ? `${prefix}-${m[1]}-${m[2]}` : null;
}

/** Name of the PostgreSQL sequence that numbers one year's tickets. */
export function referenceSequenceName(year: number): string {
  if (!Number.isInteger(year) || year < 2000 || year > 9999) throw new RangeError(`invalid reference year: ${year}`);
  return `ticket_reference_${year}`;
}

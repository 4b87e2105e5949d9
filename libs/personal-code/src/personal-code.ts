export type PersonalCodeForm = 'legacy' | 'new';

export type ParsedPersonalCode =
  { ok: true; normalized: string; form: PersonalCodeForm; birthDate?: string } | { ok: false; reason: string };

export interface PersonalCodeOptions {
  /** Injected so callers and tests get a deterministic "future date" rule. */
  now?: Date;
}

const CHECK_WEIGHTS = [1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;

/** Century digit (7th digit) of a legacy code → first year of that century. */
const CENTURY_BASE: Readonly<Record<string, number>> = { '0': 1800, '1': 1900, '2': 2000 };

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/**
 * Exported so tests and fixtures can build valid codes from the same rule the
 * validator enforces instead of hard-coding magic check digits.
 */
export function legacyCheckDigit(firstTenDigits: string): number {
  if (!/^\d{10}$/.test(firstTenDigits)) {
    throw new RangeError('legacyCheckDigit expects exactly 10 digits');
  }
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += CHECK_WEIGHTS[i] * Number(firstTenDigits[i]);
  // JS `%` keeps the dividend's sign; normalising guards against a negative result
  // should the weights or the constant ever change.
  const mod11 = (((1101 - sum) % 11) + 11) % 11;
  return mod11 % 10;
}

export function parsePersonalCode(input: string, options: PersonalCodeOptions = {}): ParsedPersonalCode {
  if (typeof input !== 'string') return { ok: false, reason: 'Personal code must be a string' };
  const trimmed = input.trim();
  if (trimmed === '') return { ok: false, reason: 'Personal code is empty' };
  if (!/^[\d-]+$/.test(trimmed)) {
    return { ok: false, reason: 'Personal code may contain only digits and an optional hyphen after the sixth digit' };
  }
  const hyphens = trimmed.split('-').length - 1;
  if (hyphens > 1 || (hyphens === 1 && trimmed.indexOf('-') !== 6)) {
    return { ok: false, reason: 'Hyphen is only allowed after the sixth digit (DDMMYY-NNNNN)' };
  }
  const digits = trimmed.replace('-', '');
  if (digits.length !== 11) {
    return { ok: false, reason: `Personal code must have 11 digits, got ${digits.length}` };
  }

  // Days 32–39 cannot exist, so "3" followed by 2–9 unambiguously marks the
  // date-less form; "30…"/"31…" are still legacy codes for the 30th/31st.
  if (/^3[2-9]/.test(digits)) return { ok: true, normalized: digits, form: 'new' };

  return parseLegacy(digits, options.now ?? new Date());
}

function parseLegacy(digits: string, now: Date): ParsedPersonalCode {
  const day = Number(digits.slice(0, 2));
  const month = Number(digits.slice(2, 4));
  const yy = Number(digits.slice(4, 6));
  const centuryDigit = digits[6];

  const centuryBase = CENTURY_BASE[centuryDigit];
  if (centuryBase === undefined) {
    return { ok: false, reason: `Invalid century digit ${centuryDigit} (7th digit must be 0, 1 or 2)` };
  }
  const year = centuryBase + yy;

  if (month < 1 || month > 12) {
    return { ok: false, reason: `Invalid birth date: month ${digits.slice(2, 4)} does not exist` };
  }
  const maxDay = daysInMonth(year, month);
  if (day < 1 || day > maxDay) {
    return {
      ok: false,
      reason: `Invalid birth date: ${MONTH_NAMES[month - 1]} ${year} has no day ${digits.slice(0, 2)}`,
    };
  }

  const expected = legacyCheckDigit(digits.slice(0, 10));
  if (Number(digits[10]) !== expected) {
    return { ok: false, reason: 'Check digit does not match (mistyped personal code?)' };
  }

  const birthDate = `${year}-${pad2(month)}-${pad2(day)}`;
  // Plain string comparison is correct because both sides are zero-padded ISO dates.
  if (birthDate > todayInLatvia(now)) {
    return { ok: false, reason: `Birth date ${birthDate} is in the future` };
  }

  return { ok: true, normalized: digits, form: 'legacy', birthDate };
}

export function isValidPersonalCode(input: string, options: PersonalCodeOptions = {}): boolean {
  return parsePersonalCode(input, options).ok;
}

export function normalizePersonalCode(input: string, options: PersonalCodeOptions = {}): string | null {
  const parsed = parsePersonalCode(input, options);
  return parsed.ok ? parsed.normalized : null;
}

/**
 * Masked values end up in logs and screens, so anything that is not a clean
 * 11-digit code is masked completely rather than risk echoing a mistyped code.
 */
export function maskPersonalCode(normalized: string): string {
  const digits = typeof normalized === 'string' ? normalized.trim().replace(/^(\d{6})-/, '$1') : '';
  if (!/^\d{11}$/.test(digits)) return '******-*****';
  return `${digits.slice(0, 6)}-*****`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * Codes are issued by the Latvian register, so "today" is the Riga calendar
 * day; using the server's zone (often UTC) would reject a newborn's code for
 * up to three hours after midnight.
 */
/** Built once: a new Intl.DateTimeFormat costs ~200 µs, two of them were a tenth of the API's CPU per submission. */
const RIGA_DATE = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Riga', year: 'numeric', month: '2-digit', day: '2-digit' });

/**
 * The day of the last minute asked about: formatting still cost ~15 µs, twice per submission. Riga's offset is
 * whole hours, so its day changes on a minute boundary and the day of any instant in a minute is the day of all.
 */
let lastDay: { minute: number; day: string } | null = null;

export function todayInLatvia(now: Date): string {
  const minute = Math.floor(now.getTime() / 60_000);
  if (lastDay?.minute === minute) return lastDay.day;
  const parts = RIGA_DATE.formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = `${get('year')}-${get('month')}-${get('day')}`;
  lastDay = { minute, day };
  return day;
}

/**
 * Personal data out of free text and out of contact values, for logs and for people who do not work cases.
 */

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// Latvian personas kods, old (DDMMYY-XNNNN) and new (32XXXX-XXXXX) form, with or without the dash.
const PERSONAL_CODE = /(?<![\d+-])\d{6}-?\d{5}(?![\d-])/g;
// International numbers (+371 2000 0000, 00371…), and bare Latvian 8-digit numbers (mobile 2…, landline 6…).
const PHONE_INTERNATIONAL = /(?<![\w+])(?:\+|00)\d(?:[ ()-]?\d){6,15}(?!\d)/g;
const PHONE_LATVIAN = /(?<![\w.:-])[26]\d{7}(?![\w-])/g;

/** Free text with every e-mail address, personas kods and phone number replaced by what it was. */
export function maskFreeText(text: string): string {
  if (!text) return text;
  return text
    .replace(EMAIL, '[e-mail]')
    .replace(PHONE_INTERNATIONAL, '[phone]')
    .replace(PERSONAL_CODE, '[personas kods]')
    .replace(PHONE_LATVIAN, '[phone]');
}

/**
 * A copy of a log record's values with free text masked: strings anywhere in it, errors' messages and stacks
 * (as errors of the same class, so serializers still recognise them). Bounded, for records built from anything.
 */
export function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskFreeText(value);
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (Buffer.isBuffer(value) || value instanceof Date) return value;
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => maskDeep(v, depth + 1));
  if (value instanceof Error) {
    const copy = Object.create(Object.getPrototypeOf(value)) as Error & Record<string, unknown>;
    for (const [k, v] of Object.entries(value)) copy[k] = maskDeep(v, depth + 1);
    Object.defineProperty(copy, 'message', { value: maskFreeText(value.message), enumerable: false, writable: true, configurable: true });
    Object.defineProperty(copy, 'stack', {
      value: value.stack ? maskFreeText(value.stack) : value.stack,
      enumerable: false,
      writable: true,
      configurable: true,
    });
    if ((value as { cause?: unknown }).cause !== undefined) copy.cause = maskDeep((value as { cause?: unknown }).cause, depth + 1);
    return copy;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = maskDeep(v, depth + 1);
  return out;
}

/** j***@example.lv: the domain says enough to tell two addresses apart on a screen. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/** +371 2*****34: the country and the last two digits, as a bank statement shows a card. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 5) return '***';
  const plus = phone.trim().startsWith('+') ? '+' : '';
  const country = plus && digits.startsWith('371') ? '371 ' : '';
  const rest = country ? digits.slice(3) : digits;
  return `${plus}${country}${rest[0]}${'*'.repeat(Math.max(rest.length - 3, 1))}${rest.slice(-2)}`;
}

/**
 * A contact value as stored (an identifier's kind, or a message's channel address such as whatsapp:+371…,
 * an e-mail address, a phone number) masked when it is an e-mail address or a phone number; anything else
 * (a Messenger id) is returned as it is.
 */
export function maskContact(kind: string, value: string): string {
  if (kind === 'email') return maskEmail(value);
  if (kind === 'phone') return maskPhone(value);
  const prefixed = /^([a-z]+):(.*)$/.exec(value);
  if (prefixed && /^\+?\d[\d ]{5,}$/.test(prefixed[2])) return `${prefixed[1]}:${maskPhone(prefixed[2])}`;
  if (value.includes('@')) return maskEmail(value);
  if (/^\+?\d[\d ()-]{5,}$/.test(value)) return maskPhone(value);
  return value;
}

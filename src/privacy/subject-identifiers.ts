import { isValidPersonalCode, normalizePersonalCode } from '@lib/personal-code';

export const SUBJECT_IDENTIFIER_KINDS = ['personal_code', 'email', 'phone'] as const;
export type SubjectIdentifierKind = (typeof SUBJECT_IDENTIFIER_KINDS)[number];
export interface SubjectIdentifier {
  kind: SubjectIdentifierKind;
  value: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * An identifier as a person or the DPO writes it, in the form ingest stores it (customer_identifiers and
 * ticket_contacts): personas kods as 11 digits, e-mail lower-case, phone E.164. Null when it cannot be one.
 * A phone may come as `+371 2000 0000`, `00371…` or a bare Latvian 8-digit number (2… mobile, 6… landline), since
 * that is how people say their number; stored numbers are always E.164.
 */
export function normalizeSubjectIdentifier(kind: SubjectIdentifierKind, raw: string): string | null {
  const value = raw.trim();
  if (kind === 'personal_code') return isValidPersonalCode(value) ? normalizePersonalCode(value) : null;
  if (kind === 'email') {
    const email = value.toLowerCase();
    return EMAIL.test(email) && email.length <= 320 ? email : null;
  }
  let phone = value.replace(/[\s().-]/g, '');
  if (phone.startsWith('00')) phone = `+${phone.slice(2)}`;
  if (/^[26]\d{7}$/.test(phone)) phone = `+371${phone}`;
  return E164.test(phone) ? phone : null;
}

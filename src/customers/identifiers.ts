import { normalizePersonalCode } from '@lib/personal-code';
import type { IdentifierKind } from './entities/customer-identifier.entity';

/** The identifiers a person gave, normalised the way customer_identifiers stores them. Input is already validated. */
export function customerIdentifiers(person: { personalCode?: string; email?: string; phone?: string }): Array<{ kind: IdentifierKind; value: string }> {
  const identifiers: Array<{ kind: IdentifierKind; value: string }> = [];
  if (person.personalCode) identifiers.push({ kind: 'personal_code', value: normalizePersonalCode(person.personalCode)! });
  if (person.email) identifiers.push({ kind: 'email', value: person.email.trim().toLowerCase() });
  if (person.phone) identifiers.push({ kind: 'phone', value: person.phone });
  return identifiers;
}

import { normalizePersonalCode } from '@lib/personal-code';
import type { ContactIdentifier, Provenance } from './customer-matching';

/**
 * The identifiers a person gave, normalised the way customer_identifiers stores them. Input is already validated.
 * `personalCode` may carry a stronger provenance than the rest (the portal verified it; the person typed the others).
 */
export function customerIdentifiers(
  person: { personalCode?: string; email?: string; phone?: string },
  provenance: Provenance | { personalCode: Provenance; others: Provenance },
): ContactIdentifier[] {
  const of = typeof provenance === 'string' ? { personalCode: provenance, others: provenance } : provenance;
  const identifiers: ContactIdentifier[] = [];
  if (person.personalCode)
    identifiers.push({ kind: 'personal_code', value: normalizePersonalCode(person.personalCode)!, provenance: of.personalCode });
  if (person.email) identifiers.push({ kind: 'email', value: person.email.trim().toLowerCase(), provenance: of.others });
  if (person.phone) identifiers.push({ kind: 'phone', value: person.phone, provenance: of.others });
  return identifiers;
}

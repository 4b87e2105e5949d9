import type { IdentifierKind } from './entities/customer-identifier.entity';

/**
 * Where an identifier came from, which decides what it may prove:
 * - `portal`: Latvija.lv signed the person in with an eID means and vouches for it (a personas kods).
 * - `staff`: typed by a member of staff who served the person (at a counter, on a direct line).
 * - `channel`: the contact came from it (an e-mail's From address, the caller's number, a platform's sender id,
 *   a chat session): the channel answers to it, though a sender can be forged.
 * - `citizen`: given by the person in a form or a chat and checked by nobody.
 */
export const PROVENANCES = ['portal', 'staff', 'channel', 'citizen'] as const;
export type Provenance = (typeof PROVENANCES)[number];

/** Identifiers that name one person for certain, once someone has verified them. */
export const STRONG_KINDS: ReadonlySet<IdentifierKind> = new Set<IdentifierKind>(['personal_code', 'e_address', 'latvija_lv']);
const VERIFYING: ReadonlySet<Provenance> = new Set<Provenance>(['portal', 'staff']);
const RANK: Record<Provenance, number> = { citizen: 0, channel: 1, staff: 2, portal: 3 };

export interface ContactIdentifier {
  kind: IdentifierKind;
  value: string;
  provenance: Provenance;
}

/** An identifier already on a customer record. */
export interface KnownIdentifier extends ContactIdentifier {
  customerId: string;
}

export const identifierKey = (i: { kind: string; value: string }) => `${i.kind}\u001f${i.value}`;

export const strongerProvenance = (a: Provenance, b: Provenance): Provenance => (RANK[a] >= RANK[b] ? a : b);

/** A verified strong identifier: the only thing that may join a contact to a record that holds one. */
export const isVerifiedStrong = (i: ContactIdentifier) => STRONG_KINDS.has(i.kind) && VERIFYING.has(i.provenance);

export interface MatchDecision {
  /** The existing record this contact is joined to, or null for a new record. */
  customerId: string | null;
  /** How the record was found. */
  matchedBy: ContactIdentifier | null;
  /** Identifiers nobody holds yet: they become the contact's record's. */
  add: ContactIdentifier[];
  /** Verified identifiers another record holds only unverified (typed in a form): the verified person takes them. */
  claim: ContactIdentifier[];
  /** Identifiers the record already holds, seen now with a stronger provenance. */
  upgrade: ContactIdentifier[];
}

export interface MatchFacts {
  known: ReadonlyMap<string, KnownIdentifier>;
  /** Records that hold a verified strong identifier. */
  verifiedStrong: ReadonlySet<string>;
  /** A member of staff with a limited scope logged the contact: only these records may be joined. */
  linkable?: (customerId: string) => boolean;
}

/**
 * Which customer record a contact belongs to. A contact is joined to an existing record only on proof, never on
 * a coincidence of details anyone could type:
 * 1. a verified strong identifier (a personas kods from the portal or typed by staff) joins the record holding it;
 * 2. otherwise an identifier the channel proves (the sender's address) joins its record, unless that record holds
 *    a verified strong identifier: a phone number or a social id is no proof of being that person;
 * 3. an identifier the person merely gave (typed in a form or a chat) never joins anything.
 * A contact adds identifiers only to a record it was proved to own (or a new one), and never takes one from
 * another record, except a verified identifier from a record that holds it unverified.
 */
export function matchCustomer(contact: ContactIdentifier[], facts: MatchFacts): MatchDecision {
  const linkable = facts.linkable ?? (() => true);
  const ids = dedupe(contact);
  let customerId: string | null = null;
  let matchedBy: ContactIdentifier | null = null;
  const claim: ContactIdentifier[] = [];

  for (const id of ids.filter(isVerifiedStrong)) {
    const held = facts.known.get(identifierKey(id));
    if (!held) continue;
    if (VERIFYING.has(held.provenance)) {
      if (customerId === null && linkable(held.customerId)) {
        customerId = held.customerId;
        matchedBy = id;
      }
    } else if (linkable(held.customerId)) {
      claim.push(id);
    }
  }
  const provedStrong = ids.some(isVerifiedStrong);
  if (customerId === null && !provedStrong) {
    for (const id of ids.filter((i) => i.provenance === 'channel')) {
      const held = facts.known.get(identifierKey(id));
      if (held && !facts.verifiedStrong.has(held.customerId) && linkable(held.customerId)) {
        customerId = held.customerId;
        matchedBy = id;
        break;
      }
    }
  }
  // A claim moves an identifier to the record this contact ends up with, so it only makes sense for a new record
  // or one proved by another verified identifier.
  const add = ids.filter((i) => !facts.known.has(identifierKey(i)));
  const upgrade = ids.filter((i) => {
    const held = facts.known.get(identifierKey(i));
    return held !== undefined && customerId !== null && held.customerId === customerId && RANK[i.provenance] > RANK[held.provenance];
  });
  return { customerId, matchedBy, add, claim: claim.filter((c) => facts.known.get(identifierKey(c))?.customerId !== customerId), upgrade };
}

/** One entry per identifier, with the strongest provenance it came with. */
function dedupe(contact: ContactIdentifier[]): ContactIdentifier[] {
  const byKey = new Map<string, ContactIdentifier>();
  for (const id of contact) {
    const k = identifierKey(id);
    const seen = byKey.get(k);
    byKey.set(k, seen ? { ...seen, provenance: strongerProvenance(seen.provenance, id.provenance) } : id);
  }
  return [...byKey.values()];
}

import type { EntityManager } from 'typeorm';
import type { SubjectIdentifier } from './subject-identifiers';

export interface FoundSubject {
  customerIds: string[];
  ticketIds: string[];
}

/**
 * Everything held about the person the identifiers name: the customer records holding one of them
 * (customer_identifiers) and the tickets of those records, plus every ticket whose own contact gave one of them
 * (ticket_contacts), whichever record it ended on.
 *
 * A record or ticket that carries a personas kods belongs to that personas kods's person, so only a request that
 * names that code reaches it: a phone line a household shares, or an e-mail address someone else typed into a form,
 * never pulls in another person who proved who they are. A record found only through a ticket is the person's
 * when it carries no other personas kods either.
 */
export async function findSubject(m: EntityManager, identifiers: SubjectIdentifier[]): Promise<FoundSubject> {
  // Each check for another personas kods looks only at the records and tickets found (by their indexes), never
  // through every personas kods held: the lookup costs the same for a person among two million.
  const rows: Array<{ kind: 'customer' | 'ticket'; id: string }> = await m.query(
    `WITH given AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS g(kind text, value text)),
          direct AS (
            SELECT DISTINCT ci.customer_id FROM customer_identifiers ci JOIN given g ON g.kind = ci.kind AND g.value = ci.value
          ),
          found AS (
            SELECT t.id, t.customer_id FROM tickets t WHERE t.customer_id IN (SELECT customer_id FROM direct)
            UNION
            SELECT t.id, t.customer_id FROM ticket_contacts tc
            JOIN given g ON g.kind = tc.kind AND g.value = tc.value
            JOIN tickets t ON t.id = tc.ticket_id
          ),
          customers_of_person AS (
            SELECT c.id FROM (SELECT customer_id AS id FROM direct UNION SELECT customer_id FROM found WHERE customer_id IS NOT NULL) c
            WHERE NOT EXISTS (SELECT 1 FROM customer_identifiers o WHERE o.customer_id = c.id AND o.kind = 'personal_code' AND o.value <> ALL($2::text[]))
          ),
          tickets_of_person AS (
            SELECT f.id FROM found f
            WHERE (f.customer_id IS NULL OR f.customer_id IN (SELECT id FROM customers_of_person))
              AND NOT EXISTS (SELECT 1 FROM ticket_contacts o WHERE o.ticket_id = f.id AND o.kind = 'personal_code' AND o.value <> ALL($2::text[]))
          )
     SELECT 'customer' AS kind, id::text AS id FROM customers_of_person
     UNION SELECT 'ticket', id::text FROM tickets_of_person`,
    [JSON.stringify(identifiers), identifiers.filter((i) => i.kind === 'personal_code').map((i) => i.value)],
  );
  return {
    customerIds: rows
      .filter((r) => r.kind === 'customer')
      .map((r) => r.id)
      .sort(),
    ticketIds: rows
      .filter((r) => r.kind === 'ticket')
      .map((r) => r.id)
      .sort(),
  };
}

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
  const rows: Array<{ kind: 'customer' | 'ticket'; id: string }> = await m.query(
    `WITH given AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS g(kind text, value text)),
          codes AS (SELECT value FROM given WHERE kind = 'personal_code'),
          someone_else AS (
            SELECT DISTINCT o.customer_id FROM customer_identifiers o
            WHERE o.kind = 'personal_code' AND o.value NOT IN (SELECT value FROM codes)
          ),
          direct AS (
            SELECT DISTINCT ci.customer_id FROM customer_identifiers ci JOIN given g ON g.kind = ci.kind AND g.value = ci.value
            WHERE ci.customer_id NOT IN (SELECT customer_id FROM someone_else)
          ),
          found AS (
            SELECT t.id, t.customer_id FROM tickets t WHERE t.customer_id IN (SELECT customer_id FROM direct)
            UNION
            SELECT t.id, t.customer_id FROM ticket_contacts tc
            JOIN given g ON g.kind = tc.kind AND g.value = tc.value
            JOIN tickets t ON t.id = tc.ticket_id
          ),
          tickets_of_person AS (
            SELECT f.id, f.customer_id FROM found f
            WHERE (f.customer_id IS NULL OR f.customer_id NOT IN (SELECT customer_id FROM someone_else))
              AND NOT EXISTS (SELECT 1 FROM ticket_contacts o WHERE o.ticket_id = f.id AND o.kind = 'personal_code' AND o.value NOT IN (SELECT value FROM codes))
          )
     SELECT 'customer' AS kind, customer_id::text AS id FROM direct
     UNION SELECT 'customer', customer_id::text FROM tickets_of_person WHERE customer_id IS NOT NULL
     UNION SELECT 'ticket', id::text FROM tickets_of_person`,
    [JSON.stringify(identifiers)],
  );
  return {
    customerIds: rows.filter((r) => r.kind === 'customer').map((r) => r.id).sort(),
    ticketIds: rows.filter((r) => r.kind === 'ticket').map((r) => r.id).sort(),
  };
}

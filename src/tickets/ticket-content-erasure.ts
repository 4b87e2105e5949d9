import type { EntityManager } from 'typeorm';

/** Keys of a message's meta that say what it was, never who sent it; reports and CSAT read them. */
const NEUTRAL_META_KEYS = ['kind', 'location', 'callSid', 'platform', 'form', 'replyTo', 'mailbox'];

/**
 * Blanks what tickets say (their subjects, messages, files, the summaries of their moves, their contacts) while
 * keeping them and their messages as counted facts, and marks them erased (`content_erased_at`), in the caller's
 * transaction, so the mark is never seen without the blanking. The tickets module owns these tables; erasure and
 * retention (src/privacy) call this rather than writing them. A second run changes nothing.
 */
export async function eraseTicketContent(m: EntityManager, ticketIds: string[]): Promise<Record<string, number>> {
  const count = async (sql: string, params: unknown[]) => (await m.query<[unknown, number]>(sql, params))[1];
  const t = ticketIds;
  const changed: Record<string, number> = {};
  changed.files = await count(
    `DELETE FROM attachments WHERE message_id IN (SELECT id FROM messages WHERE ticket_id = ANY($1::uuid[]))
        OR inbound_event_id IN (SELECT id FROM inbound_events WHERE ticket_id = ANY($1::uuid[]))`,
    [t],
  );
  // Most messages' meta holds only neutral keys: it is kept as it is rather than taken apart and rebuilt per row.
  changed.messages = await count(
    `UPDATE messages SET text = '', html = NULL, subject = NULL, address = NULL, delivery_error = NULL,
            meta = CASE WHEN meta - $2::text[] = '{}'::jsonb THEN meta
                        ELSE (SELECT coalesce(jsonb_object_agg(k, v), '{}'::jsonb) FROM jsonb_each(meta) AS e(k, v) WHERE k = ANY($2::text[])) END
     WHERE ticket_id = ANY($1::uuid[]) AND (text <> '' OR html IS NOT NULL OR subject IS NOT NULL OR address IS NOT NULL OR meta - $2::text[] <> '{}'::jsonb)`,
    [t, NEUTRAL_META_KEYS],
  );
  // Blanked and marked in one UPDATE: each is a new version of a row with many indexes, so one rather than two
  // halves the ticket writes of a retention run. `changed.tickets` still counts the tickets that had content.
  const [blanked]: [Array<{ had: boolean }>, number] = await m.query(
    `WITH old AS (
       SELECT id, (subject IS NOT NULL OR origin_address IS NOT NULL OR csat_comment IS NOT NULL) AS had FROM tickets WHERE id = ANY($1::uuid[]))
     UPDATE tickets t SET subject = NULL, origin_address = NULL, csat_comment = NULL, content_erased_at = coalesce(t.content_erased_at, now())
     FROM old WHERE t.id = old.id AND (old.had OR t.content_erased_at IS NULL)
     RETURNING old.had`,
    [t],
  );
  changed.tickets = blanked.filter((r) => r.had).length;
  changed.ticketContacts = await count(`DELETE FROM ticket_contacts WHERE ticket_id = ANY($1::uuid[])`, [t]);
  changed.escalations = await count(
    `UPDATE escalations SET summary = NULL, comment = NULL WHERE ticket_id = ANY($1::uuid[]) AND (summary IS NOT NULL OR comment IS NOT NULL)`,
    [t],
  );
  return changed;
}

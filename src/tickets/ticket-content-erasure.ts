import type { EntityManager } from 'typeorm';

/** Keys of a message's meta that say what it was, never who sent it; reports and CSAT read them. */
const NEUTRAL_META_KEYS = ['kind', 'location', 'callSid', 'platform', 'form', 'replyTo', 'mailbox'];

/**
 * Blanks what tickets say (their subjects, messages, files, the summaries of their moves, their contacts) while
 * keeping them and their messages as counted facts, in the caller's transaction. The tickets module owns these
 * tables; erasure and retention (src/privacy) call this rather than writing them. A second run changes nothing.
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
  changed.messages = await count(
    `UPDATE messages SET text = '', html = NULL, subject = NULL, address = NULL, delivery_error = NULL,
            meta = (SELECT coalesce(jsonb_object_agg(k, v), '{}'::jsonb) FROM jsonb_each(meta) AS e(k, v) WHERE k = ANY($2::text[]))
     WHERE ticket_id = ANY($1::uuid[]) AND (text <> '' OR html IS NOT NULL OR subject IS NOT NULL OR address IS NOT NULL OR meta - $2::text[] <> '{}'::jsonb)`,
    [t, NEUTRAL_META_KEYS],
  );
  changed.tickets = await count(
    `UPDATE tickets SET subject = NULL, origin_address = NULL, csat_comment = NULL
     WHERE id = ANY($1::uuid[]) AND (subject IS NOT NULL OR origin_address IS NOT NULL OR csat_comment IS NOT NULL)`,
    [t],
  );
  changed.ticketContacts = await count(`DELETE FROM ticket_contacts WHERE ticket_id = ANY($1::uuid[])`, [t]);
  changed.escalations = await count(
    `UPDATE escalations SET summary = NULL, comment = NULL WHERE ticket_id = ANY($1::uuid[]) AND (summary IS NOT NULL OR comment IS NOT NULL)`,
    [t],
  );
  return changed;
}

/** Records that the tickets' content is gone (the last step, so a ticket half-way through is never marked). */
export async function markTicketContentErased(m: EntityManager, ticketIds: string[]): Promise<void> {
  await m.query(`UPDATE tickets SET content_erased_at = now() WHERE id = ANY($1::uuid[]) AND content_erased_at IS NULL`, [ticketIds]);
}

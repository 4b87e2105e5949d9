import type { DataSource, EntityManager } from 'typeorm';

/**
 * Where a message to a ticket's customer goes unless the operator chooses another address: the ticket's own
 * contact, never an address the customer record gathered from other contacts. That is where they last wrote from
 * on the channel, else the address of that kind given with the ticket (a web form's or a chat's e-mail), the most
 * trusted first.
 */
export async function contactAddress(db: DataSource | EntityManager, ticketId: string, channel: string): Promise<string | null> {
  return (await contactAddresses(db, [{ ticketId, channel }])).get(contactKey(ticketId, channel)) ?? null;
}

export const contactKey = (ticketId: string, channel: string): string => `${ticketId}|${channel}`;

/** contactAddress for many tickets in one statement, by contactKey; a ticket with none is absent or null. */
export async function contactAddresses(
  db: DataSource | EntityManager,
  wanted: ReadonlyArray<{ ticketId: string; channel: string }>,
): Promise<Map<string, string | null>> {
  if (wanted.length === 0) return new Map();
  const rows: Array<{ ticket_id: string; channel: string; address: string | null }> = await db.query(
    `SELECT u.ticket_id, u.channel, coalesce(
       (SELECT ms.address FROM messages ms
        WHERE ms.ticket_id = u.ticket_id AND ms.channel = u.channel AND ms.direction = 'inbound' AND ms.address IS NOT NULL
        ORDER BY ms.created_at DESC LIMIT 1),
       CASE WHEN u.channel = 'email' THEN
         (SELECT c.value FROM ticket_contacts c WHERE c.ticket_id = u.ticket_id AND c.kind = 'email'
          ORDER BY array_position(ARRAY['portal', 'staff', 'channel', 'citizen'], c.provenance), c.created_at DESC LIMIT 1) END) AS address
     FROM unnest($1::uuid[], $2::text[]) AS u(ticket_id, channel)`,
    [wanted.map((w) => w.ticketId), wanted.map((w) => w.channel)],
  );
  return new Map(rows.map((r) => [contactKey(r.ticket_id, r.channel), r.address]));
}

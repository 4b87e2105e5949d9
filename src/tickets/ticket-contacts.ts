import type { DataSource, EntityManager } from 'typeorm';

/**
 * Where a message to a ticket's customer goes unless the operator chooses another address: the ticket's own
 * contact, never an address the customer record gathered from other contacts. That is where they last wrote from
 * on the channel, else the address of that kind given with the ticket (a web form's or a chat's e-mail), the most
 * trusted first.
 */
export async function contactAddress(db: DataSource | EntityManager, ticketId: string, channel: string): Promise<string | null> {
  const [last]: Array<{ address: string }> = await db.query(
    `SELECT address FROM messages WHERE ticket_id = $1 AND channel = $2 AND direction = 'inbound' AND address IS NOT NULL
     ORDER BY created_at DESC LIMIT 1`,
    [ticketId, channel],
  );
  if (last) return last.address;
  if (channel !== 'email') return null;
  const [given]: Array<{ value: string }> = await db.query(
    `SELECT value FROM ticket_contacts WHERE ticket_id = $1 AND kind = 'email'
     ORDER BY array_position(ARRAY['portal', 'staff', 'channel', 'citizen'], provenance), created_at DESC LIMIT 1`,
    [ticketId],
  );
  return given?.value ?? null;
}

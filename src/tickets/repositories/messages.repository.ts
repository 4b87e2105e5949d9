import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** The SQL of `messages` that ticket changes need (replies and ingest keep their own set-based statements beside them). */
@Injectable()
export class MessagesRepository {
  /** A note for staff only, on the ticket's own channel; `system` when the software wrote it on someone's behalf. */
  async addInternal(
    m: EntityManager,
    ticketId: string,
    author: { type: 'agent' | 'system'; agentId: string | null },
    text: string,
  ): Promise<string> {
    const [row]: Array<{ id: string }> = await m.query(
      `INSERT INTO messages (ticket_id, channel, direction, author_type, author_agent_id, text, internal)
       SELECT id, channel, 'outbound', $2, $3, $4, true FROM tickets WHERE id = $1 RETURNING id`,
      [ticketId, author.type, author.agentId, text],
    );
    return row.id;
  }

  /**
   * A message the software sends the customer on its own (the notice before a ticket is closed), queued for the
   * outbound queue like an operator's reply.
   */
  async addAutomatic(
    m: EntityManager,
    ticketId: string,
    message: {
      channel: string;
      externalId: string | null;
      subject: string | null;
      text: string;
      address: string;
      meta: Record<string, unknown>;
    },
  ): Promise<string> {
    const [row]: Array<{ id: string }> = await m.query(
      `INSERT INTO messages (ticket_id, channel, external_id, direction, author_type, subject, text, address, meta, delivery_status)
       VALUES ($1, $2, $3, 'outbound', 'bot', $4, $5, $6, $7, 'queued') RETURNING id`,
      [ticketId, message.channel, message.externalId, message.subject, message.text, message.address, JSON.stringify(message.meta)],
    );
    return row.id;
  }

  /** Every message of one ticket now belongs to another (a merge). */
  async moveAll(m: EntityManager, fromTicketId: string, toTicketId: string): Promise<void> {
    await m.query('UPDATE messages SET ticket_id = $2 WHERE ticket_id = $1', [fromTicketId, toTicketId]);
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { OutboundEnvelope } from '../outbound/channel-sender';

/** What became of one delivery attempt, to be written onto its message. */
export type DeliveryRecord =
  | { messageId: string; sent: true; response: string }
  | {
      messageId: string;
      sent: false;
      reason: string;
      /** False keeps the message queued (another try is coming) but shows the operator why it is late. */
      final: boolean;
    };

/**
 * The delivery side of outbound messages: what the channel senders need to send them, and what became of it.
 * Batched, because acknowledgements leave by the thousand when a full mailbox is read: a batch costs one
 * statement to read (plus two for messages that are not acknowledgements) and one to record.
 */
@Injectable()
export class MessageDeliveriesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Everything the channel senders need, by message id; a message gone or no longer waiting to be sent is left out. */
  async loadEnvelopes(messageIds: readonly string[]): Promise<Map<string, OutboundEnvelope>> {
    const rows: Array<Record<string, any>> = await this.dataSource.query(
      `SELECT ms.id, ms.channel, ms.external_id, ms.address, ms.subject, ms.text, ms.html, ms.author_type, ms.meta,
              ms.ticket_id, t.reference, t.subject AS ticket_subject, t.origin_address
       FROM messages ms JOIN tickets t ON t.id = ms.ticket_id
       WHERE ms.id = ANY($1::uuid[]) AND ms.direction = 'outbound' AND ms.delivery_status = 'queued'`,
      [[...new Set(messageIds)]],
    );
    // An acknowledgement answers exactly one message and carries no files: nothing more to read for it.
    const isAcknowledgement = (row: Record<string, any>) => row.author_type === 'bot' && typeof row.meta?.inReplyTo === 'string';
    const others = rows.filter((row) => !isAcknowledgement(row));
    const [threads, files] = await Promise.all([this.threadsOf(others), this.attachmentsOf(others)]);
    const envelopes = new Map<string, OutboundEnvelope>();
    for (const row of rows) {
      const thread: Array<{ external_id: string; direction: string }> = isAcknowledgement(row)
        ? [{ external_id: row.meta.inReplyTo, direction: 'inbound' }]
        : (threads.get(`${row.ticket_id} ${row.channel}`) ?? []).filter((t) => t.id !== row.id);
      const lastInbound = [...thread].reverse().find((t) => t.direction === 'inbound');
      envelopes.set(row.id, {
        messageId: row.id,
        channel: row.channel,
        externalId: row.external_id,
        ticketReference: row.reference,
        ticketSubject: row.ticket_subject,
        to: row.address,
        originAddress: row.origin_address,
        subject: row.subject,
        text: row.text,
        html: row.html,
        author: row.author_type,
        thread: thread.map((t) => t.external_id),
        inReplyTo: (row.meta?.inReplyTo as string | undefined) ?? lastInbound?.external_id ?? null,
        attachments: files.get(row.id) ?? [],
        ...(Array.isArray(row.meta?.choices) ? { choices: row.meta.choices as Array<{ id: string; title: string }> } : {}),
      });
    }
    return envelopes;
  }

  /** Writes every outcome of a batch in one statement; a message no longer queued (sent by a twin job) is left alone. */
  async record(outcomes: readonly DeliveryRecord[]): Promise<void> {
    if (outcomes.length === 0) return;
    await this.dataSource.query(
      `UPDATE messages m
       SET delivery_status = CASE WHEN o.sent THEN 'sent' WHEN o.final THEN 'failed' ELSE m.delivery_status END,
           delivery_error = CASE WHEN o.sent THEN NULL ELSE o.reason END,
           sent_at = CASE WHEN o.sent THEN now() ELSE m.sent_at END,
           meta = CASE WHEN o.sent THEN m.meta || jsonb_build_object('deliveryResponse', o.response) ELSE m.meta END
       FROM unnest($1::uuid[], $2::boolean[], $3::boolean[], $4::text[], $5::text[]) AS o(id, sent, final, response, reason)
       WHERE m.id = o.id AND m.delivery_status = 'queued'`,
      [
        outcomes.map((o) => o.messageId),
        outcomes.map((o) => o.sent),
        outcomes.map((o) => !o.sent && o.final),
        outcomes.map((o) => (o.sent ? o.response.slice(0, 500) : null)),
        outcomes.map((o) => (o.sent ? null : o.reason.slice(0, 2000))),
      ],
    );
  }

  /** The conversation so far of each (ticket, channel), oldest first: an e-mail's References. */
  private async threadsOf(
    rows: Array<Record<string, any>>,
  ): Promise<Map<string, Array<{ id: string; external_id: string; direction: string }>>> {
    const threads = new Map<string, Array<{ id: string; external_id: string; direction: string }>>();
    if (rows.length === 0) return threads;
    const found: Array<{ id: string; ticket_id: string; channel: string; external_id: string; direction: string }> =
      await this.dataSource.query(
        `SELECT ms.id, ms.ticket_id, ms.channel, ms.external_id, ms.direction
         FROM messages ms
         JOIN (SELECT DISTINCT * FROM unnest($1::uuid[], $2::text[]) AS w(ticket_id, channel)) w
           ON w.ticket_id = ms.ticket_id AND w.channel = ms.channel
         WHERE ms.external_id IS NOT NULL AND NOT ms.internal
         ORDER BY ms.created_at, ms.id`,
        [rows.map((r) => r.ticket_id), rows.map((r) => r.channel)],
      );
    for (const t of found) {
      const key = `${t.ticket_id} ${t.channel}`;
      const thread = threads.get(key) ?? [];
      thread.push(t);
      threads.set(key, thread);
    }
    return threads;
  }

  private async attachmentsOf(rows: Array<Record<string, any>>): Promise<Map<string, OutboundEnvelope['attachments']>> {
    const byMessage = new Map<string, OutboundEnvelope['attachments']>();
    if (rows.length === 0) return byMessage;
    const found: Array<{ message_id: string; filename: string; content_type: string; content: Buffer }> = await this.dataSource.query(
      `SELECT message_id, filename, content_type, content FROM attachments WHERE message_id = ANY($1::uuid[]) ORDER BY created_at, id`,
      [rows.map((r) => r.id)],
    );
    for (const a of found) {
      const list = byMessage.get(a.message_id) ?? [];
      list.push({ filename: a.filename, contentType: a.content_type, content: a.content });
      byMessage.set(a.message_id, list);
    }
    return byMessage;
  }
}

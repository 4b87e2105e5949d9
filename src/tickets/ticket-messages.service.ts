import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser, ticketScope, ticketScopeSql } from '../auth/auth-user';
import { ProblemException, validationProblem } from '../common/problem';
import type { InboundAttachment } from '../inbound/inbound-message';
import { SlaEngine } from '../sla/sla-engine.service';
import { TicketEffects } from './ticket-effects';
import { TicketEffectsPublisher } from './ticket-effects.publisher';
import { TicketsRepository } from './repositories/tickets.repository';
import { messagingWindow } from '../channels/social/messaging-window';
import { AppConfig } from '../config/app-config';
import { contactAddress } from './ticket-contacts';

/** Channels a reply can travel on, by the channel the ticket came in on. Web forms are answered by e-mail. */
const REPLY_CHANNEL: Record<string, string> = { email: 'email', webform: 'email', social: 'social', chat: 'chat' };

export interface ReplyInput {
  text: string;
  html: string | null;
  attachments: InboundAttachment[];
  idempotencyKey?: string;
  lastSeenMessageId?: string;
  force?: boolean;
  via?: 'email';
  to?: string;
}

export interface StoredReply {
  id: string;
  channel: string;
  externalId: string;
  address: string;
  deliveryStatus: 'queued' | 'sent' | 'failed';
  duplicate: boolean;
}

/** Outbound messages: stored first (so nothing an operator wrote is lost), then delivered by the outbound queue. */
@Injectable()
export class TicketMessagesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sla: SlaEngine,
    private readonly effects: TicketEffectsPublisher,
    private readonly tickets: TicketsRepository,
    private readonly config: AppConfig,
  ) {}

  async createReply(user: AuthUser, reference: string, input: ReplyInput, mailDomain: string): Promise<StoredReply> {
    return this.effects.transaction((m, fx) => this.replyIn(m, fx, user, reference, input, mailDomain));
  }

  /**
   * The reply on the caller's transaction, its effects (delivery, SLA timers) added to `fx`: a macro's reply
   * commits or rolls back together with the macro's other steps.
   */
  async replyIn(
    m: EntityManager,
    fx: TicketEffects,
    user: AuthUser,
    reference: string,
    input: ReplyInput,
    mailDomain: string,
  ): Promise<StoredReply> {
    const scope = ticketScope(user);
    const params: unknown[] = [reference.toUpperCase()];
    const [ticket]: Array<{ id: string; channel: string; customer_id: string | null }> = await m.query(
      `SELECT t.id, t.channel, t.customer_id FROM tickets t WHERE t.reference = $1 ${ticketScopeSql(scope, 't', (v) => `$${params.push(v)}`)}`,
      params,
    );
    if (!ticket) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No ticket ${reference} that you may see.`);

    const channel = input.via ?? REPLY_CHANNEL[ticket.channel];
    if (!channel) {
      throw new ProblemException(
        HttpStatus.CONFLICT,
        'no-reply-channel',
        'No way to reply',
        `Replies on ${ticket.channel} tickets are not available yet.`,
      );
    }
    const address = input.to
      ? await this.chosenAddress(m, ticket.id, ticket.customer_id, channel, input.to)
      : await contactAddress(m, ticket.id, channel);
    if (!address) {
      throw validationProblem([
        {
          field: 'ticket',
          code: 'noAddress',
          message:
            channel === 'email'
              ? "this ticket's contact gave no e-mail address; choose one of the customer's (to)"
              : `this ticket's contact has no ${channel} address to reply to`,
        },
      ]);
    }
    // Instagram's API takes files only as public links, and a citizen's reply must not be left on one.
    if (channel === 'social' && input.attachments.length > 0 && address.startsWith('instagram:')) {
      throw validationProblem([
        {
          field: 'attachments',
          code: 'notOnInstagram',
          message: 'files cannot be sent on Instagram; send the text alone, or answer by e-mail (via: email)',
        },
      ]);
    }

    // With an Idempotency-Key the Message-ID is derived from it, so a retried request hits the unique
    // (channel, external_id) and returns the reply stored the first time.
    const externalId = input.idempotencyKey
      ? `${createHash('sha256').update(`${ticket.id}\n${user.id}\n${input.idempotencyKey}`).digest('hex').slice(0, 40)}@${mailDomain}`
      : `${randomUUID()}@${mailDomain}`;
    const id = randomUUID();
    // Replies to one ticket are serialised, so of two people answering at once the second sees the first.
    await m.query('SELECT 1 FROM tickets WHERE id = $1 FOR UPDATE', [ticket.id]);
    const [replayed] = await m.query(`SELECT id, address, delivery_status FROM messages WHERE channel = $1 AND external_id = $2`, [
      channel,
      externalId,
    ]);
    if (replayed) {
      if (replayed.delivery_status === 'queued') fx.outbound([replayed.id]);
      return { id: replayed.id, channel, externalId, address: replayed.address, deliveryStatus: replayed.delivery_status, duplicate: true };
    }
    // After the replay check, so a retried request for a reply already stored still gets that reply back.
    if (channel === 'social') await this.checkMessagingWindow(m, ticket.id, address);
    if (!input.force) {
      // Someone else answered since this person last looked (or in the last two minutes, if they did not say).
      const [other]: Array<{ display_name: string; created_at: Date }> = await m.query(
        `SELECT a.display_name, ms.created_at FROM messages ms JOIN agents a ON a.id = ms.author_agent_id
         WHERE ms.ticket_id = $1 AND ms.direction = 'outbound' AND ms.author_type = 'agent' AND NOT ms.internal AND ms.author_agent_id <> $2
           AND ms.created_at > CASE WHEN $3::uuid IS NULL THEN now() - interval '2 minutes'
                                    ELSE coalesce((SELECT created_at FROM messages WHERE id = $3::uuid AND ticket_id = $1), '-infinity') END
         ORDER BY ms.created_at DESC LIMIT 1`,
        [ticket.id, user.id, input.lastSeenMessageId ?? null],
      );
      if (other) {
        throw new ProblemException(
          HttpStatus.CONFLICT,
          'reply-collision',
          'Someone else replied',
          `${other.display_name} replied at ${other.created_at.toISOString()}; read it, then send again with force: true if yours is still needed.`,
        );
      }
    }
    const inserted: Array<{ id: string }> = await m.query(
      `INSERT INTO messages (id, ticket_id, channel, external_id, direction, author_type, author_agent_id, text, html, address, delivery_status)
       VALUES ($1, $2, $3, $4, 'outbound', 'agent', $5, $6, $7, $8, 'queued')
       ON CONFLICT (channel, external_id) DO NOTHING RETURNING id`,
      [id, ticket.id, channel, externalId, user.id, input.text, input.html, address],
    );
    if (inserted.length === 0) {
      const [existing] = await m.query(
        `SELECT id, channel, external_id, address, delivery_status FROM messages WHERE channel = $1 AND external_id = $2`,
        [channel, externalId],
      );
      return { id: existing.id, channel, externalId, address: existing.address, deliveryStatus: existing.delivery_status, duplicate: true };
    }
    if (input.attachments.length > 0) {
      await m.query(
        `INSERT INTO attachments (message_id, filename, content_type, size, sha256, content)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::bytea[])`,
        [
          input.attachments.map(() => id),
          input.attachments.map((a) => a.filename),
          input.attachments.map((a) => a.contentType),
          input.attachments.map((a) => a.content.length),
          input.attachments.map((a) => createHash('sha256').update(a.content).digest('hex')),
          input.attachments.map((a) => a.content),
        ],
      );
    }
    await this.tickets.markAnswered(m, ticket.id);
    // The answer is given when it is written and stored, not when a mail server later accepts it.
    await this.sla.apply(m, [{ ticketId: ticket.id, trigger: { type: 'staff_reply', at: new Date() } }], fx.timers);
    fx.outbound([id]);
    fx.ticketsChanged([ticket.id]);
    return { id, channel, externalId, address, deliveryStatus: 'queued', duplicate: false };
  }

  /**
   * An automatic e-mail to the ticket's own contact (a chat transcript the visitor asked for), stored like a reply
   * and sent by the outbound queue. `externalId` makes it once only: asking again returns the message stored first.
   * Null when the ticket is not stored yet; `address` null when its contact gave no e-mail address.
   */
  async storeAutomaticEmail(
    reference: string,
    input: { externalId: string; subject: string; text: string; meta: Record<string, unknown> },
  ): Promise<{ id: string | null; address: string | null; deliveryStatus: string | null; duplicate: boolean } | null> {
    const [ticket]: Array<{ id: string }> = await this.dataSource.query('SELECT id FROM tickets WHERE reference = $1', [
      reference.toUpperCase(),
    ]);
    if (!ticket) return null;
    const [earlier] = await this.dataSource.query(
      `SELECT id, address, delivery_status FROM messages WHERE channel = 'email' AND external_id = $1`,
      [input.externalId],
    );
    if (earlier) return { id: earlier.id, address: earlier.address, deliveryStatus: earlier.delivery_status, duplicate: true };
    const address = await contactAddress(this.dataSource, ticket.id, 'email');
    if (!address) return { id: null, address: null, deliveryStatus: null, duplicate: false };
    const inserted: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO messages (id, ticket_id, channel, external_id, direction, author_type, subject, text, address, meta, delivery_status)
       VALUES ($1, $2, 'email', $3, 'outbound', 'bot', $4, $5, $6, $7, 'queued')
       ON CONFLICT (channel, external_id) DO NOTHING RETURNING id`,
      [randomUUID(), ticket.id, input.externalId, input.subject, input.text, address, JSON.stringify(input.meta)],
    );
    if (inserted.length) return { id: inserted[0].id, address, deliveryStatus: 'queued', duplicate: false };
    // Asked twice at once: the other request stored it.
    const [first] = await this.dataSource.query(
      `SELECT id, address, delivery_status FROM messages WHERE channel = 'email' AND external_id = $1`,
      [input.externalId],
    );
    return { id: first.id, address: first.address, deliveryStatus: first.delivery_status, duplicate: true };
  }

  /** Refuses, before anything is stored, a reply the platform would refuse because its 24-hour window has closed. */
  private async checkMessagingWindow(m: EntityManager, ticketId: string, address: string): Promise<void> {
    const window = messagingWindow(address, { humanAgentTag: this.config.META_HUMAN_AGENT_TAG });
    if (!window) return;
    const { platform, hours } = window;
    const [last]: Array<{ at: Date }> = await m.query(
      `SELECT coalesce(sent_at, created_at) AS at FROM messages
       WHERE ticket_id = $1 AND channel = 'social' AND direction = 'inbound' AND address = $2
       ORDER BY created_at DESC LIMIT 1`,
      [ticketId, address],
    );
    const closesAt = last ? new Date(last.at.getTime() + hours * 3600_000) : null;
    if (closesAt && closesAt.getTime() > Date.now()) return;
    throw new ProblemException(
      HttpStatus.UNPROCESSABLE_ENTITY,
      'messaging-window-closed',
      'Messaging window closed',
      `${platform} lets us answer only within ${hours} hours of the customer's last message` +
        (closesAt ? `; the last one came at ${last.at.toISOString()}, so the window closed at ${closesAt.toISOString()}.` : '.') +
        ' The reply was not sent. Wait for the customer to write again, or answer on another channel (phone, e-mail) if they gave one.',
      [{ field: 'ticket', code: 'messagingWindowClosed', message: `the ${hours}-hour ${platform} window has closed` }],
    );
  }

  /** An address the operator chose: only one the ticket's contact or its customer is known by, and only by e-mail. */
  private async chosenAddress(m: EntityManager, ticketId: string, customerId: string | null, channel: string, to: string): Promise<string> {
    const address = to.trim().toLowerCase();
    if (channel !== 'email') {
      throw validationProblem([
        { field: 'to', code: 'onlyForEmail', message: 'an address can be chosen only for an e-mail reply (via: email)' },
      ]);
    }
    const [known] = await m.query(
      `SELECT 1 FROM ticket_contacts WHERE ticket_id = $1 AND kind = 'email' AND value = $3
       UNION ALL SELECT 1 FROM customer_identifiers WHERE customer_id = $2 AND kind = 'email' AND value = $3 LIMIT 1`,
      [ticketId, customerId, address],
    );
    if (!known) {
      throw validationProblem([{ field: 'to', code: 'notTheCustomers', message: "not one of this customer's e-mail addresses" }]);
    }
    return address;
  }
}

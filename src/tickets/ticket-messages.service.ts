import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { batchOrOneByOne, MicroBatcher, Settled } from '@lib/micro-batcher';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser, inTicketScope, ticketScope } from '../auth/auth-user';
import { ProblemException, validationProblem } from '../common/problem';
import type { InboundAttachment } from '../inbound/inbound-message';
import { SlaEngine } from '../sla/sla-engine.service';
import { TicketEffects } from './ticket-effects';
import { TicketEffectsPublisher } from './ticket-effects.publisher';
import { TICKET_ROW_LOCK, TicketsRepository } from './repositories/tickets.repository';
import { messagingWindow } from '../channels/social/messaging-window';
import { AppConfig } from '../config/app-config';
import { contactAddress, contactAddresses, contactKey } from './ticket-contacts';

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

export interface ReplyRequest {
  user: AuthUser;
  reference: string;
  input: ReplyInput;
  mailDomain: string;
}

type ScopedTicket = { institution_id: string | null; level: number; assignee_id: string | null; moved_by_them: boolean };

/**
 * Replies written at once, at most. Each batch is one transaction on one pooled connection; while they all run, the
 * replies that arrive leave together in the next, so the pool and the row locks serve many replies at a time.
 */
const REPLY_BATCHES_IN_FLIGHT = 4;

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
  private readonly logger = new Logger(TicketMessagesService.name);
  private readonly replyBatcher = new MicroBatcher<ReplyRequest, { settled: Settled<StoredReply>; sent: Promise<void> }>(
    (requests) => this.replyBatch(requests),
    {
      maxSize: 100,
      maxWaitMs: 1,
      maxInFlight: REPLY_BATCHES_IN_FLIGHT,
    },
  );

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sla: SlaEngine,
    private readonly effects: TicketEffectsPublisher,
    private readonly tickets: TicketsRepository,
    private readonly config: AppConfig,
  ) {}

  async createReply(user: AuthUser, reference: string, input: ReplyInput, mailDomain: string): Promise<StoredReply> {
    const { settled, sent } = await this.replyBatcher.submit({ user, reference, input, mailDomain });
    // Answered once its delivery is queued, as a reply written alone is.
    await sent;
    if (!settled.ok) throw settled.error;
    return settled.value;
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
    const [settled] = await this.replyManyIn(m, fx, [{ user, reference, input, mailDomain }]);
    if (!settled.ok) throw settled.error;
    return settled.value;
  }

  /**
   * Replies that arrived together, written in one transaction per round. A round holds one reply per ticket, so
   * two replies to one ticket still meet one after the other (the second sees the first). A write that fails
   * the transaction is tried again reply by reply, so it fails alone.
   */
  private async replyBatch(requests: ReplyRequest[]): Promise<Array<{ settled: Settled<StoredReply>; sent: Promise<void> }>> {
    const results = new Array<{ settled: Settled<StoredReply>; sent: Promise<void> }>(requests.length);
    for (const round of oneReplyPerTicket(requests)) {
      const sentOf = new Map<ReplyRequest, Promise<void>>();
      const settled = await batchOrOneByOne(
        round.map((i) => requests[i]),
        async (batch) => {
          const { result, sent } = await this.effects.commit((m, fx) => this.replyManyIn(m, fx, batch));
          for (const request of batch) sentOf.set(request, sent);
          return result;
        },
        (error, size) => this.logger.warn({ err: error, size }, 'reply batch failed; written one by one'),
      );
      round.forEach((i, k) => {
        const one = settled[k];
        results[i] = { settled: one.ok ? one.value : one, sent: sentOf.get(requests[i]) ?? Promise.resolve() };
      });
    }
    return results;
  }

  /**
   * Each request's reply, or why it was refused, in the order given. The statements are per batch, not per reply:
   * under load an operator's reply waits for one transaction's round trips, not for those of every reply before it.
   */
  async replyManyIn(m: EntityManager, fx: TicketEffects, requests: ReplyRequest[]): Promise<Array<Settled<StoredReply>>> {
    const out = new Array<Settled<StoredReply> | undefined>(requests.length);
    const refuse = (i: number, error: unknown) => (out[i] = { ok: false, error });
    const open = () => requests.map((r, i) => ({ r, i })).filter(({ i }) => !out[i]);

    // Locked in id order, so concurrent batches never wait on each other in a circle; replies to one ticket are
    // serialised, so of two people answering at once the second sees the first.
    const scopes = requests.map((r) => ticketScope(r.user));
    const found: Array<{ i: number; id: string; channel: string; customer_id: string | null } & ScopedTicket> = await m.query(
      `SELECT u.i, t.id, t.channel, t.customer_id, t.institution_id, t.level, t.assignee_id,
              (u.agent_id IS NOT NULL AND EXISTS (SELECT 1 FROM escalations own WHERE own.ticket_id = t.id AND own.actor_agent_id = u.agent_id))
                AS moved_by_them
       FROM unnest($1::text[], $2::uuid[], $3::int[]) AS u(reference, agent_id, i)
       JOIN tickets t ON t.reference = u.reference
       ORDER BY t.id ${TICKET_ROW_LOCK} OF t`,
      [
        requests.map((r) => r.reference.toUpperCase()),
        scopes.map((scope) => (!scope.all && scope.ownCasesOf ? scope.ownCasesOf : null)),
        requests.map((_, i) => i),
      ],
    );
    const ticketOf = new Map(found.map((t) => [t.i, t]));
    const work = new Map<number, { ticket: (typeof found)[number]; channel: string; address: string; externalId: string }>();
    for (const { r, i } of open()) {
      const ticket = ticketOf.get(i);
      if (!ticket || !inTicketScope(scopes[i], ticket, ticket.moved_by_them)) {
        refuse(i, new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No ticket ${r.reference} that you may see.`));
        continue;
      }
      const channel = r.input.via ?? REPLY_CHANNEL[ticket.channel];
      if (!channel) {
        refuse(
          i,
          new ProblemException(
            HttpStatus.CONFLICT,
            'no-reply-channel',
            'No way to reply',
            `Replies on ${ticket.channel} tickets are not available yet.`,
          ),
        );
        continue;
      }
      // With an Idempotency-Key the Message-ID is derived from it, so a retried request hits the unique
      // (channel, external_id) and returns the reply stored the first time.
      const externalId = r.input.idempotencyKey
        ? `${createHash('sha256').update(`${ticket.id}\n${r.user.id}\n${r.input.idempotencyKey}`).digest('hex').slice(0, 40)}@${r.mailDomain}`
        : `${randomUUID()}@${r.mailDomain}`;
      work.set(i, { ticket, channel, address: '', externalId });
    }

    const given = open().filter(({ r }) => !r.input.to);
    const contacts = await contactAddresses(
      m,
      given.map(({ i }) => ({ ticketId: work.get(i)!.ticket.id, channel: work.get(i)!.channel })),
    );
    for (const { r, i } of open()) {
      const w = work.get(i)!;
      try {
        const address = r.input.to
          ? await this.chosenAddress(m, w.ticket.id, w.ticket.customer_id, w.channel, r.input.to)
          : contacts.get(contactKey(w.ticket.id, w.channel));
        if (!address) {
          throw validationProblem([
            {
              field: 'ticket',
              code: 'noAddress',
              message:
                w.channel === 'email'
                  ? "this ticket's contact gave no e-mail address; choose one of the customer's (to)"
                  : `this ticket's contact has no ${w.channel} address to reply to`,
            },
          ]);
        }
        // Instagram's API takes files only as public links, and a citizen's reply must not be left on one.
        if (w.channel === 'social' && r.input.attachments.length > 0 && address.startsWith('instagram:')) {
          throw validationProblem([
            {
              field: 'attachments',
              code: 'notOnInstagram',
              message: 'files cannot be sent on Instagram; send the text alone, or answer by e-mail (via: email)',
            },
          ]);
        }
        w.address = address;
      } catch (error) {
        refuse(i, error);
      }
    }

    // Only a reply with an Idempotency-Key can have been stored before: the others' Message-IDs are new.
    const keyed = open().filter(({ r }) => r.input.idempotencyKey);
    const replayed = await this.storedBefore(
      m,
      keyed.map(({ i }) => work.get(i)!),
    );
    for (const { i } of keyed) {
      const earlier = replayed.get(work.get(i)!.externalId);
      if (!earlier) continue;
      if (earlier.deliveryStatus === 'queued') fx.outbound([earlier.id]);
      out[i] = { ok: true, value: earlier };
    }
    // After the replay check, so a retried request for a reply already stored still gets that reply back.
    const closed = await this.closedMessagingWindows(
      m,
      open()
        .filter(({ i }) => work.get(i)!.channel === 'social')
        .map(({ i }) => ({ i, ticketId: work.get(i)!.ticket.id, address: work.get(i)!.address })),
    );
    for (const [i, problem] of closed) refuse(i, problem);

    // Someone else answered since this person last looked (or in the last two minutes, if they did not say).
    const careful = open().filter(({ r }) => !r.input.force);
    if (careful.length > 0) {
      const collisions: Array<{ i: number; display_name: string; created_at: Date }> = await m.query(
        `SELECT u.i, a.display_name, other.created_at
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::int[]) AS u(ticket_id, agent_id, last_seen, i)
         CROSS JOIN LATERAL (
           SELECT ms.author_agent_id, ms.created_at FROM messages ms
           WHERE ms.ticket_id = u.ticket_id AND ms.direction = 'outbound' AND ms.author_type = 'agent' AND NOT ms.internal
             AND ms.author_agent_id <> u.agent_id
             AND ms.created_at > CASE WHEN u.last_seen IS NULL THEN now() - interval '2 minutes'
                                      ELSE coalesce((SELECT created_at FROM messages WHERE id = u.last_seen AND ticket_id = u.ticket_id), '-infinity') END
           ORDER BY ms.created_at DESC LIMIT 1) other
         JOIN agents a ON a.id = other.author_agent_id`,
        [
          careful.map(({ i }) => work.get(i)!.ticket.id),
          careful.map(({ r }) => r.user.id),
          careful.map(({ r }) => r.input.lastSeenMessageId ?? null),
          careful.map(({ i }) => i),
        ],
      );
      for (const other of collisions) {
        refuse(
          other.i,
          new ProblemException(
            HttpStatus.CONFLICT,
            'reply-collision',
            'Someone else replied',
            `${other.display_name} replied at ${other.created_at.toISOString()}; read it, then send again with force: true if yours is still needed.`,
          ),
        );
      }
    }

    const writing = open().map(({ r, i }) => ({ r, i, w: work.get(i)!, id: randomUUID() }));
    if (writing.length === 0) return out as Array<Settled<StoredReply>>;
    const inserted: Array<{ id: string }> = await m.query(
      `INSERT INTO messages (id, ticket_id, channel, external_id, direction, author_type, author_agent_id, text, html, address, delivery_status)
       SELECT u.id, u.ticket_id, u.channel, u.external_id, 'outbound', 'agent', u.author, u.text, u.html, u.address, 'queued'
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::text[], $8::text[])
         AS u(id, ticket_id, channel, external_id, author, text, html, address)
       ON CONFLICT (channel, external_id) DO NOTHING RETURNING id`,
      [
        writing.map((x) => x.id),
        writing.map((x) => x.w.ticket.id),
        writing.map((x) => x.w.channel),
        writing.map((x) => x.w.externalId),
        writing.map((x) => x.r.user.id),
        writing.map((x) => x.r.input.text),
        writing.map((x) => x.r.input.html),
        writing.map((x) => x.w.address),
      ],
    );
    const stored = new Set(inserted.map((row) => row.id));
    // Stored meanwhile by a request with the same Idempotency-Key in another transaction.
    const raced = writing.filter((x) => !stored.has(x.id));
    const storedMeanwhile = await this.storedBefore(
      m,
      raced.map((x) => x.w),
    );
    for (const x of raced) out[x.i] = { ok: true, value: storedMeanwhile.get(x.w.externalId)! };
    const written = writing.filter((x) => stored.has(x.id));
    const files = written.flatMap((x) => x.r.input.attachments.map((a) => ({ messageId: x.id, a })));
    if (files.length > 0) {
      await m.query(
        `INSERT INTO attachments (message_id, filename, content_type, size, sha256, content)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::bytea[])`,
        [
          files.map((f) => f.messageId),
          files.map((f) => f.a.filename),
          files.map((f) => f.a.contentType),
          files.map((f) => f.a.content.length),
          files.map((f) => createHash('sha256').update(f.a.content).digest('hex')),
          files.map((f) => f.a.content),
        ],
      );
    }
    if (written.length > 0) {
      const ticketIds = written.map((x) => x.w.ticket.id);
      await this.tickets.markAnswered(m, ticketIds);
      // The answer is given when it is written and stored, not when a mail server later accepts it.
      const at = new Date();
      await this.sla.apply(
        m,
        ticketIds.map((ticketId) => ({ ticketId, trigger: { type: 'staff_reply' as const, at } })),
        fx.timers,
      );
      fx.outbound(written.map((x) => x.id));
      fx.ticketsChanged(ticketIds);
    }
    for (const x of written) {
      out[x.i] = {
        ok: true,
        value: {
          id: x.id,
          channel: x.w.channel,
          externalId: x.w.externalId,
          address: x.w.address,
          deliveryStatus: 'queued',
          duplicate: false,
        },
      };
    }
    return out as Array<Settled<StoredReply>>;
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

  /** Replies already stored under these Message-IDs (a retried request's), by Message-ID. */
  private async storedBefore(m: EntityManager, wanted: Array<{ channel: string; externalId: string }>): Promise<Map<string, StoredReply>> {
    if (wanted.length === 0) return new Map();
    const rows: Array<{
      id: string;
      channel: string;
      external_id: string;
      address: string;
      delivery_status: StoredReply['deliveryStatus'];
    }> = await m.query(
      `SELECT ms.id, ms.channel, ms.external_id, ms.address, ms.delivery_status FROM messages ms
         JOIN unnest($1::text[], $2::text[]) AS u(channel, external_id) ON ms.channel = u.channel AND ms.external_id = u.external_id`,
      [wanted.map((w) => w.channel), wanted.map((w) => w.externalId)],
    );
    return new Map(
      rows.map((row) => [
        row.external_id,
        {
          id: row.id,
          channel: row.channel,
          externalId: row.external_id,
          address: row.address,
          deliveryStatus: row.delivery_status,
          duplicate: true,
        },
      ]),
    );
  }

  /**
   * Social replies the platform would refuse because its window has closed, by index, each with its problem;
   * refused before anything is stored. One statement for all of them.
   */
  private async closedMessagingWindows(
    m: EntityManager,
    replies: Array<{ i: number; ticketId: string; address: string }>,
  ): Promise<Map<number, ProblemException>> {
    const limited = replies
      .map((r) => ({ ...r, window: messagingWindow(r.address, { humanAgentTag: this.config.META_HUMAN_AGENT_TAG }) }))
      .filter((r): r is typeof r & { window: NonNullable<typeof r.window> } => r.window !== null);
    const closed = new Map<number, ProblemException>();
    if (limited.length === 0) return closed;
    const lastOf: Array<{ i: number; at: Date | null }> = await m.query(
      `SELECT u.i, (SELECT coalesce(ms.sent_at, ms.created_at) FROM messages ms
                    WHERE ms.ticket_id = u.ticket_id AND ms.channel = 'social' AND ms.direction = 'inbound' AND ms.address = u.address
                    ORDER BY ms.created_at DESC LIMIT 1) AS at
       FROM unnest($1::uuid[], $2::text[], $3::int[]) AS u(ticket_id, address, i)`,
      [limited.map((r) => r.ticketId), limited.map((r) => r.address), limited.map((r) => r.i)],
    );
    const last = new Map(lastOf.map((row) => [row.i, row.at]));
    for (const { i, window } of limited) {
      const { platform, hours } = window;
      const at = last.get(i) ?? null;
      const closesAt = at ? new Date(at.getTime() + hours * 3600_000) : null;
      if (closesAt && closesAt.getTime() > Date.now()) continue;
      closed.set(
        i,
        new ProblemException(
          HttpStatus.UNPROCESSABLE_ENTITY,
          'messaging-window-closed',
          'Messaging window closed',
          `${platform} lets us answer only within ${hours} hours of the customer's last message` +
            (at && closesAt ? `; the last one came at ${at.toISOString()}, so the window closed at ${closesAt.toISOString()}.` : '.') +
            ' The reply was not sent. Wait for the customer to write again, or answer on another channel (phone, e-mail) if they gave one.',
          [{ field: 'ticket', code: 'messagingWindowClosed', message: `the ${hours}-hour ${platform} window has closed` }],
        ),
      );
    }
    return closed;
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

/** Rounds of indexes into `requests`, in arrival order, each naming a ticket (by its reference) at most once. */
export function oneReplyPerTicket(requests: ReadonlyArray<{ reference: string }>): number[][] {
  const rounds: Array<{ indexes: number[]; references: Set<string> }> = [];
  requests.forEach((r, i) => {
    const reference = r.reference.toUpperCase();
    // After the last round that already answers this ticket, so its replies keep their order.
    let k = rounds.length;
    while (k > 0 && !rounds[k - 1].references.has(reference)) k--;
    if (k === rounds.length) rounds.push({ indexes: [], references: new Set() });
    rounds[k].indexes.push(i);
    rounds[k].references.add(reference);
  });
  return rounds.map((round) => round.indexes);
}

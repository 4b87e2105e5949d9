import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { IdentifierKind } from '../customers/entities/customer-identifier.entity';
import type { InboundJobData } from '../inbound/inbound-message';
import { decideRouting, RoutingInstitution, RoutingQueue } from './routing-decision';
import { TicketReferenceService } from './ticket-reference.service';

export interface IngestResult {
  outcome: 'created' | 'threaded' | 'duplicate';
  ticketId: string;
  messageId: string;
  reference: string;
}

/** Which identifier names a person most surely, when a contact carries several. */
const IDENTIFIER_STRENGTH: IdentifierKind[] = ['personal_code', 'e_address', 'latvija_lv', 'email', 'phone', 'social'];

// The unit separator cannot appear in a channel name; PostgreSQL text refuses NUL.
const key = (channel: string, externalId: string) => `${channel}\u001f${externalId}`;

interface Placement {
  ticketId: string;
  messageId: string;
  reference: string;
  outcome: IngestResult['outcome'];
}

/**
 * The only writer of tickets and inbound messages. It takes a batch of inbound events and, in one transaction,
 * drops the ones already stored, resolves customers, threads onto open tickets or opens new ones with a
 * reference, records the hand-over from level 0 to the queue routing chose, and marks the events processed.
 * Running it twice on the same events changes nothing the second time.
 */
@Injectable()
export class TicketIngestService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly references: TicketReferenceService,
  ) {}

  ingest(events: InboundJobData[]): Promise<IngestResult[]> {
    return this.dataSource.transaction('READ COMMITTED', (manager) => this.ingestInTransaction(manager, events));
  }

  private async ingestInTransaction(m: EntityManager, events: InboundJobData[]): Promise<IngestResult[]> {
    const placed = new Map<string, Placement>();
    const msg = (e: InboundJobData) => e.message;

    // Serialise work on the same events and the same customer identifiers across concurrent batches, in a fixed
    // order so two batches can never deadlock. Everything below can then read-then-write without races.
    const lockKeys = new Set<string>();
    for (const e of events) {
      lockKeys.add(`m:${key(msg(e).channel, msg(e).externalId)}`);
      for (const id of msg(e).from.identifiers) lockKeys.add(`c:${id.kind}:${id.value}`);
    }
    await m.query(
      `SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(x, 0) AS k FROM unnest($1::text[]) x ORDER BY 1) s`,
      [[...lockKeys]],
    );

    // 1. Events already stored as messages are duplicates: answer with what they became.
    const existing: Array<{ channel: string; external_id: string; id: string; ticket_id: string; reference: string }> = await m.query(
      `SELECT ms.channel, ms.external_id, ms.id, ms.ticket_id, t.reference
       FROM messages ms JOIN tickets t ON t.id = ms.ticket_id
       JOIN unnest($1::text[], $2::text[]) AS k(channel, external_id)
         ON ms.channel = k.channel AND ms.external_id = k.external_id`,
      [events.map((e) => msg(e).channel), events.map((e) => msg(e).externalId)],
    );
    for (const row of existing) {
      placed.set(key(row.channel, row.external_id), { ticketId: row.ticket_id, messageId: row.id, reference: row.reference, outcome: 'duplicate' });
    }
    const fresh: InboundJobData[] = [];
    const seen = new Set<string>();
    for (const e of events) {
      const k = key(msg(e).channel, msg(e).externalId);
      if (placed.has(k) || seen.has(k)) continue;
      seen.add(k);
      fresh.push(e);
    }

    if (fresh.length > 0) {
      const customerOf = await this.resolveCustomers(m, fresh);
      await this.placeMessages(m, fresh, customerOf, placed);
    }

    const results = events.map((e) => {
      const p = placed.get(key(msg(e).channel, msg(e).externalId));
      if (!p) throw new Error(`event ${e.eventId} was not placed`);
      return { ...p };
    });
    // The second copy of an event inside one batch is a duplicate of the first.
    const firstSeen = new Set<string>();
    events.forEach((e, i) => {
      const k = key(msg(e).channel, msg(e).externalId);
      if (firstSeen.has(k)) results[i].outcome = 'duplicate';
      firstSeen.add(k);
    });

    await m.query(
      `UPDATE inbound_events e SET status = 'processed', ticket_id = u.ticket_id, message_id = u.message_id,
              processed_at = now(), attempts = e.attempts + 1, last_error = NULL
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS u(id, ticket_id, message_id)
       WHERE e.id = u.id`,
      [events.map((e) => e.eventId), results.map((r) => r.ticketId), results.map((r) => r.messageId)],
    );
    return results;
  }

  /** Finds each event's customer by its strongest known identifier, creating customers and identifiers that are new. */
  private async resolveCustomers(m: EntityManager, events: InboundJobData[]): Promise<string[]> {
    const kinds: string[] = [];
    const values: string[] = [];
    for (const e of events) for (const id of e.message.from.identifiers) kinds.push(id.kind), values.push(id.value);
    const owner = new Map<string, string>();
    if (kinds.length > 0) {
      const rows: Array<{ kind: string; value: string; customer_id: string }> = await m.query(
        `SELECT ci.kind, ci.value, ci.customer_id FROM customer_identifiers ci
         JOIN unnest($1::text[], $2::text[]) AS k(kind, value) ON ci.kind = k.kind AND ci.value = k.value`,
        [kinds, values],
      );
      for (const r of rows) owner.set(`${r.kind}:${r.value}`, r.customer_id);
    }

    const newCustomers: Array<{ id: string; firstName: string | null; lastName: string | null; language: string | null }> = [];
    const newIdentifiers: Array<{ customerId: string; kind: string; value: string }> = [];
    const customerOf = events.map((e) => {
      const ids = [...e.message.from.identifiers].sort(
        (a, b) => IDENTIFIER_STRENGTH.indexOf(a.kind) - IDENTIFIER_STRENGTH.indexOf(b.kind),
      );
      let customerId = ids.map((id) => owner.get(`${id.kind}:${id.value}`)).find(Boolean);
      if (!customerId) {
        customerId = randomUUID();
        newCustomers.push({
          id: customerId,
          firstName: e.message.from.firstName ?? null,
          lastName: e.message.from.lastName ?? null,
          language: e.message.language ?? null,
        });
      }
      // Identifiers nobody owns yet become this customer's; one that belongs to someone else stays theirs.
      for (const id of ids) {
        const k = `${id.kind}:${id.value}`;
        if (!owner.has(k)) {
          owner.set(k, customerId);
          newIdentifiers.push({ customerId, kind: id.kind, value: id.value });
        }
      }
      return customerId;
    });

    if (newCustomers.length > 0) {
      await m.query(
        `INSERT INTO customers (id, first_name, last_name, preferred_language)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::varchar[])`,
        [newCustomers.map((c) => c.id), newCustomers.map((c) => c.firstName), newCustomers.map((c) => c.lastName), newCustomers.map((c) => c.language)],
      );
    }
    if (newIdentifiers.length > 0) {
      await m.query(
        `INSERT INTO customer_identifiers (customer_id, kind, value)
         SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::text[]) ON CONFLICT (kind, value) DO NOTHING`,
        [newIdentifiers.map((i) => i.customerId), newIdentifiers.map((i) => i.kind), newIdentifiers.map((i) => i.value)],
      );
    }
    return customerOf;
  }

  private async placeMessages(m: EntityManager, events: InboundJobData[], customerOf: string[], placed: Map<string, Placement>): Promise<void> {
    const threadTo = await this.findThreads(m, events, customerOf);

    const [institutionRows, queueRows]: [RoutingInstitution[], RoutingQueue[]] = await Promise.all([
      m.query('SELECT id, code, accepts_cases, referral_info FROM institutions'),
      m.query('SELECT id, institution_id, level, is_general FROM queues'),
    ]);
    const institutions = new Map(institutionRows.map((i) => [i.code, i]));

    const needReference = events.filter((e, i) => !threadTo[i] && !e.reference).length;
    const references = await this.references.next(needReference, new Date(), m);

    const tickets: Array<Record<string, unknown>> = [];
    const escalations: Array<Record<string, unknown>> = [];
    const messages: Array<Record<string, unknown>> = [];
    const threadedTicketIds = new Set<string>();
    const batchThread = new Map<string, Placement>();

    events.forEach((e, i) => {
      const message = e.message;
      const messageId = randomUUID();
      // A later event of a conversation may arrive in the same batch as the one that opened its ticket.
      const inBatch = (message.threadHints?.externalIds ?? []).map((x) => batchThread.get(key(message.channel, x))).find(Boolean);
      let placement: Placement;
      const thread = threadTo[i] ?? (inBatch ? { ticketId: inBatch.ticketId, reference: inBatch.reference } : null);
      if (thread) {
        placement = { ticketId: thread.ticketId, messageId, reference: thread.reference, outcome: 'threaded' };
        threadedTicketIds.add(thread.ticketId);
      } else {
        const route = decideRouting(message.institutionCode, institutions, queueRows);
        const ticketId = randomUUID();
        const reference = e.reference ?? references.shift()!;
        tickets.push({
          id: ticketId,
          reference,
          channel: message.channel,
          institution_id: route.institutionId,
          referred_institution_id: route.referredInstitutionId,
          topic: message.topic ?? null,
          kind: message.kind ?? 'question',
          language: message.language ?? 'lv',
          status: 'queued',
          level: route.level,
          queue_id: route.queueId,
          customer_id: customerOf[i],
          subject: message.subject ?? null,
          created_at: e.receivedAt,
        });
        escalations.push({
          ticket_id: ticketId,
          from_level: 0,
          to_level: route.level,
          to_queue_id: route.queueId,
          to_institution_id: route.institutionId ?? route.referredInstitutionId,
          reason: route.reason,
          summary: route.summary,
        });
        placement = { ticketId, messageId, reference, outcome: 'created' };
      }
      messages.push({
        id: messageId,
        ticket_id: placement.ticketId,
        channel: message.channel,
        external_id: message.externalId,
        subject: message.subject ?? null,
        text: message.text,
        html: message.html ?? null,
        sent_at: message.sentAt ?? null,
        created_at: e.receivedAt,
        event_id: e.eventId,
        has_attachments: message.attachmentIds.length > 0,
      });
      placed.set(key(message.channel, message.externalId), placement);
      batchThread.set(key(message.channel, message.externalId), placement);
    });

    const col = <T>(rows: Array<Record<string, unknown>>, name: string) => rows.map((r) => r[name] as T);
    if (tickets.length > 0) {
      await m.query(
        `INSERT INTO tickets (id, reference, channel, institution_id, referred_institution_id, topic, kind, language,
                              status, level, queue_id, customer_id, subject, created_at, updated_at)
         SELECT u.*, u.created_at FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::uuid[], $5::uuid[], $6::text[],
                              $7::varchar[], $8::varchar[], $9::varchar[], $10::smallint[], $11::uuid[], $12::uuid[],
                              $13::text[], $14::timestamptz[])
           AS u(id, reference, channel, institution_id, referred_institution_id, topic, kind, language, status, level,
                queue_id, customer_id, subject, created_at)`,
        ['id', 'reference', 'channel', 'institution_id', 'referred_institution_id', 'topic', 'kind', 'language', 'status', 'level', 'queue_id', 'customer_id', 'subject', 'created_at'].map(
          (c) => col(tickets, c),
        ),
      );
      await m.query(
        `INSERT INTO escalations (ticket_id, from_level, to_level, to_queue_id, to_institution_id, reason, summary)
         SELECT * FROM unnest($1::uuid[], $2::smallint[], $3::smallint[], $4::uuid[], $5::uuid[], $6::varchar[], $7::text[])`,
        ['ticket_id', 'from_level', 'to_level', 'to_queue_id', 'to_institution_id', 'reason', 'summary'].map((c) => col(escalations, c)),
      );
    }
    await m.query(
      `INSERT INTO messages (id, ticket_id, channel, external_id, direction, author_type, subject, text, html, sent_at, created_at)
       SELECT u.id, u.ticket_id, u.channel, u.external_id, 'inbound', 'customer', u.subject, u.text, u.html, u.sent_at, u.created_at
       FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::timestamptz[])
         AS u(id, ticket_id, channel, external_id, subject, text, html, sent_at, created_at)`,
      ['id', 'ticket_id', 'channel', 'external_id', 'subject', 'text', 'html', 'sent_at', 'created_at'].map((c) => col(messages, c)),
    );
    const withFiles = messages.filter((r) => r.has_attachments);
    if (withFiles.length > 0) {
      await m.query(
        `UPDATE attachments a SET message_id = u.message_id
         FROM unnest($1::uuid[], $2::uuid[]) AS u(event_id, message_id) WHERE a.inbound_event_id = u.event_id`,
        [col(withFiles, 'event_id'), col(withFiles, 'id')],
      );
    }
    if (threadedTicketIds.size > 0) {
      // The customer wrote again: a ticket waiting on them, or already resolved, needs a person again.
      await m.query(
        `UPDATE tickets SET updated_at = now(),
                status = CASE WHEN status IN ('pending_customer', 'resolved') THEN 'queued' ELSE status END
         WHERE id = ANY($1::uuid[])`,
        [[...threadedTicketIds]],
      );
    }
  }

  /**
   * Threading, in the order DESIGN.md gives: earlier external ids of the conversation (In-Reply-To/References,
   * a chat session, a call), then a ticket reference the customer quoted. A quoted reference only threads onto
   * a ticket of the same customer, so quoting someone else's reference cannot put text into their case.
   * Closed tickets are not reopened here: the contact opens a new ticket.
   */
  private async findThreads(m: EntityManager, events: InboundJobData[], customerOf: string[]): Promise<Array<{ ticketId: string; reference: string } | null>> {
    const hinted = events.some((e) => e.message.threadHints?.externalIds?.length || e.message.threadHints?.reference);
    if (!hinted) return events.map(() => null);

    const channels: string[] = [];
    const externalIds: string[] = [];
    const referenceList: string[] = [];
    for (const e of events) {
      for (const x of e.message.threadHints?.externalIds ?? []) channels.push(e.message.channel), externalIds.push(x);
      if (e.message.threadHints?.reference) referenceList.push(e.message.threadHints.reference);
    }
    const byExternal = new Map<string, { ticketId: string; reference: string }>();
    if (externalIds.length > 0) {
      const rows: Array<{ channel: string; external_id: string; ticket_id: string; reference: string }> = await m.query(
        `SELECT ms.channel, ms.external_id, ms.ticket_id, t.reference
         FROM messages ms JOIN tickets t ON t.id = ms.ticket_id
         JOIN unnest($1::text[], $2::text[]) AS k(channel, external_id) ON ms.channel = k.channel AND ms.external_id = k.external_id
         WHERE t.status <> 'closed'`,
        [channels, externalIds],
      );
      for (const r of rows) byExternal.set(key(r.channel, r.external_id), { ticketId: r.ticket_id, reference: r.reference });
    }
    const byReference = new Map<string, { ticketId: string; reference: string; customerId: string | null }>();
    if (referenceList.length > 0) {
      const rows: Array<{ id: string; reference: string; customer_id: string | null }> = await m.query(
        `SELECT id, reference, customer_id FROM tickets WHERE reference = ANY($1::text[]) AND status <> 'closed'`,
        [referenceList],
      );
      for (const r of rows) byReference.set(r.reference, { ticketId: r.id, reference: r.reference, customerId: r.customer_id });
    }
    return events.map((e, i) => {
      for (const x of e.message.threadHints?.externalIds ?? []) {
        const hit = byExternal.get(key(e.message.channel, x));
        if (hit) return hit;
      }
      const ref = e.message.threadHints?.reference ? byReference.get(e.message.threadHints.reference) : undefined;
      if (ref && ref.customerId === customerOf[i]) return { ticketId: ref.ticketId, reference: ref.reference };
      return null;
    });
  }
}

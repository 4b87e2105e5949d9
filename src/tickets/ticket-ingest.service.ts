import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { AuditEntry, AuditService } from '../audit/audit.service';
import { acknowledgement } from '../automation/acknowledgement';
import { referenceNotice } from '../automation/reference-notice';
import { caseLinkUrl } from '../case-status/case-link';
import { CsatService } from '../csat/csat.service';
import {
  ContactIdentifier,
  identifierKey,
  isVerifiedStrong,
  KnownIdentifier,
  matchCustomer,
  Provenance,
  strongerProvenance,
} from '../customers/customer-matching';
import type { AcceptedEvent } from '../inbound/inbound-message';
import { decideRouting, RoutingInstitution, RoutingQueue, RoutingRuleRow } from '../routing/routing-decision';
import { SlaEngine, SlaTrigger } from '../sla/sla-engine.service';
import { TicketEffects } from './ticket-effects';
import { TicketEffectsPublisher } from './ticket-effects.publisher';
import { TicketChanges } from './ticket-changes.service';
import { CustomersRepository, NewCustomer } from '../customers/customers.repository';
import { EscalationReason, EscalationsRepository } from './repositories/escalations.repository';
import { SLA_SUMMARY_COLUMNS, TICKET_ROW_LOCK, TicketsRepository } from './repositories/tickets.repository';
import { TicketReferenceService } from './ticket-reference.service';
import { ContactClassifierService } from '../classification/contact-classifier.service';
import { ContactLabels, contactLabels } from './contact-classification';
import { answerRow, Level0AnswerPlanner, takeAnswer } from './level0-answer-planner';

export interface IngestResult {
  /** created: a new ticket; follow-up: a new ticket linked to a closed one; threaded/reopened: onto an existing ticket. */
  outcome: 'created' | 'follow-up' | 'threaded' | 'reopened' | 'duplicate' | 'delivery-report' | 'dropped';
  ticketId: string | null;
  messageId: string | null;
  reference: string | null;
  /** The acknowledgement level 0 stored for sending, or why there is none. */
  acknowledgement?: { messageId: string } | { suppressed: string };
}

/** Weakest first, as SQL compares them. */
const PROVENANCE_ORDER: Provenance[] = ['citizen', 'channel', 'staff', 'portal'];

/** The contact's identifiers; an event accepted before identifiers had a provenance counts as unverified. */
const contactIdentifiers = (e: AcceptedEvent): ContactIdentifier[] =>
  e.message.from.identifiers.map((i) => ({ kind: i.kind, value: i.value, provenance: i.provenance ?? 'citizen' }));

// The unit separator cannot appear in a channel name; PostgreSQL text refuses NUL.
const key = (channel: string, externalId: string) => `${channel}\u001f${externalId}`;

type Placement = IngestResult;

interface Thread {
  ticketId: string;
  reference: string;
  status: string;
  level: number;
  closedAt: Date | null;
}

/** Tells the person who picks the contact up from the general queue why it is there. */
const unclassifiedNote = (l: ContactLabels) =>
  l.unclassified ? `unclassified: level 0 could not tell the institution (confidence ${(l.classifierConfidence ?? 0).toFixed(2)})` : null;

/** An event whose conversation's first event is accepted but not yet a message: it is retried, not given a ticket of its own. */
export class ThreadNotReadyError extends Error {}

/** The columns of a message the ingest inserts, with their types: one array of values per column. */
const MESSAGE_COLUMNS = {
  id: 'uuid',
  ticket_id: 'uuid',
  channel: 'varchar',
  external_id: 'text',
  direction: 'varchar',
  author_type: 'varchar',
  subject: 'text',
  text: 'text',
  html: 'text',
  address: 'text',
  meta: 'jsonb',
  delivery_status: 'varchar',
  sent_at: 'timestamptz',
  created_at: 'timestamptz',
  author_agent_id: 'uuid',
} as const;

/**
 * Turns inbound events into tickets and messages. It takes a batch of inbound events and, in one transaction,
 * drops the ones already stored, resolves customers, threads onto open tickets or opens new ones with a
 * reference, records the hand-over from level 0 to the queue routing chose, and marks the events processed.
 * Running it twice on the same events changes nothing the second time.
 */
@Injectable()
export class TicketIngestService {
  constructor(
    private readonly references: TicketReferenceService,
    private readonly config: AppConfig,
    private readonly sla: SlaEngine,
    private readonly effects: TicketEffectsPublisher,
    private readonly escalations: EscalationsRepository,
    private readonly customers: CustomersRepository,
    private readonly audit: AuditService,
    private readonly classifier: ContactClassifierService,
    private readonly level0Answers: Level0AnswerPlanner,
    private readonly csat: CsatService,
    private readonly changes: TicketChanges,
    private readonly tickets: TicketsRepository,
  ) {}

  /** Level 0's labels for a new contact (see contact-classification.ts). */
  private labels(message: AcceptedEvent['message']) {
    return contactLabels(message, (text) => this.classifier.classify(text, message.language), this.config.CLASSIFIER_MIN_CONFIDENCE);
  }

  /** The domain of the Message-IDs we give outgoing mail. */
  get mailDomain(): string {
    return /@([A-Za-z0-9.-]+)/.exec(this.config.MAIL_FROM ?? '')?.[1] ?? 'vpppd.invalid';
  }

  /**
   * After commit (TicketEffects): the acknowledgements are sent, everyone who may see the tickets hears of them, the
   * agent who snoozed a ticket the customer has now woken hears `ticket.woken`, and waiting work is offered, since
   * new work or a customer's answer may have put a ticket in a queue.
   */
  async ingest(events: AcceptedEvent[]): Promise<IngestResult[]> {
    return this.effects.transaction(async (m, effects) => {
      const results = await this.ingestInTransaction(m, events, effects);
      effects.outbound(results.map((r) => (r.acknowledgement && 'messageId' in r.acknowledgement ? r.acknowledgement.messageId : null)));
      const placed = results.filter((r) => r.ticketId && r.outcome !== 'duplicate' && r.outcome !== 'dropped');
      if (placed.length > 0) {
        effects.ticketsChanged(
          placed.filter((p) => p.outcome === 'created' || p.outcome === 'follow-up').map((p) => p.ticketId!),
          'created',
        );
        effects.ticketsChanged(placed.filter((p) => p.outcome !== 'created' && p.outcome !== 'follow-up').map((p) => p.ticketId!));
        effects.offerWork('inbound');
      }
      return results;
    }, 'READ COMMITTED');
  }

  private async ingestInTransaction(m: EntityManager, events: AcceptedEvent[], effects: TicketEffects): Promise<IngestResult[]> {
    const placed = new Map<string, Placement>();
    const msg = (e: AcceptedEvent) => e.message;

    // Serialise work on the same events and the same customer identifiers across concurrent batches, in a fixed
    // order so two batches can never deadlock. Everything below can then read-then-write without races.
    const lockKeys = new Set<string>();
    for (const e of events) {
      lockKeys.add(`m:${key(msg(e).channel, msg(e).externalId)}`);
      // Waiting on the event a later one threads onto: whichever runs second sees the first one's ticket.
      for (const x of msg(e).threadHints?.externalIds ?? []) lockKeys.add(`m:${key(msg(e).channel, x)}`);
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
      placed.set(key(row.channel, row.external_id), {
        ticketId: row.ticket_id,
        messageId: row.id,
        reference: row.reference,
        outcome: 'duplicate',
      });
    }
    const fresh: AcceptedEvent[] = [];
    const seen = new Set<string>();
    for (const e of events) {
      const k = key(msg(e).channel, msg(e).externalId);
      if (placed.has(k) || seen.has(k)) continue;
      seen.add(k);
      fresh.push(e);
    }

    const reports = fresh.filter((e) => e.message.deliveryReport);
    // An event that others in the batch thread onto is placed first, so they find the ticket it opens.
    const hintedInBatch = new Set(fresh.flatMap((e) => (msg(e).threadHints?.externalIds ?? []).map((x) => key(msg(e).channel, x))));
    const contacts = fresh
      .filter((e) => !e.message.deliveryReport)
      .sort(
        (a, b) =>
          Number(hintedInBatch.has(key(msg(b).channel, msg(b).externalId))) -
          Number(hintedInBatch.has(key(msg(a).channel, msg(a).externalId))),
      );
    if (reports.length > 0) await this.applyDeliveryReports(m, reports, placed);
    if (contacts.length > 0) {
      const customerOf = await this.resolveCustomers(m, contacts);
      const slaTriggers = await this.placeMessages(m, contacts, customerOf, placed, effects);
      await this.sla.apply(m, slaTriggers, effects.timers);
    }

    const results: IngestResult[] = events.map((e) => {
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

  /**
   * A bounce of our own outbound mail marks that message failed on its ticket; it never opens a ticket. A report
   * about mail we did not send is recorded as processed and nothing else.
   */
  private async applyDeliveryReports(m: EntityManager, events: AcceptedEvent[], placed: Map<string, Placement>): Promise<void> {
    for (const e of events) {
      const report = e.message.deliveryReport!;
      let hit: { id: string; ticket_id: string; reference: string } | undefined;
      if (report.originalExternalId) {
        const failed = report.action === 'failed';
        const reason = [report.status, report.diagnostic].filter(Boolean).join(' ') || 'delivery failed';
        [hit] = await m.query(
          `UPDATE messages ms SET delivery_status = CASE WHEN $3 THEN 'failed' ELSE ms.delivery_status END,
                  delivery_error = $4,
                  meta = ms.meta || jsonb_build_object('deliveryReport', $5::jsonb)
           FROM tickets t
           WHERE t.id = ms.ticket_id AND ms.channel = $1 AND ms.external_id = $2 AND ms.direction = 'outbound'
           RETURNING ms.id, ms.ticket_id, t.reference`,
          [e.message.channel, report.originalExternalId, failed, reason.slice(0, 2000), JSON.stringify(report)],
        );
      }
      placed.set(key(e.message.channel, e.message.externalId), {
        outcome: 'delivery-report',
        ticketId: hit?.ticket_id ?? null,
        messageId: hit?.id ?? null,
        reference: hit?.reference ?? null,
      });
    }
  }

  /**
   * Finds each event's customer by the rules of customer-matching.ts (only proof joins a contact to an existing
   * customer), creating customers and identifiers that are new. Events of one batch are matched in order, each
   * seeing what the earlier ones added.
   */
  private async resolveCustomers(m: EntityManager, events: AcceptedEvent[]): Promise<string[]> {
    const contactOf = events.map((e) => contactIdentifiers(e));
    const all = contactOf.flat();
    const known = new Map<string, KnownIdentifier>();
    const verifiedStrong = new Set<string>();
    for (const k of await this.customers.findIdentifiers(m, all)) known.set(identifierKey(k), k);
    for (const id of await this.customers.withVerifiedStrong(m, [...new Set([...known.values()].map((k) => k.customerId))]))
      verifiedStrong.add(id);
    const linkableFor = await this.linkableCustomers(m, events, known);

    const newCustomers: NewCustomer[] = [];
    const newIdentifiers: KnownIdentifier[] = [];
    const changed: KnownIdentifier[] = [];
    const claimed: AuditEntry[] = [];
    const customerOf = events.map((e, i) => {
      const decision = matchCustomer(contactOf[i], { known, verifiedStrong, linkable: linkableFor[i] });
      let customerId = decision.customerId;
      if (!customerId) {
        customerId = randomUUID();
        newCustomers.push({
          id: customerId,
          firstName: e.message.from.firstName ?? null,
          lastName: e.message.from.lastName ?? null,
          language: e.message.language ?? null,
        });
      }
      for (const id of decision.add) {
        const row = { ...id, customerId };
        known.set(identifierKey(id), row);
        newIdentifiers.push(row);
      }
      for (const id of [...decision.claim, ...decision.upgrade]) {
        const before = known.get(identifierKey(id))!;
        const row = { ...id, customerId };
        known.set(identifierKey(id), row);
        changed.push(row);
        if (before.customerId !== customerId) {
          claimed.push({
            actorAgentId: e.message.loggedBy?.agentId ?? null,
            action: 'customer.identifier_claimed',
            subjectType: 'customer',
            subjectId: customerId,
            detail: { kind: id.kind, provenance: id.provenance, fromCustomer: before.customerId, fromProvenance: before.provenance },
          });
        }
      }
      if ([...decision.add, ...decision.claim, ...decision.upgrade].some(isVerifiedStrong)) verifiedStrong.add(customerId);
      return customerId;
    });

    await this.customers.create(m, newCustomers);
    await this.customers.addIdentifiers(m, newIdentifiers);
    await this.customers.reassignIdentifiers(m, changed);
    if (claimed.length > 0) await this.audit.record(claimed, m);
    return customerOf;
  }

  /**
   * For contacts logged by a member of staff with a limited scope: the customers among those known whom they may
   * join, i.e. who already have a ticket of their institutions. Everyone else may join any customer.
   */
  private async linkableCustomers(
    m: EntityManager,
    events: AcceptedEvent[],
    known: Map<string, KnownIdentifier>,
  ): Promise<Array<((customerId: string) => boolean) | undefined>> {
    const owners = [...new Set([...known.values()].map((k) => k.customerId))];
    return Promise.all(
      events.map(async (e) => {
        const scope = e.message.from.linkScope;
        if (!scope) return undefined;
        const rows: Array<{ customer_id: string }> =
          owners.length === 0
            ? []
            : await m.query(
                `SELECT DISTINCT customer_id FROM tickets WHERE customer_id = ANY($1::uuid[]) AND institution_id = ANY($2::uuid[])`,
                [owners, scope.institutionIds],
              );
        const allowed = new Set(rows.map((r) => r.customer_id));
        return (customerId: string) => allowed.has(customerId);
      }),
    );
  }

  /**
   * Places the messages and returns what the SLA clocks must still hear about (customers writing again, hand-overs,
   * new tickets that later events of the batch joined); the clocks of the other new tickets are written with them.
   */
  private async placeMessages(
    m: EntityManager,
    events: AcceptedEvent[],
    customerOf: string[],
    placed: Map<string, Placement>,
    effects: TicketEffects,
  ): Promise<Array<{ ticketId: string; trigger: SlaTrigger }>> {
    const slaTriggers: Array<{ ticketId: string; trigger: SlaTrigger }> = [];
    const threadTo = await this.findThreads(m, events, customerOf);

    // One after another: a transaction is one connection, and pg will refuse queries queued on a busy client.
    const institutionRows: RoutingInstitution[] = await m.query('SELECT id, code, accepts_cases, referral_info FROM institutions');
    const queueRows: RoutingQueue[] = await m.query('SELECT id, institution_id, level, is_general FROM queues');
    const ruleRows: RoutingRuleRow[] = await m.query(
      'SELECT institution_id, language, channel, topic, queue_id FROM routing_rules WHERE active ORDER BY position, created_at, id',
    );
    const institutions = new Map(institutionRows.map((i) => [i.code, i]));

    const reopenWindowMs = this.config.EMAIL_REOPEN_WINDOW_DAYS * 24 * 3600 * 1000;
    const reopenable = (t: Thread) => t.status !== 'closed' || (t.closedAt !== null && Date.now() - t.closedAt.getTime() <= reopenWindowMs);
    const opensTicket = (i: number) => !events[i].message.threadOnly && (!threadTo[i] || !reopenable(threadTo[i]));
    const needReference = events.filter((e, i) => opensTicket(i) && !e.reference).length;
    const references = await this.references.next(needReference, new Date(), m);
    const ackBudget = await this.acknowledgementBudget(m, events);
    // Level 0's labels for every contact that opens a ticket, and the written answers it may give some of them.
    const labelsOf = events.map((e, i) => (opensTicket(i) ? this.labels(e.message) : null));
    const answers = await this.level0Answers.plan(
      m,
      labelsOf.flatMap((labels, index) => (labels ? [{ index, message: events[index].message, labels }] : [])),
    );
    const answeredAudit: AuditEntry[] = [];

    const tickets: Array<Record<string, unknown>> = [];
    const escalations: Array<Record<string, unknown>> = [];
    const messages: Array<Record<string, unknown>> = [];
    const threadedTicketIds = new Set<string>();
    const reopenedTicketIds = new Set<string>();
    const batchThread = new Map<string, Placement>();
    const newTicketLevel = new Map<string, number>();
    /** New tickets a later event of the batch writes to again: their clocks hear of both, after the rows are written. */
    const joinedInBatch = new Set<string>();
    const handOvers: Array<{ ticketId: string; reference: string; message: AcceptedEvent['message'] }> = [];
    const endings: Array<{ ticketId: string; resolvedAtLevelZero: boolean }> = [];

    events.forEach((e, i) => {
      const message = e.message;
      const messageId = randomUUID();
      if (message.threadOnly && (!threadTo[i] || threadTo[i].status === 'closed')) {
        // Automated mail outside an open conversation: nobody waits for an answer to it, and it reopens nothing.
        placed.set(key(message.channel, message.externalId), { outcome: 'dropped', ticketId: null, messageId: null, reference: null });
        return;
      }
      // A later event of a conversation may arrive in the same batch as the one that opened its ticket.
      const inBatch = (message.threadHints?.externalIds ?? []).map((x) => batchThread.get(key(message.channel, x))).find(Boolean);
      const batchLevel = inBatch ? (newTicketLevel.get(inBatch.ticketId!) ?? 1) : 1;
      const thread: Thread | null =
        threadTo[i] ??
        (inBatch
          ? {
              ticketId: inBatch.ticketId!,
              reference: inBatch.reference!,
              status: batchLevel === 0 ? 'bot' : 'queued',
              level: batchLevel,
              closedAt: null,
            }
          : null);
      let placement: Placement;
      if (thread && reopenable(thread)) {
        if (newTicketLevel.has(thread.ticketId)) joinedInBatch.add(thread.ticketId);
        const reopened = thread.status === 'closed';
        placement = { ticketId: thread.ticketId, messageId, reference: thread.reference, outcome: reopened ? 'reopened' : 'threaded' };
        (reopened ? reopenedTicketIds : threadedTicketIds).add(thread.ticketId);
        // A conversation still with level 0 has no clocks: they start when a person is asked for.
        if (!message.loggedBy && thread.level > 0)
          slaTriggers.push({ ticketId: thread.ticketId, trigger: { type: 'customer_message', at: new Date(e.receivedAt) } });
        if (message.handOver && thread.level === 0) handOvers.push({ ticketId: thread.ticketId, reference: thread.reference, message });
        // A reply to level 0's written answer (resolved, or closed since, within the reopen window): the answer did
        // not settle it, so a person takes the case.
        if (
          !message.handOver &&
          !message.loggedBy &&
          thread.level === 0 &&
          (thread.status === 'resolved' || thread.status === 'closed') &&
          message.channel === 'email'
        ) {
          handOvers.push({
            ticketId: thread.ticketId,
            reference: thread.reference,
            message: {
              ...message,
              handOver: { summary: "The citizen replied to level 0's written answer", comment: 'reply to an automatic answer' },
            },
          });
        }
        if (message.conversationEnded && thread.level === 0)
          endings.push({ ticketId: thread.ticketId, resolvedAtLevelZero: message.conversationEnded.resolvedAtLevelZero });
      } else {
        const labels = labelsOf[i] ?? this.labels(message);
        const route = decideRouting(labels.institutionCode, institutions, queueRows, ruleRows, {
          channel: message.channel,
          language: message.language ?? 'lv',
          topic: labels.topic ?? null,
        });
        // Level 0 answers it in writing (the answer is its acknowledgement, within the same daily brake).
        const answer = takeAnswer(answers.get(i), message, ackBudget);
        const selfServed = message.servedAtLevel0 === true || answer !== null;
        const resolvedNow = selfServed || message.loggedBy?.resolved === true;
        const ticketId = randomUUID();
        const reference = e.reference ?? references.shift()!;
        // Still with the assistant (a chat), or settled by automation before anyone was needed (an IVR answer).
        const withBot = Boolean(message.atLevelZero && !message.handOver);
        const atLevelZero = withBot || selfServed;
        newTicketLevel.set(ticketId, atLevelZero ? 0 : route.level);
        tickets.push({
          id: ticketId,
          reference,
          channel: message.channel,
          institution_id: route.institutionId,
          referred_institution_id: route.referredInstitutionId,
          topic: labels.topic ?? null,
          kind: labels.kind ?? 'question',
          language: message.language ?? 'lv',
          // Written, not left to the column's default: the SLA policy is chosen by it before the row exists.
          priority: 'normal',
          status: resolvedNow ? 'resolved' : withBot ? 'bot' : 'queued',
          level: atLevelZero ? 0 : route.level,
          queue_id: atLevelZero ? null : route.queueId,
          customer_id: customerOf[i],
          subject: message.subject ?? null,
          created_at: e.receivedAt,
          origin_address: message.to ?? null,
          follow_up_of_id: thread?.ticketId ?? null,
          // Served on the spot: answered and resolved when it happened.
          resolved_at: resolvedNow ? (message.sentAt ?? e.receivedAt) : null,
          classifier_version: labels.classifierVersion,
          classifier_confidence: labels.classifierConfidence,
          unclassified: labels.unclassified,
        });
        // Nothing handed over yet (or ever, when served at level 0): no escalation to record.
        if (!atLevelZero) {
          escalations.push({
            ticket_id: ticketId,
            from_level: 0,
            to_level: route.level,
            to_queue_id: route.queueId,
            to_institution_id: route.institutionId ?? route.referredInstitutionId,
            reason: message.handOver ? 'escalated' : route.reason,
            at: e.receivedAt,
            summary: [unclassifiedNote(labels), route.summary, message.handOver?.summary].filter(Boolean).join('\n') || null,
            comment: message.handOver?.comment ?? null,
          });
        }
        // A conversation still with the assistant has no clocks: they start when a person is asked for.
        if (!withBot)
          slaTriggers.push({
            ticketId,
            trigger: { type: 'created', at: new Date(e.receivedAt), servedOnTheSpot: Boolean(message.loggedBy) },
          });
        placement = { ticketId, messageId, reference, outcome: thread ? 'follow-up' : 'created' };
        if (withBot && message.conversationEnded)
          endings.push({ ticketId, resolvedAtLevelZero: message.conversationEnded.resolvedAtLevelZero });
        if (answer) {
          const row = answerRow(e, placement.ticketId!, placement.reference!, answer, this.mailDomain);
          placement.acknowledgement = { messageId: row.id as string };
          messages.push(row);
          answeredAudit.push({
            actorAgentId: null,
            action: 'ticket.answered_at_level0',
            subjectType: 'ticket',
            subjectId: ticketId,
            detail: {
              reference,
              topic: labels.topic ?? null,
              articleId: answer.articleId,
              score: answer.score,
              language: answer.language,
              modelVersion: labels.classifierVersion,
            },
          });
        }
        const ack = answer ? null : this.planAcknowledgement(e, placement, ackBudget);
        if (ack) {
          placement.acknowledgement = 'row' in ack ? { messageId: ack.row.id as string } : { suppressed: ack.suppressed };
          if ('row' in ack) messages.push(ack.row);
        }
      }
      messages.unshift({
        id: messageId,
        ticket_id: placement.ticketId,
        channel: message.channel,
        external_id: message.externalId,
        direction: 'inbound',
        author_type: message.loggedBy ? 'agent' : message.conversationEnded ? 'system' : 'customer',
        author_agent_id: message.loggedBy?.agentId ?? null,
        subject: message.subject ?? null,
        text: message.text,
        html: message.html ?? null,
        address: message.from.address ?? null,
        meta: JSON.stringify({
          ...(message.meta ?? {}),
          ...(placement.acknowledgement && 'suppressed' in placement.acknowledgement ? { acknowledgement: placement.acknowledgement } : {}),
        }),
        delivery_status: null,
        sent_at: message.sentAt ?? null,
        created_at: e.receivedAt,
        event_id: e.eventId,
        has_attachments: message.attachmentIds.length > 0,
      });
      if (message.assistantReply) {
        // Already shown to the visitor: stored as sent, one millisecond after the message it answers.
        messages.push({
          id: randomUUID(),
          ticket_id: placement.ticketId,
          channel: message.channel,
          external_id: `${message.externalId}#assistant`,
          direction: 'outbound',
          author_type: 'bot',
          author_agent_id: null,
          subject: null,
          text: message.assistantReply.text,
          html: null,
          address: message.from.address ?? null,
          meta: JSON.stringify({ ...(message.assistantReply.meta ?? {}), inReplyTo: message.externalId }),
          delivery_status: 'sent',
          sent_at: new Date(Date.parse(e.receivedAt) + 1).toISOString(),
          created_at: new Date(Date.parse(e.receivedAt) + 1).toISOString(),
          event_id: null,
          has_attachments: false,
        });
      }
      placed.set(key(message.channel, message.externalId), placement);
      batchThread.set(key(message.channel, message.externalId), placement);
    });

    messages.push(...(await this.planReferenceNotices(m, events, placed, ackBudget)));

    const col = <T>(rows: Array<Record<string, unknown>>, name: string) => rows.map((r) => r[name] as T);
    // The clocks of a ticket nothing else in the batch touches are decided now, and its row written with their summary.
    const startsAlone = (t: { ticketId: string; trigger: SlaTrigger }) =>
      t.trigger.type === 'created' && newTicketLevel.has(t.ticketId) && !joinedInBatch.has(t.ticketId);
    const ticketById = new Map(tickets.map((t) => [t.id as string, t]));
    const started = await this.sla.startClocks(
      m,
      slaTriggers.filter(startsAlone).map(({ ticketId, trigger }) => {
        const t = ticketById.get(ticketId)!;
        return {
          id: ticketId,
          channel: t.channel as string,
          level: t.level as number,
          priority: t.priority as string,
          institution_id: t.institution_id as string | null,
          referred_institution_id: t.referred_institution_id as string | null,
          status: t.status as string,
          created_at: t.created_at as string,
          servedOnTheSpot: trigger.type === 'created' && trigger.servedOnTheSpot,
        };
      }),
      effects.timers,
    );
    const laterTriggers = slaTriggers.filter((t) => !startsAlone(t));
    const sla = (id: unknown) => started.summaries.get(id as string);
    const messageColumns = Object.entries(MESSAGE_COLUMNS);
    const insertMessages = (firstParameter: number) =>
      `INSERT INTO messages (${messageColumns.map(([name]) => name).join(', ')})
       SELECT * FROM unnest(${messageColumns.map(([, type], i) => `$${firstParameter + i}::${type}[]`).join(', ')})`;
    const messageValues = messageColumns.map(([name]) => col(messages, name));
    if (tickets.length > 0) {
      // One statement for the tickets and the messages: each new ticket's search document is then built once, from
      // both (migration SearchDocumentBuiltOnce), instead of written with the ticket and rewritten with its messages.
      await m.query(
        `WITH new_tickets AS (
         INSERT INTO tickets (id, reference, channel, institution_id, referred_institution_id, topic, kind, language, priority,
                              status, level, queue_id, customer_id, subject, created_at, origin_address, follow_up_of_id,
                              resolved_at, classifier_version, classifier_confidence, unclassified, sla_policy_id, sla_state, sla_due_at,
                              sla_warning_at, first_response_due_at, next_response_due_at, resolution_due_at, sla_breached_at,
                              first_response_at, updated_at)
         SELECT u.*, u.resolved_at, u.created_at FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::uuid[], $5::uuid[], $6::text[],
                              $7::varchar[], $8::varchar[], $9::varchar[], $10::varchar[], $11::smallint[], $12::uuid[], $13::uuid[],
                              $14::text[], $15::timestamptz[], $16::text[], $17::uuid[], $18::timestamptz[], $19::int[], $20::real[], $21::boolean[],
                              $22::uuid[], $23::varchar[], $24::timestamptz[], $25::timestamptz[], $26::timestamptz[], $27::timestamptz[],
                              $28::timestamptz[], $29::timestamptz[])
           AS u(id, reference, channel, institution_id, referred_institution_id, topic, kind, language, priority, status, level,
                queue_id, customer_id, subject, created_at, origin_address, follow_up_of_id, resolved_at,
                classifier_version, classifier_confidence, unclassified, sla_policy_id, sla_state, sla_due_at, sla_warning_at,
                first_response_due_at, next_response_due_at, resolution_due_at, sla_breached_at))
         ${insertMessages(30)}`,
        [
          'id',
          'reference',
          'channel',
          'institution_id',
          'referred_institution_id',
          'topic',
          'kind',
          'language',
          'priority',
          'status',
          'level',
          'queue_id',
          'customer_id',
          'subject',
          'created_at',
          'origin_address',
          'follow_up_of_id',
          'resolved_at',
          'classifier_version',
          'classifier_confidence',
          'unclassified',
        ]
          .map((c) => col(tickets, c))
          .concat(
            SLA_SUMMARY_COLUMNS.map((c) => tickets.map((t) => sla(t.id)?.[c] ?? null)),
            messageValues,
          ),
      );
      await this.escalations.append(
        m,
        escalations.map((e) => ({
          ticketId: e.ticket_id as string,
          fromLevel: e.from_level as number | null,
          toLevel: e.to_level as number,
          fromQueueId: null,
          toQueueId: e.to_queue_id as string,
          toInstitutionId: e.to_institution_id as string | null,
          reason: e.reason as EscalationReason,
          summary: e.summary as string | null,
          comment: e.comment as string | null,
          // Routed as it arrived: its clocks start then, as `startClocks` decided.
          at: e.at as string,
        })),
      );
      await this.sla.recordStarted(m, started);
    } else {
      await m.query(insertMessages(1), messageValues);
    }
    await this.recordTicketContacts(m, events, placed);
    // A contact served in full at a counter or on a direct line, or a call the IVR's answer served, ends here: its
    // person is asked how we did, by the e-mail or mobile number they gave or called from (the contacts just
    // recorded), sent after commit like an acknowledgement.
    for (const e of events) {
      const placement = placed.get(key(e.message.channel, e.message.externalId));
      const ended = e.message.loggedBy?.resolved || (e.message.askSatisfaction && e.message.servedAtLevel0);
      if (!ended || placement?.outcome !== 'created' || !placement.ticketId || placement.acknowledgement) continue;
      const survey = await this.csat.planSurvey(m, placement.ticketId);
      if (survey) placement.acknowledgement = { messageId: survey };
    }
    if (answeredAudit.length > 0) await this.audit.record(answeredAudit, m);
    const withFiles = messages.filter((r) => r.has_attachments);
    // (acknowledgement rows carry no event and no files)
    if (withFiles.length > 0) {
      await m.query(
        `UPDATE attachments a SET message_id = u.message_id
         FROM unnest($1::uuid[], $2::uuid[]) AS u(event_id, message_id) WHERE a.inbound_event_id = u.event_id`,
        [col(withFiles, 'event_id'), col(withFiles, 'id')],
      );
    }
    if (reopenedTicketIds.size > 0) {
      await m.query(
        `UPDATE tickets SET updated_at = now(), status = CASE WHEN level = 0 THEN 'bot' ELSE 'queued' END, closed_at = NULL, resolved_at = NULL
         WHERE id = ANY($1::uuid[])`,
        [[...reopenedTicketIds]],
      );
    }
    if (threadedTicketIds.size > 0) {
      // The customer wrote again: a ticket waiting on them, or already resolved, needs a person again.
      await m.query(
        `UPDATE tickets SET updated_at = now(),
                status = CASE WHEN level = 0 THEN 'bot' WHEN status IN ('pending_customer', 'resolved') THEN 'queued' ELSE status END,
                resolved_at = CASE WHEN level = 0 THEN NULL ELSE resolved_at END
         WHERE id = ANY($1::uuid[])`,
        [[...threadedTicketIds]],
      );
    }
    // The customer wrote: a snoozed ticket is back in the inbox, whatever time it was snoozed until. One statement
    // for the whole batch; each ticket it woke is announced to its snoozer once, after commit.
    if (threadedTicketIds.size + reopenedTicketIds.size > 0) {
      await this.changes.wake(m, effects, [...threadedTicketIds, ...reopenedTicketIds], 'reply', {
        agentId: null,
        cause: 'customer-message',
      });
    }
    for (const h of handOvers) laterTriggers.push(...(await this.handOver(m, h, institutions, queueRows, ruleRows)));
    for (const end of endings) {
      // Resolved at level 0 when the assistant's answer helped; otherwise the visitor simply left and nobody owes them an answer.
      await m.query(
        `UPDATE tickets SET updated_at = now(), status = CASE WHEN $2 THEN 'resolved' ELSE 'closed' END,
                resolved_at = CASE WHEN $2 THEN now() ELSE NULL END, closed_at = CASE WHEN $2 THEN NULL ELSE now() END
         WHERE id = $1 AND level = 0`,
        [end.ticketId, end.resolvedAtLevelZero],
      );
    }
    return laterTriggers;
  }

  /** Each ticket keeps the identifiers its own contacts came with: where its replies go, and what staff see of it. */
  private async recordTicketContacts(m: EntityManager, events: AcceptedEvent[], placed: Map<string, Placement>): Promise<void> {
    const rows = new Map<string, { ticketId: string } & ContactIdentifier>();
    for (const e of events) {
      const ticketId = placed.get(key(e.message.channel, e.message.externalId))?.ticketId;
      if (!ticketId) continue;
      for (const id of contactIdentifiers(e)) {
        const k = `${ticketId}\u001f${identifierKey(id)}`;
        const seen = rows.get(k);
        rows.set(k, { ticketId, ...id, provenance: seen ? strongerProvenance(seen.provenance, id.provenance) : id.provenance });
      }
    }
    if (rows.size === 0) return;
    const list = [...rows.values()];
    await m.query(
      `INSERT INTO ticket_contacts (ticket_id, kind, value, provenance)
       SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::text[], $4::varchar[])
       ON CONFLICT (ticket_id, kind, value) DO UPDATE SET provenance = EXCLUDED.provenance
       WHERE array_position($5::text[], EXCLUDED.provenance) > array_position($5::text[], ticket_contacts.provenance)`,
      [list.map((r) => r.ticketId), list.map((r) => r.kind), list.map((r) => r.value), list.map((r) => r.provenance), PROVENANCE_ORDER],
    );
  }

  /**
   * Level 0 hands a conversation it held to a person: the ticket is routed as a new contact would be, an Escalation
   * row (from level 0, with the summary) and an audit event record it, and its SLA clocks start.
   */
  private async handOver(
    m: EntityManager,
    h: { ticketId: string; reference: string; message: AcceptedEvent['message'] },
    institutions: Map<string, RoutingInstitution>,
    queueRows: RoutingQueue[],
    ruleRows: RoutingRuleRow[],
  ): Promise<Array<{ ticketId: string; trigger: SlaTrigger }>> {
    const [ticket]: Array<{ level: number }> = await m.query(`SELECT level FROM tickets WHERE id = $1 ${TICKET_ROW_LOCK}`, [h.ticketId]);
    if (!ticket || ticket.level !== 0) return [];
    // What the citizen wrote while with the assistant is what the conversation is about.
    const [said]: Array<{ text: string | null }> = await m.query(
      `SELECT string_agg(text, E'\n' ORDER BY created_at, id) AS text FROM messages WHERE ticket_id = $1 AND author_type = 'customer'`,
      [h.ticketId],
    );
    const message = h.message;
    const labels = this.labels({ ...message, text: [said?.text, message.text].filter(Boolean).join('\n') });
    const route = decideRouting(labels.institutionCode, institutions, queueRows, ruleRows, {
      channel: message.channel,
      language: message.language ?? 'lv',
      topic: labels.topic ?? null,
    });
    const takenBy = message.handOver!.takenBy ?? null;
    await m.query(
      `UPDATE tickets SET level = $2, queue_id = $3, institution_id = coalesce($4, institution_id), referred_institution_id = $5,
              assignee_id = $6::uuid, status = CASE WHEN $6::uuid IS NULL THEN 'queued' ELSE 'assigned' END,
              resolved_at = NULL, closed_at = NULL, updated_at = now(),
              topic = coalesce(topic, $7), kind = CASE WHEN $8::varchar IS NOT NULL AND kind IN ('question', 'consultation') THEN $8 ELSE kind END,
              classifier_version = coalesce($9, classifier_version), classifier_confidence = coalesce($10, classifier_confidence), unclassified = $11
       WHERE id = $1`,
      [
        h.ticketId,
        route.level,
        route.queueId,
        route.institutionId,
        route.referredInstitutionId,
        takenBy,
        labels.topic ?? null,
        labels.kind ?? null,
        labels.classifierVersion,
        labels.classifierConfidence,
        labels.unclassified,
      ],
    );
    const summary = [unclassifiedNote(labels), route.summary, message.handOver!.summary].filter(Boolean).join('\n');
    await this.escalations.append(m, [
      {
        ticketId: h.ticketId,
        fromLevel: 0,
        toLevel: route.level,
        fromQueueId: null,
        toQueueId: route.queueId,
        toInstitutionId: route.institutionId ?? route.referredInstitutionId,
        reason: 'escalated',
        summary,
        comment: message.handOver!.comment,
        actorAgentId: takenBy,
      },
    ]);
    const entries: AuditEntry[] = [
      {
        actorAgentId: takenBy,
        action: 'ticket.escalated',
        subjectType: 'ticket',
        subjectId: h.ticketId,
        detail: {
          reference: h.reference,
          fromLevel: 0,
          toLevel: route.level,
          by: takenBy ? 'staff' : 'assistant',
          reason: message.handOver!.comment,
        },
      },
    ];
    if (takenBy) {
      entries.push({
        actorAgentId: takenBy,
        action: 'ticket.claimed',
        subjectType: 'ticket',
        subjectId: h.ticketId,
        detail: { reference: h.reference, from: null, to: takenBy, takenOver: true },
      });
    }
    await this.audit.record(entries, m);
    return [{ ticketId: h.ticketId, trigger: { type: 'created', at: new Date() } }];
  }

  /**
   * Threading, in the order DESIGN.md gives: earlier external ids of the conversation (In-Reply-To/References,
   * a chat session, a call), then a ticket reference the customer quoted. A quoted reference only threads onto
   * a ticket of the same customer, so quoting someone else's reference cannot put text into their case.
   * A closed ticket is found too: the caller reopens it, or opens a follow-up when it was closed too long ago.
   */
  private async findThreads(m: EntityManager, events: AcceptedEvent[], customerOf: string[]): Promise<Array<Thread | null>> {
    const hinted = events.some((e) => e.message.threadHints?.externalIds?.length || e.message.threadHints?.reference);
    if (!hinted) return events.map(() => null);

    const channels: string[] = [];
    const externalIds: string[] = [];
    const referenceList: string[] = [];
    for (const e of events) {
      for (const x of e.message.threadHints?.externalIds ?? []) {
        channels.push(e.message.channel);
        externalIds.push(x);
      }
      if (e.message.threadHints?.reference) referenceList.push(e.message.threadHints.reference);
    }
    const byExternal = new Map<string, Thread>();
    if (externalIds.length > 0) {
      const rows: Array<{
        channel: string;
        external_id: string;
        ticket_id: string;
        reference: string;
        status: string;
        level: number;
        closed_at: Date | null;
      }> = await m.query(
        `SELECT ms.channel, ms.external_id, ms.ticket_id, t.reference, t.status, t.level, t.closed_at
           FROM messages ms JOIN tickets t ON t.id = ms.ticket_id
           JOIN unnest($1::text[], $2::text[]) AS k(channel, external_id) ON ms.channel = k.channel AND ms.external_id = k.external_id`,
        [channels, externalIds],
      );
      for (const r of rows) {
        byExternal.set(key(r.channel, r.external_id), {
          ticketId: r.ticket_id,
          reference: r.reference,
          status: r.status,
          level: r.level,
          closedAt: r.closed_at,
        });
      }
    }
    const byReference = new Map<string, Thread & { customerId: string | null; contacts: Set<string> }>();
    if (referenceList.length > 0) {
      const rows: Array<{
        id: string;
        reference: string;
        customer_id: string | null;
        status: string;
        level: number;
        closed_at: Date | null;
        contacts: string[];
      }> = await m.query(
        `SELECT t.id, t.reference, t.customer_id, t.status, t.level, t.closed_at,
                  coalesce((SELECT array_agg(tc.kind || chr(31) || tc.value) FROM ticket_contacts tc WHERE tc.ticket_id = t.id), '{}') AS contacts
           FROM tickets t WHERE t.reference = ANY($1::text[])`,
        [referenceList.map((r) => r.toUpperCase())],
      );
      for (const r of rows) {
        byReference.set(r.reference, {
          ticketId: r.id,
          reference: r.reference,
          customerId: r.customer_id,
          status: r.status,
          level: r.level,
          closedAt: r.closed_at,
          contacts: new Set(r.contacts),
        });
      }
    }
    const found = events.map((e, i) => {
      for (const x of e.message.threadHints?.externalIds ?? []) {
        const hit = byExternal.get(key(e.message.channel, x));
        if (hit) return hit;
      }
      const ref = e.message.threadHints?.reference ? byReference.get(e.message.threadHints.reference.toUpperCase()) : undefined;
      // The same customer, or a sender the channel proves to be one of the ticket's own contacts (the address a
      // web form gave, now writing from it).
      const sameContact = ref && contactIdentifiers(e).some((id) => id.provenance !== 'citizen' && ref.contacts.has(identifierKey(id)));
      if (ref && (ref.customerId === customerOf[i] || sameContact)) {
        return { ticketId: ref.ticketId, reference: ref.reference, status: ref.status, level: ref.level, closedAt: ref.closedAt };
      }
      return null;
    });
    // The tickets this batch writes to are locked here, in one statement and in id order, as every writer of tickets
    // locks them first (TicketsRepository.lock). Locked later, piece by piece (the messages' foreign-key checks, the
    // search documents' upsert, the tickets' UPDATE), they deadlocked with operators' replies and SLA firings on the
    // same tickets under `bench:chat`, and the batch was run again. What decides the threading is read under the lock.
    const locked = new Map((await this.tickets.lock(m, [...new Set(found.flatMap((t) => (t ? [t.ticketId] : [])))])).map((t) => [t.id, t]));
    const threads = found.map((t): Thread | null => {
      const current = t && locked.get(t.ticketId);
      return current
        ? { ticketId: current.id, reference: current.reference, status: current.status, level: current.level, closedAt: current.closed_at }
        : null;
    });
    await this.refuseUnreadyThreads(m, events, threads);
    return threads;
  }

  /**
   * Events of one conversation may be processed out of order (concurrent batches). A later event whose
   * conversation's earlier event is accepted but not yet a message must not open a ticket of its own: it fails
   * with ThreadNotReadyError and its retry finds the ticket.
   */
  private async refuseUnreadyThreads(m: EntityManager, events: AcceptedEvent[], threads: Array<Thread | null>): Promise<void> {
    const inBatch = new Set(events.map((e) => key(e.message.channel, e.message.externalId)));
    const channels: string[] = [];
    const ids: string[] = [];
    events.forEach((e, i) => {
      if (threads[i]) return;
      for (const x of e.message.threadHints?.externalIds ?? []) {
        if (!inBatch.has(key(e.message.channel, x))) {
          channels.push(e.message.channel);
          ids.push(x);
        }
      }
    });
    if (ids.length === 0) return;
    const [pending]: Array<{ external_id: string }> = await m.query(
      `SELECT ie.external_id FROM inbound_events ie JOIN unnest($1::text[], $2::text[]) AS k(channel, external_id)
         ON ie.channel = k.channel AND ie.external_id = k.external_id
       WHERE ie.status = 'accepted' LIMIT 1`,
      [channels, ids],
    );
    if (pending) throw new ThreadNotReadyError(`waiting for the earlier event ${pending.external_id} of the conversation to be processed`);
  }

  /**
   * Level 0 tells the citizen their reference where they are (a social conversation, an SMS after a voicemail or a
   * call-back request), once per ticket: a later message, or a replayed event, finds the notice already stored. The
   * notice goes out through the outbound queue after commit, like an acknowledgement, within the same daily brake
   * per address.
   */
  private async planReferenceNotices(
    m: EntityManager,
    events: AcceptedEvent[],
    placed: Map<string, Placement>,
    budget: Map<string, number>,
  ): Promise<Array<Record<string, unknown>>> {
    const wanting = events.flatMap((e) => {
      const placement = placed.get(key(e.message.channel, e.message.externalId));
      const notice = e.message.referenceNotice;
      return notice && placement?.ticketId && placement.reference && !placement.acknowledgement ? [{ e, placement, notice }] : [];
    });
    if (wanting.length === 0) return [];
    const told: Array<{ ticket_id: string }> = await m.query(
      `SELECT DISTINCT ticket_id FROM messages WHERE ticket_id = ANY($1::uuid[]) AND meta->>'kind' = 'reference-notice'`,
      [[...new Set(wanting.map((w) => w.placement.ticketId!))]],
    );
    const done = new Set(told.map((r) => r.ticket_id));
    const rows: Array<Record<string, unknown>> = [];
    for (const { e, placement, notice } of wanting) {
      if (done.has(placement.ticketId!)) continue;
      const left = budget.get(notice.address) ?? this.config.EMAIL_ACK_MAX_PER_DAY;
      if (left <= 0) continue;
      budget.set(notice.address, left - 1);
      done.add(placement.ticketId!);
      const id = randomUUID();
      rows.push({
        id,
        ticket_id: placement.ticketId,
        channel: notice.channel,
        external_id: null,
        direction: 'outbound',
        author_type: 'bot',
        author_agent_id: null,
        subject: null,
        text: referenceNotice(notice.channel, e.message.language ?? 'lv', placement.reference!, this.config.PUBLIC_BASE_URL),
        html: null,
        address: notice.address,
        meta: JSON.stringify({ kind: 'reference-notice', inReplyTo: e.message.externalId }),
        delivery_status: 'queued',
        sent_at: null,
        created_at: new Date(Date.parse(e.receivedAt) + 2).toISOString(),
        event_id: null,
        has_attachments: false,
      });
      placement.acknowledgement = { messageId: id };
    }
    return rows;
  }

  /** How many more acknowledgements each address may get today: the brake on mail loops. */
  private async acknowledgementBudget(m: EntityManager, events: AcceptedEvent[]): Promise<Map<string, number>> {
    const addresses = [
      ...new Set(
        events.flatMap((e) => [
          ...(e.message.autoReply && 'address' in e.message.autoReply ? [e.message.autoReply.address] : []),
          ...(e.message.referenceNotice ? [e.message.referenceNotice.address] : []),
        ]),
      ),
    ];
    const budget = new Map(addresses.map((a) => [a, this.config.EMAIL_ACK_MAX_PER_DAY]));
    if (addresses.length === 0) return budget;
    const rows: Array<{ address: string; n: number }> = await m.query(
      `SELECT address, count(*)::int AS n FROM messages
       WHERE author_type = 'bot' AND address = ANY($1::text[]) AND created_at > now() - interval '24 hours'
       GROUP BY address`,
      [addresses],
    );
    for (const r of rows) budget.set(r.address, Math.max(0, this.config.EMAIL_ACK_MAX_PER_DAY - r.n));
    return budget;
  }

  /** Level 0: the acknowledgement of a new ticket, stored here and sent by the outbound queue after commit. */
  private planAcknowledgement(
    e: AcceptedEvent,
    placement: Placement,
    budget: Map<string, number>,
  ): { row: Record<string, unknown> } | { suppressed: string } | null {
    const autoReply = e.message.autoReply;
    if (!autoReply) return null;
    if ('suppressed' in autoReply) return { suppressed: autoReply.suppressed };
    const left = budget.get(autoReply.address) ?? 0;
    if (left <= 0) return { suppressed: `rate limit: ${this.config.EMAIL_ACK_MAX_PER_DAY} acknowledgements a day to one address` };
    budget.set(autoReply.address, left - 1);
    const statusLink = caseLinkUrl(
      this.config.PUBLIC_BASE_URL,
      this.config.JWT_SECRET,
      placement.reference!,
      this.config.CASE_LINK_TTL_DAYS,
    );
    const { subject, text } = acknowledgement(e.message.language ?? 'lv', placement.reference!, e.message.subject ?? null, statusLink);
    return {
      row: {
        id: randomUUID(),
        ticket_id: placement.ticketId,
        channel: e.message.channel,
        external_id: `${randomUUID()}@${this.mailDomain}`,
        direction: 'outbound',
        author_type: 'bot',
        author_agent_id: null,
        subject,
        text,
        html: null,
        address: autoReply.address,
        meta: JSON.stringify({ kind: 'acknowledgement', inReplyTo: e.message.externalId }),
        delivery_status: 'queued',
        sent_at: null,
        created_at: e.receivedAt,
        event_id: null,
        has_attachments: false,
      },
    };
  }
}

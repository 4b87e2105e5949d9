import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { SlaEngine } from '../sla/sla-engine.service';
import { WebhooksService } from '../webhooks/webhooks.service';
import { EscalationReason, EscalationsRepository } from './repositories/escalations.repository';
import { MessagesRepository } from './repositories/messages.repository';
import { LockedTicket, TicketFieldChanges, TicketsRepository } from './repositories/tickets.repository';
import { TicketEffects } from './ticket-effects';

/** Who made a change: a person (with the request that carried it) or the system (agentId null) for a cause. */
export interface ChangeActor {
  agentId: string | null;
  requestId?: string | null;
  ip?: string | null;
  /** Why the system acted, e.g. `sla:first_response`; kept in the audit detail. */
  cause?: string;
}

export interface MoveTarget {
  level: number;
  queueId: string;
  queueCode: string;
  institutionId: string | null;
}

const changed = () => ({ type: 'changed' as const, at: new Date() });

/**
 * The one writer of ticket changes. Every kind of change is one function here, and each does all of what that
 * change means, on the caller's transaction and locked ticket: the row, the history (an escalation row for a
 * move), the SLA policy chosen again where the change can alter it, the audit event and the institution's webhook
 * delivery, with the after-commit effects (timers, webhooks, realtime, a routing pass) added to `effects`.
 * Callers — the staff API, SLA breach actions, the router, presence, level 0's hand-over — decide whether a change
 * is allowed; they never write `tickets` or `escalations` themselves.
 */
@Injectable()
export class TicketChanges {
  constructor(
    private readonly tickets: TicketsRepository,
    private readonly escalations: EscalationsRepository,
    private readonly messages: MessagesRepository,
    private readonly sla: SlaEngine,
    private readonly audit: AuditService,
    private readonly webhooks: WebhooksService,
  ) {}

  /** Which way a move to `toLevel` goes from the ticket's level. */
  static direction(fromLevel: number, toLevel: number): EscalationReason {
    return toLevel > fromLevel ? 'escalated' : toLevel < fromLevel ? 'handed_back' : 'transferred';
  }

  /**
   * Escalate, hand back or reroute: the ticket goes to the queue unassigned, the move is appended to its history,
   * the institution hears of an escalation (the receiving one) or a hand-back (the one answering), and waiting
   * work is offered at once so someone online takes it. `requeue`: a person's move puts the ticket back to waiting
   * whatever its status; the clock's move leaves a new or pending ticket as it is.
   */
  async move(
    m: EntityManager,
    effects: TicketEffects,
    ticket: LockedTicket,
    to: MoveTarget,
    why: { actor: ChangeActor; summary?: string | null; comment?: string | null; requeue: boolean },
  ): Promise<{ escalationId: string; direction: EscalationReason }> {
    const direction = TicketChanges.direction(ticket.level, to.level);
    await this.tickets.place(m, ticket.id, { level: to.level, queueId: to.queueId, institutionId: to.institutionId }, why.requeue);
    const [escalationId] = await this.escalations.append(m, [
      {
        ticketId: ticket.id,
        fromLevel: ticket.level,
        toLevel: to.level,
        fromQueueId: ticket.queue_id,
        toQueueId: to.queueId,
        toInstitutionId: to.institutionId,
        reason: direction,
        summary: why.summary ?? null,
        comment: why.comment ?? null,
        actorAgentId: why.actor.agentId,
      },
    ]);
    // Another level, queue or institution may mean another SLA policy: it is chosen again, the clocks keep their history.
    await this.sla.apply(m, [{ ticketId: ticket.id, trigger: changed() }], effects.timers);
    await this.audit.record(
      [
        this.entry(ticket, why.actor, `ticket.${direction}`, {
          fromLevel: ticket.level,
          toLevel: to.level,
          toQueue: to.queueCode,
          ...(why.actor.cause ? { comment: why.comment ?? null } : {}),
        }),
      ],
      m,
    );
    // The institution's own system hears when a case reaches it, and when its answer goes back down.
    // No personal data travels: the reference is enough to read the rest through the API.
    const event = {
      reference: ticket.reference,
      fromLevel: ticket.level,
      toLevel: to.level,
      queue: to.queueCode,
      summary: why.summary ?? null,
    };
    if (direction === 'escalated') effects.webhooks(await this.webhooks.record(m, 'ticket.escalated', to.institutionId, event));
    if (direction === 'handed_back') effects.webhooks(await this.webhooks.record(m, 'ticket.handed_back', ticket.institution_id, event));
    effects.ticketsChanged([ticket.id]);
    effects.offerWork('ticket-moved');
    return { escalationId, direction };
  }

  /** A person takes the ticket or gives it to someone (the caller has checked the assignee may see it). */
  async assign(m: EntityManager, effects: TicketEffects, ticket: LockedTicket, agentId: string, actor: ChangeActor): Promise<void> {
    await this.tickets.assign(m, [{ ticketId: ticket.id, agentId }]);
    // Only leaving a paused or closed status moves the clocks; new, queued and assigned run them alike.
    if (ticket.status !== 'assigned') await this.sla.apply(m, [{ ticketId: ticket.id, trigger: changed() }], effects.timers);
    await this.audit.record(
      [
        this.entry(ticket, actor, agentId === actor.agentId ? 'ticket.claimed' : 'ticket.assigned', {
          from: ticket.assignee_id,
          to: agentId,
        }),
      ],
      m,
    );
    effects.ticketsChanged([ticket.id], 'assigned');
    // The previous holder's capacity is free again.
    if (ticket.assignee_id && ticket.assignee_id !== agentId) effects.offerWork('ticket-reassigned');
  }

  /**
   * The router's plan, in one statement. The tickets were waiting (new or queued), which the clocks treat as
   * assigned, so no SLA policy changes here.
   */
  async autoAssign(
    m: EntityManager,
    effects: TicketEffects,
    plan: Array<{ ticketId: string; reference: string; agentId: string; strategy: string }>,
  ): Promise<void> {
    if (plan.length === 0) return;
    await this.tickets.assign(m, plan);
    await this.audit.record(
      plan.map((p) => ({
        actorAgentId: null,
        action: 'ticket.auto_assigned',
        subjectType: 'ticket',
        subjectId: p.ticketId,
        detail: { reference: p.reference, to: p.agentId, strategy: p.strategy },
      })),
      m,
    );
    effects.ticketsChanged(
      plan.map((p) => p.ticketId),
      'assigned',
    );
    for (const p of plan) effects.toAgent(p.agentId, 'assignment', { reference: p.reference, strategy: p.strategy });
  }

  /** Unanswered work of agents who went offline goes back to waiting, for someone online (see TicketsRepository.returnUnanswered). */
  async returnToQueue(
    m: EntityManager,
    effects: TicketEffects,
    agentIds: string[],
    cause: string,
  ): Promise<Array<{ id: string; reference: string }>> {
    const returned = await this.tickets.returnUnanswered(m, agentIds);
    await this.audit.record(
      returned.map((r) => ({
        actorAgentId: null,
        action: 'ticket.returned_to_queue',
        subjectType: 'ticket',
        subjectId: r.id,
        detail: { reference: r.reference, from: r.assignee, cause },
      })),
      m,
    );
    effects.ticketsChanged(returned.map((r) => r.id));
    if (returned.length > 0) effects.offerWork('returned-to-queue');
    return returned;
  }

  /**
   * Status, kind, topic or priority. Status (pause, resume, resolution, reopening) and priority (the policy) move
   * the clocks; closing tells the institution; reopening (back to `queued`) unassigns and offers the ticket again.
   */
  async update(
    m: EntityManager,
    effects: TicketEffects,
    ticket: LockedTicket,
    changes: TicketFieldChanges,
    actor: ChangeActor,
  ): Promise<{ status: string }> {
    const row = await this.tickets.setFields(m, ticket.id, changes);
    if (changes.status || changes.priority) await this.sla.apply(m, [{ ticketId: ticket.id, trigger: changed() }], effects.timers);
    await this.audit.record(
      [this.entry(ticket, actor, 'ticket.updated', { ...changes, ...(actor.cause ? { cause: actor.cause } : {}) })],
      m,
    );
    if (changes.status === 'closed' && ticket.status !== 'closed') {
      effects.webhooks(await this.webhooks.record(m, 'ticket.closed', ticket.institution_id, { reference: ticket.reference }));
    }
    effects.ticketsChanged([ticket.id]);
    // Resolving or closing frees the holder's capacity; reopening puts work in the queue.
    if (changes.status && changes.status !== ticket.status && (ticket.assignee_id || changes.status === 'queued'))
      effects.offerWork('ticket-status');
    return row;
  }

  /** Messages move to `target`, which notes the merge; `source` closes pointing at it. Both are locked by the caller. */
  async merge(m: EntityManager, effects: TicketEffects, source: LockedTicket, target: LockedTicket, actor: ChangeActor): Promise<void> {
    await this.messages.moveAll(m, source.id, target.id);
    await this.tickets.closeAsMerged(m, source.id, target.id);
    await this.messages.addInternal(
      m,
      target.id,
      { type: 'system', agentId: actor.agentId },
      `${source.reference} merged into this ticket`,
    );
    await this.tickets.touch(m, target.id);
    await this.sla.apply(m, [{ ticketId: source.id, trigger: changed() }], effects.timers);
    await this.audit.record([this.entry(source, actor, 'ticket.merged', { into: target.reference })], m);
    if (source.status !== 'closed')
      effects.webhooks(
        await this.webhooks.record(m, 'ticket.closed', source.institution_id, {
          reference: source.reference,
          mergedInto: target.reference,
        }),
      );
    effects.ticketsChanged([source.id, target.id]);
    if (source.assignee_id) effects.offerWork('ticket-merged');
  }

  /** The ticket is put on another customer's record (the caller has checked the user may see that record). */
  async linkCustomer(
    m: EntityManager,
    effects: TicketEffects,
    ticket: LockedTicket,
    customerId: string,
    actor: ChangeActor,
  ): Promise<void> {
    await this.tickets.setCustomer(m, ticket.id, customerId);
    await this.audit.record([this.entry(ticket, actor, 'ticket.customer_linked', { from: ticket.customer_id, to: customerId })], m);
    effects.ticketsChanged([ticket.id]);
  }

  /**
   * A person changed the ticket's custom fields (the custom-fields module wrote the values, on this transaction):
   * the ticket counts as changed, each field's old and new value is audited and on the timeline, and the
   * institution's system hears which fields changed, not their values (it reads those through the API).
   */
  async customFieldsChanged(
    m: EntityManager,
    effects: TicketEffects,
    ticket: LockedTicket,
    changes: Array<{ key: string; from: unknown; to: unknown }>,
    actor: ChangeActor,
  ): Promise<void> {
    if (changes.length === 0) return;
    await this.tickets.touch(m, ticket.id);
    await this.audit.record([this.entry(ticket, actor, 'ticket.custom_fields_changed', { fields: changes })], m);
    effects.webhooks(
      await this.webhooks.record(m, 'ticket.custom_fields_changed', ticket.institution_id, {
        reference: ticket.reference,
        fields: changes.map((c) => c.key),
      }),
    );
    effects.ticketsChanged([ticket.id]);
  }

  /** A staff note: the ticket counts as recently active. */
  async addNote(m: EntityManager, effects: TicketEffects, ticket: LockedTicket, text: string, actor: ChangeActor): Promise<{ id: string }> {
    const id = await this.messages.addInternal(m, ticket.id, { type: 'agent', agentId: actor.agentId }, text);
    await this.tickets.touch(m, ticket.id);
    effects.ticketsChanged([ticket.id]);
    return { id };
  }

  /**
   * Snoozed: hidden from the default inbox until `until` or the customer's next message. A system note on the
   * timeline says until when, so whoever opens it sees why it was out of sight.
   */
  async snooze(
    m: EntityManager,
    effects: TicketEffects,
    ticket: LockedTicket,
    snooze: { until: Date | null; untilReply: boolean; note: string | null },
    actor: ChangeActor,
  ): Promise<void> {
    await this.tickets.snooze(m, ticket.id, { ...snooze, agentId: actor.agentId });
    const until = [snooze.until ? `until ${snooze.until.toISOString()}` : null, snooze.untilReply ? "until the customer's reply" : null]
      .filter(Boolean)
      .join(' or ');
    await this.messages.addInternal(
      m,
      ticket.id,
      { type: 'system', agentId: actor.agentId },
      `Snoozed ${until}${snooze.note ? `: ${snooze.note}` : ''}`,
    );
    await this.audit.record(
      [this.entry(ticket, actor, 'ticket.snoozed', { until: snooze.until, untilReply: snooze.untilReply, note: snooze.note })],
      m,
    );
    effects.ticketsChanged([ticket.id]);
  }

  /**
   * Wakes whichever of the tickets are snoozed (`why`: `time`, `reply` or a person's `manual`), with a note on each
   * timeline and an audit event; after commit, the one who snoozed it hears `ticket.woken` (unless they woke it
   * themselves). One statement for all the tickets, so each woken one is announced once however many of the ids
   * name it (ingest passes one id per message of a batch). Returns the references woken.
   */
  async wake(
    m: EntityManager,
    effects: TicketEffects,
    ticketIds: string[],
    why: 'time' | 'reply' | 'manual',
    actor: ChangeActor,
  ): Promise<string[]> {
    const woken = await this.tickets.wake(m, ticketIds);
    const words = { time: 'the snooze time came', reply: 'the customer wrote', manual: 'woken by hand' }[why];
    for (const w of woken) await this.messages.addInternal(m, w.id, { type: 'system', agentId: actor.agentId }, `Awake again: ${words}`);
    await this.audit.record(
      woken.map((w) => ({
        actorAgentId: actor.agentId,
        action: 'ticket.woken',
        subjectType: 'ticket',
        subjectId: w.id,
        detail: { reference: w.reference, why, snoozedUntil: w.snoozed_until, untilReply: w.snooze_until_reply },
        ip: actor.ip ?? null,
        requestId: actor.requestId ?? null,
      })),
      m,
    );
    effects.ticketsChanged(woken.map((w) => w.id));
    for (const w of woken)
      if (w.snoozed_by_id && w.snoozed_by_id !== actor.agentId)
        effects.toAgent(w.snoozed_by_id, 'ticket.woken', { reference: w.reference, why, note: w.snooze_note });
    return woken.map((w) => w.reference);
  }

  private entry(ticket: LockedTicket, actor: ChangeActor, action: string, detail: Record<string, unknown>) {
    return {
      actorAgentId: actor.agentId,
      action,
      subjectType: 'ticket',
      subjectId: ticket.id,
      detail: { reference: ticket.reference, ...detail },
      ip: actor.ip ?? null,
      requestId: actor.requestId ?? null,
    };
  }
}

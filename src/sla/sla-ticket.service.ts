import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser, ticketScope, ticketScopeSql } from '../auth/auth-user';
import { ProblemException, validationProblem } from '../common/problem';
import { SlaEngine } from './sla-engine.service';
import { TicketEffectsPublisher } from '../tickets/ticket-effects.publisher';
import { TICKET_ROW_LOCK } from '../tickets/repositories/tickets.repository';

/** A ticket's SLA as staff see it, and the extension an operator applies. */
@Injectable()
export class SlaTicketService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly engine: SlaEngine,
    private readonly effects: TicketEffectsPublisher,
    private readonly audit: AuditService,
  ) {}

  async view(user: AuthUser, reference: string) {
    const ticket = await this.find(this.dataSource.manager, user, reference, false);
    const [clocks, history, events] = await Promise.all([
      this.dataSource.query(
        `SELECT c.metric, c.status, c.cycle, c.measure, c.started_at, c.budget_ms, c.consumed_ms, c.running_since, c.extended, c.warning_at,
                c.due_at, c.warned_at, c.breached_at, c.met_at, p.name AS policy
         FROM sla_clocks c LEFT JOIN sla_policies p ON p.id = c.policy_id WHERE c.ticket_id = $1 ORDER BY c.metric`,
        [ticket.id],
      ),
      this.dataSource.query(
        `SELECT e.metric, e.kind, e.cycle, e.due_at, e.consumed_ms, e.at, e.detail, p.name AS policy
         FROM sla_clock_events e LEFT JOIN sla_policies p ON p.id = e.policy_id WHERE e.ticket_id = $1 ORDER BY e.id`,
        [ticket.id],
      ),
      this.dataSource.query(
        `SELECT e.metric, e.kind, e.cycle, e.at, e.fired_at, e.actions, p.name AS policy
         FROM sla_events e LEFT JOIN sla_policies p ON p.id = e.policy_id WHERE e.ticket_id = $1 ORDER BY e.id`,
        [ticket.id],
      ),
    ]);
    return {
      reference: ticket.reference,
      clocks: clocks.map((c: Record<string, any>) => ({
        metric: c.metric,
        status: c.status,
        policy: c.policy,
        cycle: c.cycle,
        measure: c.measure,
        startedAt: c.started_at,
        targetMs: Number(c.budget_ms),
        usedMs: Number(c.consumed_ms),
        runningSince: c.running_since,
        extended: c.extended,
        warningAt: c.warning_at,
        dueAt: c.due_at,
        warnedAt: c.warned_at,
        breachedAt: c.breached_at,
        metAt: c.met_at,
      })),
      history: history.map((h: Record<string, any>) => ({
        metric: h.metric,
        kind: h.kind,
        policy: h.policy,
        cycle: h.cycle,
        dueAt: h.due_at,
        usedMs: Number(h.consumed_ms),
        at: h.at,
        detail: h.detail,
      })),
      events: events.map((e: Record<string, any>) => ({
        metric: e.metric,
        kind: e.kind,
        policy: e.policy,
        cycle: e.cycle,
        at: e.at,
        firedAt: e.fired_at,
        actions: e.actions,
      })),
    };
  }

  /** Warnings and breaches in the order they were recorded: what the supervisors' board shows and catches up on. */
  async events(q: { after?: string; before?: string; order?: 'oldest' | 'newest'; kind?: string; limit?: number }) {
    const params: unknown[] = [q.after ?? '0'];
    const kind = q.kind ? `AND e.kind = $${params.push(q.kind)}` : '';
    // A feed opened fresh wants the latest events first; catching up after a reconnect wants them in order.
    const newest = q.order === 'newest';
    const before = q.before ? `AND e.id < $${params.push(q.before)}::bigint` : '';
    const limit = q.limit ?? 100;
    const rows = await this.dataSource.query(
      `SELECT e.id, t.reference, e.metric, e.kind, e.cycle, e.at, e.fired_at, e.actions, p.name AS policy, q.code AS queue, i.code AS institution,
              t.priority
       FROM sla_events e JOIN tickets t ON t.id = e.ticket_id LEFT JOIN sla_policies p ON p.id = e.policy_id
       LEFT JOIN queues q ON q.id = t.queue_id LEFT JOIN institutions i ON i.id = t.institution_id
       WHERE e.id > $1::bigint ${kind} ${before} ORDER BY e.id ${newest ? 'DESC' : 'ASC'} LIMIT $${params.push(limit + 1)}`,
      params,
    );
    const page = rows.slice(0, limit);
    return {
      items: page.map((r: Record<string, any>) => ({
        id: r.id,
        reference: r.reference,
        policy: r.policy,
        metric: r.metric,
        kind: r.kind,
        cycle: r.cycle,
        at: r.at,
        firedAt: r.fired_at,
        actions: r.actions,
        queue: r.queue,
        institution: r.institution,
        priority: r.priority,
      })),
      nextCursor: rows.length > limit ? page[page.length - 1].id : null,
    };
  }

  async extend(user: AuthUser, reference: string, reason: string, context: { requestId?: string }) {
    const result = await this.effects.transaction(async (m, effects) => {
      const ticket = await this.find(m, user, reference, true);
      const [clock] = await m.query(
        `SELECT c.status, c.extended, p.resolution_extension FROM sla_clocks c LEFT JOIN sla_policies p ON p.id = c.policy_id
         WHERE c.ticket_id = $1 AND c.metric = 'resolution'`,
        [ticket.id],
      );
      if (!clock || !clock.resolution_extension) {
        throw validationProblem([
          { field: 'ticket', code: 'noExtension', message: "the ticket's SLA policy has no longer resolution target" },
        ]);
      }
      if (clock.extended)
        throw new ProblemException(HttpStatus.CONFLICT, 'already-extended', 'Conflict', 'The resolution target was already extended.');
      if (clock.status !== 'running' && clock.status !== 'paused') {
        throw validationProblem([{ field: 'ticket', code: 'notOpen', message: 'the resolution clock is not running' }]);
      }
      await this.engine.apply(
        m,
        [{ ticketId: ticket.id, trigger: { type: 'extension', at: new Date(), reason, actorAgentId: user.id } }],
        effects.timers,
      );
      const [after] = await m.query('SELECT resolution_due_at FROM tickets WHERE id = $1', [ticket.id]);
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'sla.extended',
            subjectType: 'ticket',
            subjectId: ticket.id,
            detail: { reference: ticket.reference, reason },
            requestId: context.requestId ?? null,
          },
        ],
        m,
      );
      effects.ticketsChanged([ticket.id]);
      return { id: ticket.id, reference: ticket.reference, resolutionDueAt: after.resolution_due_at as Date | null };
    });
    return { reference: result.reference, resolutionDueAt: result.resolutionDueAt };
  }

  /** The same scope rule as every other ticket route (an expert: own cases only), so no sub-route is a side door. */
  private async find(m: EntityManager, user: AuthUser, reference: string, lock: boolean): Promise<{ id: string; reference: string }> {
    const params: unknown[] = [reference.toUpperCase()];
    const [ticket] = await m.query(
      `SELECT t.id, t.reference FROM tickets t WHERE t.reference = $1 ${ticketScopeSql(ticketScope(user), 't', (v) => `$${params.push(v)}`)} ${lock ? `${TICKET_ROW_LOCK} OF t` : ''}`,
      params,
    );
    if (!ticket) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No ticket ${reference} that you may see.`);
    return ticket;
  }
}

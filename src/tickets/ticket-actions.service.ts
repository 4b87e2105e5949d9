import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser, inTicketScope, ticketScope, ticketScopeSql } from '../auth/auth-user';
import { ProblemException, validationProblem } from '../common/problem';
import { UpdateTicketDto } from './dto/ticket-actions.dto';
import { WebhooksService } from '../webhooks/webhooks.service';
import { returnedRows } from '../database/rows';
import { SlaEngine } from '../sla/sla-engine.service';
import { CsatService } from '../csat/csat.service';
import { OutboundService } from '../outbound/outbound.service';
import { SlaTimerBatch } from '../sla/sla-timer-batch';
import { SlaTimersService } from '../sla/sla-timers.service';
import { recordCorrection } from '../classification/classification-corrections';

interface LockedTicket {
  id: string;
  reference: string;
  status: string;
  assignee_id: string | null;
  institution_id: string | null;
  level: number;
  queue_id: string | null;
  channel: string;
}

/**
 * What people do to a ticket in the inbox: notes, claiming and assigning, status, kind, topic and priority.
 * Each runs on the row locked FOR UPDATE, so two people acting at once are serialised, and each is audited.
 */
@Injectable()
export class TicketActionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly webhooks: WebhooksService,
    private readonly sla: SlaEngine,
    private readonly slaTimers: SlaTimersService,
    private readonly csat: CsatService,
    private readonly outbound: OutboundService,
  ) {}

  async addNote(user: AuthUser, reference: string, text: string): Promise<{ id: string }> {
    return this.withTicket(user, reference, async (m, t) => {
      const [row] = await m.query(
        `INSERT INTO messages (ticket_id, channel, direction, author_type, author_agent_id, text, internal)
         SELECT id, channel, 'outbound', 'agent', $2, $3, true FROM tickets WHERE id = $1 RETURNING id`,
        [t.id, user.id, text],
      );
      await m.query('UPDATE tickets SET updated_at = now() WHERE id = $1', [t.id]);
      return { id: row.id as string };
    });
  }

  async assign(user: AuthUser, reference: string, agentId: string, force: boolean, context: { requestId?: string }): Promise<{ assigneeId: string; status: string }> {
    const timers = new SlaTimerBatch();
    const result = await this.withTicket(user, reference, async (m, t) => {
      if (t.status === 'closed') throw validationProblem([{ field: 'ticket', code: 'closed', message: 'a closed ticket is not assigned' }]);
      if (t.assignee_id && t.assignee_id !== agentId && !force) {
        throw new ProblemException(HttpStatus.CONFLICT, 'already-assigned', 'Conflict', 'Someone else holds this ticket; send force: true to take it over.');
      }
      // The assignee must be able to see the ticket: scope is checked for them, not only for the one assigning.
      const [agent]: Array<{ id: string; roles: string[]; institution_ids: string[] }> = await m.query(
        `SELECT a.id, a.roles, coalesce(array_agg(ai.institution_id) FILTER (WHERE ai.institution_id IS NOT NULL), '{}') AS institution_ids
         FROM agents a LEFT JOIN agent_institutions ai ON ai.agent_id = a.id WHERE a.id = $1 AND a.active GROUP BY a.id`,
        [agentId],
      );
      if (!agent) throw validationProblem([{ field: 'agentId', code: 'unknown', message: 'no active agent has this id' }]);
      const scope = ticketScope({ id: agent.id, email: '', roles: agent.roles as AuthUser['roles'], institutionIds: agent.institution_ids });
      // Being assigned makes it the expert's own case, so only the institution part of their scope applies here.
      if (!inTicketScope(scope, { ...t, assignee_id: agent.id })) {
        throw validationProblem([{ field: 'agentId', code: 'outOfScope', message: "the agent may not see this institution's tickets" }]);
      }
      await m.query(`UPDATE tickets SET assignee_id = $2, status = 'assigned', updated_at = now() WHERE id = $1`, [t.id, agentId]);
      if (t.status !== 'assigned') await this.sla.apply(m, [{ ticketId: t.id, trigger: { type: 'changed', at: new Date() } }], timers);
      await this.audit.record([
        {
          actorAgentId: user.id,
          action: agentId === user.id ? 'ticket.claimed' : 'ticket.assigned',
          subjectType: 'ticket',
          subjectId: t.id,
          detail: { reference: t.reference, from: t.assignee_id, to: agentId },
          requestId: context.requestId ?? null,
        },
      ], m);
      return { assigneeId: agentId, status: 'assigned' };
    });
    await this.slaTimers.schedule(timers);
    return result;
  }

  async update(user: AuthUser, reference: string, dto: UpdateTicketDto, context: { requestId?: string }): Promise<{ status: string }> {
    let deliveries: string[] = [];
    const timers = new SlaTimerBatch();
    let survey: string | null = null;
    const result = await this.withTicket(user, reference, async (m, t) => {
      if (t.status === 'closed' && dto.status !== undefined && dto.status !== 'closed' && dto.status !== 'queued') {
        throw validationProblem([{ field: 'status', code: 'closed', message: 'a closed ticket can only be reopened (queued)' }]);
      }
      const sets: string[] = ['updated_at = now()'];
      const params: unknown[] = [t.id];
      const set = (sql: string, value: unknown) => sets.push(sql.replace('?', `$${params.push(value)}`));
      if (dto.kind) set('kind = ?', dto.kind);
      if (dto.topic !== undefined) set('topic = ?', dto.topic);
      if (dto.priority) set('priority = ?', dto.priority);
      if (dto.status) {
        set('status = ?', dto.status);
        if (dto.status === 'resolved') sets.push('resolved_at = coalesce(resolved_at, now())');
        if (dto.status === 'closed') sets.push('closed_at = now()', 'resolved_at = coalesce(resolved_at, now())');
        if (dto.status === 'queued') sets.push('closed_at = NULL', 'resolved_at = NULL', 'assignee_id = NULL');
      }
      const [row] = returnedRows(await m.query(`UPDATE tickets SET ${sets.join(', ')} WHERE id = $1 RETURNING status`, params));
      // A person setting the topic or kind is a labelled example for level 0's classifier.
      if (dto.kind || dto.topic) await recordCorrection(m, { ticketId: t.id, agentId: user.id, institutionId: t.institution_id, topic: dto.topic || null, kind: dto.kind ?? null });
      // Status (pause, resume, resolution) and priority (the policy) move the clocks.
      if (dto.status || dto.priority) await this.sla.apply(m, [{ ticketId: t.id, trigger: { type: 'changed', at: new Date() } }], timers);
      // Resolved: the customer is asked once how we did, on the channel they are answered on.
      if ((dto.status === 'resolved' || dto.status === 'closed') && t.status !== 'resolved' && t.status !== 'closed') survey = await this.csat.planSurvey(m, t.id);
      await this.audit.record([
        { actorAgentId: user.id, action: 'ticket.updated', subjectType: 'ticket', subjectId: t.id, detail: { reference: t.reference, ...dto }, requestId: context.requestId ?? null },
      ], m);
      if (dto.status === 'closed' && t.status !== 'closed') {
        deliveries = await this.webhooks.record(m, 'ticket.closed', t.institution_id, { reference: t.reference });
      }
      return { status: row.status as string };
    });
    await this.webhooks.enqueue(deliveries);
    await this.slaTimers.schedule(timers);
    if (survey) await this.outbound.enqueue([survey]);
    return result;
  }

  /** Moves every message of this ticket to `into` (same customer only) and closes this one, pointing there. */
  async merge(user: AuthUser, reference: string, into: string, context: { requestId?: string }): Promise<{ reference: string; mergedInto: string }> {
    if (reference.toUpperCase() === into.toUpperCase()) throw validationProblem([{ field: 'into', code: 'same', message: 'a ticket is not merged into itself' }]);
    const scope = ticketScope(user);
    const timers = new SlaTimerBatch();
    const merged = await this.dataSource.transaction(async (m) => {
      // Both rows locked in one statement, in a fixed order, so two opposite merges cannot deadlock.
      const params: unknown[] = [[reference.toUpperCase(), into.toUpperCase()]];
      const rows: Array<LockedTicket & { customer_id: string | null }> = await m.query(
        `SELECT t.id, t.reference, t.status, t.assignee_id, t.institution_id, t.customer_id, t.level, t.queue_id, t.channel FROM tickets t
         WHERE t.reference = ANY($1::text[]) ${ticketScopeSql(scope, 't', (v) => `$${params.push(v)}`)} ORDER BY t.id FOR UPDATE`,
        params,
      );
      const source = rows.find((r) => r.reference === reference.toUpperCase());
      const target = rows.find((r) => r.reference === into.toUpperCase());
      if (!source) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No ticket ${reference} that you may see.`);
      if (!target) throw validationProblem([{ field: 'into', code: 'unknown', message: `no ticket ${into} that you may see` }]);
      if (!source.customer_id || source.customer_id !== target.customer_id) {
        throw validationProblem([{ field: 'into', code: 'differentCustomers', message: 'only tickets of the same customer are merged' }]);
      }
      if (target.status === 'closed') throw validationProblem([{ field: 'into', code: 'closed', message: 'reopen the ticket before merging into it' }]);
      await m.query('UPDATE messages SET ticket_id = $2 WHERE ticket_id = $1', [source.id, target.id]);
      await m.query(`UPDATE tickets SET status = 'closed', closed_at = now(), merged_into_id = $2, assignee_id = NULL, updated_at = now() WHERE id = $1`, [source.id, target.id]);
      await m.query(
        `INSERT INTO messages (ticket_id, channel, direction, author_type, author_agent_id, text, internal)
         SELECT id, channel, 'outbound', 'system', $2, $3, true FROM tickets WHERE id = $1`,
        [target.id, user.id, `${source.reference} merged into this ticket`],
      );
      await m.query('UPDATE tickets SET updated_at = now() WHERE id = $1', [target.id]);
      await this.audit.record([
        { actorAgentId: user.id, action: 'ticket.merged', subjectType: 'ticket', subjectId: source.id, detail: { reference: source.reference, into: target.reference }, requestId: context.requestId ?? null },
      ], m);
      await this.sla.apply(m, [{ ticketId: source.id, trigger: { type: 'changed', at: new Date() } }], timers);
      return { reference: source.reference, mergedInto: target.reference };
    });
    await this.slaTimers.schedule(timers);
    return merged;
  }

  /**
   * Puts the ticket on an existing customer's record (an anonymous caller identified later, a wrong match).
   * Institution staff may link only to a customer who already has a ticket they may see: otherwise they could
   * attach their case to any citizen's record and read that record's contact details through it. Such a customer
   * is answered exactly as a missing one, so ids cannot be probed.
   */
  async linkCustomer(user: AuthUser, reference: string, customerId: string, context: { requestId?: string }): Promise<{ customerId: string }> {
    const scope = ticketScope(user);
    return this.withTicket(user, reference, async (m, t) => {
      const params: unknown[] = [customerId];
      const [customer] = await m.query(
        scope.all
          ? 'SELECT c.id FROM customers c WHERE c.id = $1'
          : `SELECT c.id FROM customers c WHERE c.id = $1
             AND EXISTS (SELECT 1 FROM tickets t WHERE t.customer_id = c.id ${ticketScopeSql(scope, 't', (v) => `$${params.push(v)}`)})`,
        params,
      );
      if (!customer) throw validationProblem([{ field: 'customerId', code: 'unknown', message: 'no customer with this id that you may see' }]);
      const [before] = await m.query('SELECT customer_id FROM tickets WHERE id = $1', [t.id]);
      await m.query('UPDATE tickets SET customer_id = $2, updated_at = now() WHERE id = $1', [t.id, customerId]);
      await this.audit.record([
        { actorAgentId: user.id, action: 'ticket.customer_linked', subjectType: 'ticket', subjectId: t.id, detail: { reference: t.reference, from: before.customer_id, to: customerId }, requestId: context.requestId ?? null },
      ], m);
      return { customerId };
    });
  }

  private withTicket<T>(user: AuthUser, reference: string, work: (m: EntityManager, t: LockedTicket) => Promise<T>): Promise<T> {
    const scope = ticketScope(user);
    return this.dataSource.transaction(async (m) => {
      const params: unknown[] = [reference.toUpperCase()];
      const [ticket]: LockedTicket[] = await m.query(
        `SELECT t.id, t.reference, t.status, t.assignee_id, t.institution_id, t.level, t.queue_id, t.channel FROM tickets t
         WHERE t.reference = $1 ${ticketScopeSql(scope, 't', (v) => `$${params.push(v)}`)} FOR UPDATE`,
        params,
      );
      if (!ticket) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No ticket ${reference} that you may see.`);
      return work(m, ticket);
    });
  }
}

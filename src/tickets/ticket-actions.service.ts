import { HttpStatus, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuthUser, inTicketScope, ticketScope, ticketScopeSql } from '../auth/auth-user';
import { ProblemException, validationProblem } from '../common/problem';
import { UpdateTicketDto } from './dto/ticket-actions.dto';
import { CsatService } from '../csat/csat.service';
import { recordCorrection } from '../classification/classification-corrections';
import { TicketChanges } from './ticket-changes.service';
import { TicketEffects } from './ticket-effects';
import { TicketEffectsPublisher } from './ticket-effects.publisher';
import { LockedTicket, TicketsRepository } from './repositories/tickets.repository';

/**
 * What people do to a ticket in the inbox: notes, claiming and assigning, status, kind, topic and priority.
 * Each runs on the row locked (TicketsRepository.lock), so two people acting at once are serialised, and each is
 * audited.
 */
@Injectable()
export class TicketActionsService {
  constructor(
    private readonly effects: TicketEffectsPublisher,
    private readonly tickets: TicketsRepository,
    private readonly changes: TicketChanges,
    private readonly csat: CsatService,
  ) {}

  async addNote(user: AuthUser, reference: string, text: string): Promise<{ id: string }> {
    return this.withTicket(user, reference, (m, fx, t) => this.changes.addNote(m, fx, t, text, { agentId: user.id }));
  }

  async assign(
    user: AuthUser,
    reference: string,
    agentId: string,
    force: boolean,
    context: { requestId?: string },
  ): Promise<{ assigneeId: string; status: string }> {
    return this.withTicket(user, reference, async (m, fx, t) => {
      if (t.status === 'closed') throw validationProblem([{ field: 'ticket', code: 'closed', message: 'a closed ticket is not assigned' }]);
      if (t.assignee_id && t.assignee_id !== agentId && !force) {
        throw new ProblemException(
          HttpStatus.CONFLICT,
          'already-assigned',
          'Conflict',
          'Someone else holds this ticket; send force: true to take it over.',
        );
      }
      // The assignee must be able to see the ticket: scope is checked for them, not only for the one assigning.
      const [agent]: Array<{ id: string; roles: string[]; institution_ids: string[] }> = await m.query(
        `SELECT a.id, a.roles, coalesce(array_agg(ai.institution_id) FILTER (WHERE ai.institution_id IS NOT NULL), '{}') AS institution_ids
         FROM agents a LEFT JOIN agent_institutions ai ON ai.agent_id = a.id WHERE a.id = $1 AND a.active GROUP BY a.id`,
        [agentId],
      );
      if (!agent) throw validationProblem([{ field: 'agentId', code: 'unknown', message: 'no active agent has this id' }]);
      const scope = ticketScope({
        id: agent.id,
        email: '',
        roles: agent.roles as AuthUser['roles'],
        institutionIds: agent.institution_ids,
      });
      // Being assigned makes it the expert's own case, so only the institution part of their scope applies here.
      if (!inTicketScope(scope, { ...t, assignee_id: agent.id })) {
        throw validationProblem([{ field: 'agentId', code: 'outOfScope', message: "the agent may not see this institution's tickets" }]);
      }
      await this.changes.assign(m, fx, t, agentId, { agentId: user.id, requestId: context.requestId });
      return { assigneeId: agentId, status: 'assigned' };
    });
  }

  async update(user: AuthUser, reference: string, dto: UpdateTicketDto, context: { requestId?: string }): Promise<{ status: string }> {
    return this.effects.transaction((m, fx) => this.updateIn(m, fx, user, reference, dto, context));
  }

  /** The update on the caller's transaction (a macro's step), the ticket locked there: effects go to `fx`. */
  async updateIn(
    m: EntityManager,
    fx: TicketEffects,
    user: AuthUser,
    reference: string,
    dto: UpdateTicketDto,
    context: { requestId?: string },
  ): Promise<{ status: string }> {
    const t = await this.lockIn(m, user, reference);
    if (t.status === 'closed' && dto.status !== undefined && dto.status !== 'closed' && dto.status !== 'queued') {
      throw validationProblem([{ field: 'status', code: 'closed', message: 'a closed ticket can only be reopened (queued)' }]);
    }
    const result = await this.changes.update(
      m,
      fx,
      t,
      { kind: dto.kind, topic: dto.topic, priority: dto.priority, status: dto.status },
      { agentId: user.id, requestId: context.requestId },
    );
    // A person setting the topic or kind is a labelled example for level 0's classifier.
    if (dto.kind || dto.topic)
      await recordCorrection(m, {
        ticketId: t.id,
        agentId: user.id,
        institutionId: t.institution_id,
        topic: dto.topic || null,
        kind: dto.kind ?? null,
      });
    // Resolved: the customer is asked once how we did, on the channel they are answered on.
    if ((dto.status === 'resolved' || dto.status === 'closed') && t.status !== 'resolved' && t.status !== 'closed')
      fx.outbound([await this.csat.planSurvey(m, t.id)]);
    return result;
  }

  /** Moves every message of this ticket to `into` (same customer only) and closes this one, pointing there. */
  async merge(
    user: AuthUser,
    reference: string,
    into: string,
    context: { requestId?: string },
  ): Promise<{ reference: string; mergedInto: string }> {
    if (reference.toUpperCase() === into.toUpperCase())
      throw validationProblem([{ field: 'into', code: 'same', message: 'a ticket is not merged into itself' }]);
    const scope = ticketScope(user);
    return this.effects.transaction(async (m, fx) => {
      // Both rows locked in one statement, in a fixed order, so two opposite merges cannot deadlock.
      const params: unknown[] = [[reference.toUpperCase(), into.toUpperCase()]];
      const rows = await this.tickets.lockWhere(
        m,
        `t.reference = ANY($1::text[]) ${ticketScopeSql(scope, 't', (v) => `$${params.push(v)}`)}`,
        params,
      );
      const source = rows.find((r) => r.reference === reference.toUpperCase());
      const target = rows.find((r) => r.reference === into.toUpperCase());
      if (!source) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No ticket ${reference} that you may see.`);
      if (!target) throw validationProblem([{ field: 'into', code: 'unknown', message: `no ticket ${into} that you may see` }]);
      if (!source.customer_id || source.customer_id !== target.customer_id) {
        throw validationProblem([{ field: 'into', code: 'differentCustomers', message: 'only tickets of the same customer are merged' }]);
      }
      if (target.status === 'closed')
        throw validationProblem([{ field: 'into', code: 'closed', message: 'reopen the ticket before merging into it' }]);
      await this.changes.merge(m, fx, source, target, { agentId: user.id, requestId: context.requestId });
      return { reference: source.reference, mergedInto: target.reference };
    });
  }

  /**
   * Puts the ticket on an existing customer's record (an anonymous caller identified later, a wrong match).
   * Institution staff may link only to a customer who already has a ticket they may see: otherwise they could
   * attach their case to any citizen's record and read that record's contact details through it. Such a customer
   * is answered exactly as a missing one, so ids cannot be probed.
   */
  async linkCustomer(
    user: AuthUser,
    reference: string,
    customerId: string,
    context: { requestId?: string },
  ): Promise<{ customerId: string }> {
    const scope = ticketScope(user);
    return this.withTicket(user, reference, async (m, fx, t) => {
      const params: unknown[] = [customerId];
      const [customer] = await m.query(
        scope.all
          ? 'SELECT c.id FROM customers c WHERE c.id = $1'
          : `SELECT c.id FROM customers c WHERE c.id = $1
             AND EXISTS (SELECT 1 FROM tickets t WHERE t.customer_id = c.id ${ticketScopeSql(scope, 't', (v) => `$${params.push(v)}`)})`,
        params,
      );
      if (!customer)
        throw validationProblem([{ field: 'customerId', code: 'unknown', message: 'no customer with this id that you may see' }]);
      await this.changes.linkCustomer(m, fx, t, customerId, { agentId: user.id, requestId: context.requestId });
      return { customerId };
    });
  }

  private withTicket<T>(
    user: AuthUser,
    reference: string,
    work: (m: EntityManager, fx: TicketEffects, t: LockedTicket) => Promise<T>,
  ): Promise<T> {
    return this.effects.transaction(async (m, fx) => work(m, fx, await this.lockIn(m, user, reference)));
  }

  /** The ticket within the person's scope, locked on `m`; out of scope answers exactly like missing. */
  private async lockIn(m: EntityManager, user: AuthUser, reference: string): Promise<LockedTicket> {
    const params: unknown[] = [reference.toUpperCase()];
    const [ticket] = await this.tickets.lockWhere(
      m,
      `t.reference = $1 ${ticketScopeSql(ticketScope(user), 't', (v) => `$${params.push(v)}`)}`,
      params,
    );
    if (!ticket) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No ticket ${reference} that you may see.`);
    return ticket;
  }
}

import { HttpStatus, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { recordCorrection } from '../classification/classification-corrections';
import { AuthUser, TicketScope, ticketScope, ticketScopeSql } from '../auth/auth-user';
import { assertTokenMayMove } from '../auth/api-token-scopes';
import { FieldError, ProblemException, validationProblem } from '../common/problem';
import { CreateEscalationDto } from './dto/create-escalation.dto';
import { TicketChanges } from './ticket-changes.service';
import { TicketEffects } from './ticket-effects';
import { TicketEffectsPublisher } from './ticket-effects.publisher';
import { TicketsRepository } from './repositories/tickets.repository';

export interface EscalationView {
  id: string;
  reference: string;
  fromLevel: number;
  toLevel: number;
  fromQueue: string | null;
  toQueue: string;
  institution: string | null;
  reason: 'escalated' | 'handed_back' | 'transferred';
}

/**
 * Why a move into another institution is refused, if it is. A hand-back returns the institution's answer to the
 * centre, so it keeps the institution for everyone (the centre routes the ticket on if it belongs elsewhere).
 * Every other move by institution staff stays within their own institutions: otherwise one institution's
 * specialist could hand a citizen's case, and its personal data, to another institution.
 */
function institutionRefusal(
  scope: TicketScope,
  direction: EscalationView['reason'],
  toInstitutionId: string | null,
): { code: string; message: string } | null {
  if (direction === 'handed_back')
    return { code: 'handBackKeepsInstitution', message: "a hand-back keeps the ticket's institution; the centre routes it on" };
  if (!scope.all && (!toInstitutionId || !scope.institutionIds.includes(toInstitutionId))) {
    return { code: 'outOfScope', message: 'you may move tickets only within your own institutions' };
  }
  return null;
}

/**
 * Moving a ticket between support levels is a command with a reason, never a field edit: every move appends an
 * Escalation row (who, from, to, why, the summary or answer) and an audit event, in one transaction.
 * A specialist or expert moves only tickets of their institutions, and only within them; handing back to level 1
 * (the centre) is always open to them, and keeps the institution.
 */
@Injectable()
export class TicketLevelsService {
  constructor(
    private readonly effects: TicketEffectsPublisher,
    private readonly tickets: TicketsRepository,
    private readonly changes: TicketChanges,
  ) {}

  async move(
    user: AuthUser,
    reference: string,
    dto: CreateEscalationDto,
    context: { requestId?: string; ip?: string },
  ): Promise<EscalationView> {
    return this.effects.transaction((m, effects) => this.moveIn(m, effects, user, reference, dto, context));
  }

  /** The move on the caller's transaction (a macro's step), the ticket locked there: effects go to `effects`. */
  async moveIn(
    m: EntityManager,
    effects: TicketEffects,
    user: AuthUser,
    reference: string,
    dto: CreateEscalationDto,
    context: { requestId?: string; ip?: string },
  ): Promise<EscalationView> {
    const scope = ticketScope(user);
    const params: unknown[] = [reference.toUpperCase()];
    const [ticket] = await this.tickets.lockWhere(m, `t.reference = $1 ${ticketScopeSql(scope, 't', (v) => `$${params.push(v)}`)}`, params);
    if (!ticket) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No ticket ${reference} that you may see.`);

    const errors: FieldError[] = [];
    if (ticket.status === 'closed') errors.push({ field: 'ticket', code: 'closed', message: 'a closed ticket is not moved' });
    const direction = TicketChanges.direction(ticket.level, dto.toLevel);
    assertTokenMayMove(user, direction, dto);
    if (direction === 'handed_back' && !dto.summary?.trim()) {
      errors.push({ field: 'summary', code: 'required', message: 'handing back needs the answer or an instruction' });
    }

    const institution = dto.institution
      ? ((await m.query('SELECT id, code, accepts_cases FROM institutions WHERE code = $1', [dto.institution.toUpperCase()]))[0] as
          { id: string; code: string; accepts_cases: boolean } | undefined)
      : ticket.institution_id
        ? ((await m.query('SELECT id, code, accepts_cases FROM institutions WHERE id = $1', [ticket.institution_id]))[0] as {
            id: string;
            code: string;
            accepts_cases: boolean;
          })
        : undefined;
    if (dto.institution && !institution)
      errors.push({ field: 'institution', code: 'unknown', message: `no institution has the code ${dto.institution}` });
    if (institution && !institution.accepts_cases) {
      errors.push({
        field: 'institution',
        code: 'referralOnly',
        message: `${institution.code} only takes referrals: route the contact on instead`,
      });
    }
    if (dto.institution && institution && institution.id !== ticket.institution_id) {
      const refusal = institutionRefusal(scope, direction, institution.id);
      if (refusal) errors.push({ field: 'institution', ...refusal });
    }
    if (errors.length) throw validationProblem(errors);

    let queue: { id: string; code: string; level: number; institution_id: string | null } | undefined;
    if (dto.queue) {
      [queue] = await m.query('SELECT id, code, level, institution_id FROM queues WHERE code = $1', [dto.queue.toUpperCase()]);
      if (!queue) throw validationProblem([{ field: 'queue', code: 'unknown', message: `no queue has the code ${dto.queue}` }]);
      if (queue.level !== dto.toLevel)
        throw validationProblem([{ field: 'queue', code: 'wrongLevel', message: `${queue.code} is a level ${queue.level} queue` }]);
    } else if (dto.toLevel === 1) {
      [queue] = await m.query(
        `SELECT id, code, level, institution_id FROM queues
         WHERE level = 1 AND (institution_id = $1 OR is_general) ORDER BY is_general LIMIT 1`,
        [institution?.id ?? null],
      );
    } else {
      if (!institution)
        throw validationProblem([
          { field: 'institution', code: 'required', message: `level ${dto.toLevel} belongs to an institution: name it` },
        ]);
      [queue] = await m.query(
        'SELECT id, code, level, institution_id FROM queues WHERE institution_id = $1 AND level = $2 ORDER BY code LIMIT 1',
        [institution.id, dto.toLevel],
      );
      if (!queue)
        throw validationProblem([{ field: 'toLevel', code: 'noQueue', message: `${institution.code} has no level ${dto.toLevel} queue` }]);
    }
    if (!queue) throw validationProblem([{ field: 'toLevel', code: 'noQueue', message: 'no queue takes this ticket' }]);
    if (queue.id === ticket.queue_id && dto.toLevel === ticket.level) {
      throw validationProblem([{ field: 'toLevel', code: 'unchanged', message: 'the ticket is already there' }]);
    }
    const toInstitutionId = queue.institution_id ?? institution?.id ?? ticket.institution_id;
    // Checked on where the ticket really lands, whichever of institution or queue named it.
    if (toInstitutionId !== ticket.institution_id) {
      const refusal = institutionRefusal(scope, direction, toInstitutionId);
      if (refusal) throw validationProblem([{ field: dto.queue ? 'queue' : 'institution', ...refusal }]);
    }

    const moved = await this.changes.move(
      m,
      effects,
      ticket,
      { level: dto.toLevel, queueId: queue.id, queueCode: queue.code, institutionId: toInstitutionId },
      {
        actor: { agentId: user.id, requestId: context.requestId, ip: context.ip },
        summary: dto.summary ?? null,
        comment: dto.reason,
        requeue: true,
      },
    );
    // Moving a ticket to another institution says which institution it belongs to: a lesson for level 0's classifier.
    if (toInstitutionId && toInstitutionId !== ticket.institution_id)
      await recordCorrection(m, { ticketId: ticket.id, agentId: user.id, institutionId: toInstitutionId });
    const [from]: Array<{ code: string }> = ticket.queue_id
      ? await m.query('SELECT code FROM queues WHERE id = $1', [ticket.queue_id])
      : [];
    const [inst]: Array<{ code: string }> = toInstitutionId
      ? await m.query('SELECT code FROM institutions WHERE id = $1', [toInstitutionId])
      : [];
    return {
      id: moved.escalationId,
      reference: ticket.reference,
      fromLevel: ticket.level,
      toLevel: dto.toLevel,
      fromQueue: from?.code ?? null,
      toQueue: queue.code,
      institution: inst?.code ?? null,
      reason: moved.direction,
    };
  }
}

import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuthUser, ticketScope, ticketScopeSql } from '../auth/auth-user';
import { ProblemException, validationProblem } from '../common/problem';
import { LockedTicket, TicketsRepository } from '../tickets/repositories/tickets.repository';
import { TicketChanges } from '../tickets/ticket-changes.service';
import { TicketEffectsPublisher } from '../tickets/ticket-effects.publisher';
import { CreateReminderDto, SnoozeDto } from './dto/follow-ups.dto';
import { RemindersRepository, ReminderView } from './reminders.repository';

/** A year ahead is as far as anyone plans a follow-up; later is a typo in the year. */
const MAX_AHEAD_MS = 366 * 86_400_000;

/** Staff's follow-ups on a ticket: snoozing it out of the inbox, waking it, and reminders for themselves. */
@Injectable()
export class FollowUpsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly effects: TicketEffectsPublisher,
    private readonly tickets: TicketsRepository,
    private readonly changes: TicketChanges,
    private readonly reminders: RemindersRepository,
  ) {}

  async snooze(user: AuthUser, reference: string, dto: SnoozeDto, context: { requestId?: string }) {
    const until = dto.until === undefined ? null : future('until', dto.until);
    if (!until && !dto.untilReply) {
      throw validationProblem([{ field: 'until', code: 'required', message: 'give a time to wake it (until), untilReply: true, or both' }]);
    }
    return this.effects.transaction(async (m, fx) => {
      const ticket = await this.lockInScope(m, user, reference);
      if (ticket.status === 'closed' || ticket.status === 'resolved') {
        throw validationProblem([{ field: 'ticket', code: 'closed', message: 'a resolved or closed ticket is not snoozed' }]);
      }
      const snooze = { until, untilReply: dto.untilReply ?? false, note: dto.note?.trim() || null };
      await this.changes.snooze(m, fx, ticket, snooze, { agentId: user.id, requestId: context.requestId });
      return { reference: ticket.reference, snooze: { until: snooze.until, untilReply: snooze.untilReply, note: snooze.note } };
    });
  }

  /** Wakes it now; waking an awake ticket is not an error (two people may do it at once). */
  async wake(user: AuthUser, reference: string, context: { requestId?: string }) {
    return this.effects.transaction(async (m, fx) => {
      const ticket = await this.lockInScope(m, user, reference);
      const woken = await this.changes.wake(m, fx, [ticket.id], 'manual', { agentId: user.id, requestId: context.requestId });
      return { reference: ticket.reference, woken: woken.length > 0 };
    });
  }

  async addReminder(user: AuthUser, reference: string, dto: CreateReminderDto): Promise<ReminderView> {
    const at = future('at', dto.at);
    const params: unknown[] = [reference.toUpperCase()];
    const [ticket]: Array<{ id: string }> = await this.dataSource.query(
      `SELECT t.id FROM tickets t WHERE t.reference = $1 ${ticketScopeSql(ticketScope(user), 't', (v) => `$${params.push(v)}`)}`,
      params,
    );
    if (!ticket) throw notFound(reference);
    return this.reminders.add(ticket.id, user.id, at, dto.note.trim());
  }

  async myReminders(user: AuthUser): Promise<{ items: ReminderView[]; due: number }> {
    const items = await this.reminders.mine(user.id);
    return { items, due: items.filter((r) => r.due).length };
  }

  async dismissReminder(user: AuthUser, id: string): Promise<void> {
    if (!(await this.reminders.dismiss(user.id, id)))
      throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', 'No reminder of yours with this id.');
  }

  private async lockInScope(m: Parameters<TicketsRepository['lockWhere']>[0], user: AuthUser, reference: string): Promise<LockedTicket> {
    const params: unknown[] = [reference.toUpperCase()];
    const [ticket] = await this.tickets.lockWhere(
      m,
      `t.reference = $1 ${ticketScopeSql(ticketScope(user), 't', (v) => `$${params.push(v)}`)}`,
      params,
    );
    if (!ticket) throw notFound(reference);
    return ticket;
  }
}

const notFound = (reference: string) =>
  new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No ticket ${reference} that you may see.`);

/** A time the caller gave, which must lie ahead (and within a year). */
function future(field: string, value: string): Date {
  const at = new Date(value);
  if (Number.isNaN(at.getTime()))
    throw validationProblem([{ field, code: 'invalid', message: `${field} must be an ISO 8601 date and time` }]);
  if (at.getTime() <= Date.now()) throw validationProblem([{ field, code: 'past', message: `${field} must be in the future` }]);
  if (at.getTime() > Date.now() + MAX_AHEAD_MS)
    throw validationProblem([{ field, code: 'tooFar', message: `${field} must be within a year` }]);
  return at;
}

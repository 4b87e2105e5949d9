import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import { TicketsRepository } from '../tickets/repositories/tickets.repository';
import { TicketChanges } from '../tickets/ticket-changes.service';
import { TicketEffectsPublisher } from '../tickets/ticket-effects.publisher';
import { RemindersRepository } from './reminders.repository';

const BATCH = 500;

/**
 * What comes due with time: snoozed tickets whose time came wake up, and reminders whose time came are announced
 * to their agent. The state is in PostgreSQL and the sweep reads it, so there is no per-ticket job for Redis to lose.
 */
@Injectable()
export class FollowUpsSweepService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly effects: TicketEffectsPublisher,
    private readonly tickets: TicketsRepository,
    private readonly changes: TicketChanges,
    private readonly realtime: RealtimePublisher,
    private readonly reminders: RemindersRepository,
  ) {}

  async wakeDue(now = new Date()): Promise<string[]> {
    const due: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM tickets WHERE snoozed_at IS NOT NULL AND snoozed_until <= $1 ORDER BY snoozed_until LIMIT ${BATCH}`,
      [now],
    );
    if (due.length === 0) return [];
    return this.effects.transaction(async (m, fx) => {
      // Locked and checked again: someone may have woken it or snoozed it for longer since it was read.
      const locked = await this.tickets.lockWhere(m, 't.id = ANY($1::uuid[]) AND t.snoozed_at IS NOT NULL AND t.snoozed_until <= $2', [
        due.map((d) => d.id),
        now,
      ]);
      return this.changes.wake(
        m,
        fx,
        locked.map((t) => t.id),
        'time',
        { agentId: null, cause: 'snooze-time' },
      );
    });
  }

  /** Marked fired in PostgreSQL first: a reminder lost on the socket still shows as due in the agent's list. */
  async fireReminders(now = new Date()): Promise<number> {
    const fired = await this.reminders.fireDue(now);
    for (const r of fired)
      this.realtime.toAgent(r.agentId, 'reminder.due', { id: r.id, reference: r.reference, subject: r.subject, note: r.note, at: r.at });
    return fired.length;
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { returnedRows } from '../database/rows';

export interface ReminderView {
  id: string;
  reference: string;
  subject: string | null;
  at: Date;
  note: string;
  due: boolean;
  firedAt: Date | null;
  createdAt: Date;
}

const toView = (r: Record<string, any>): ReminderView => ({
  id: r.id,
  reference: r.reference,
  subject: r.subject,
  at: r.at,
  note: r.note,
  due: r.due,
  firedAt: r.fired_at,
  createdAt: r.created_at,
});

/** The SQL of `ticket_reminders`, owned by the follow-ups module. */
@Injectable()
export class RemindersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async add(ticketId: string, agentId: string, at: Date, note: string): Promise<ReminderView> {
    const [row] = await this.dataSource.query(
      `WITH r AS (INSERT INTO ticket_reminders (ticket_id, agent_id, at, note) VALUES ($1, $2, $3, $4) RETURNING *)
       SELECT r.*, t.reference, t.subject, r.at <= now() AS due FROM r JOIN tickets t ON t.id = r.ticket_id`,
      [ticketId, agentId, at, note],
    );
    return toView(row);
  }

  /** The agent's reminders not dismissed: due ones first (oldest first), then upcoming. */
  async mine(agentId: string): Promise<ReminderView[]> {
    const rows = await this.dataSource.query(
      `SELECT r.*, t.reference, t.subject, r.at <= now() AS due FROM ticket_reminders r JOIN tickets t ON t.id = r.ticket_id
       WHERE r.agent_id = $1 AND r.dismissed_at IS NULL ORDER BY r.at, r.id LIMIT 200`,
      [agentId],
    );
    return rows.map(toView);
  }

  async dismiss(agentId: string, id: string): Promise<boolean> {
    const rows = returnedRows(
      await this.dataSource.query(
        'UPDATE ticket_reminders SET dismissed_at = now() WHERE id = $1 AND agent_id = $2 AND dismissed_at IS NULL RETURNING id',
        [id, agentId],
      ),
    );
    return rows.length > 0;
  }

  /** Marks the reminders due by `now` as fired and returns them: each is announced once, whichever worker takes the sweep. */
  async fireDue(now: Date, limit = 500): Promise<Array<ReminderView & { agentId: string }>> {
    const rows = returnedRows(
      await this.dataSource.query(
        `UPDATE ticket_reminders r SET fired_at = now()
         FROM (SELECT id FROM ticket_reminders WHERE at <= $1 AND fired_at IS NULL AND dismissed_at IS NULL ORDER BY at LIMIT $2 FOR UPDATE SKIP LOCKED) d, tickets t
         WHERE r.id = d.id AND t.id = r.ticket_id
         RETURNING r.*, t.reference, t.subject, true AS due`,
        [now, limit],
      ),
    );
    return rows.map((r) => ({ ...toView(r), agentId: r.agent_id }));
  }
}

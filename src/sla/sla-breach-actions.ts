import { EntityManager } from 'typeorm';
import { PRIORITIES } from '../tickets/entities/ticket.entity';
import type { BreachAction } from './entities/sla-policy.entity';

export type AppliedAction = BreachAction & { applied: boolean; note?: string };

interface TicketRow {
  id: string;
  priority: string;
  level: number;
  queue_id: string | null;
  institution_id: string | null;
}

/**
 * Carries out a policy's breach actions on the locked ticket: raise its priority (never lowers it), move it to
 * another queue, or escalate it to a support level of its institution. Queue moves are Escalation rows like any
 * other move, with the system as the actor. Returns what was done and what was not needed, for the record.
 */
export async function applyBreachActions(m: EntityManager, ticketId: string, metric: string, actions: BreachAction[]): Promise<AppliedAction[]> {
  const done: AppliedAction[] = [];
  for (const action of actions) {
    const [t]: TicketRow[] = await m.query('SELECT id, priority, level, queue_id, institution_id FROM tickets WHERE id = $1', [ticketId]);
    if (action.type === 'raise_priority') {
      if (PRIORITIES.indexOf(action.to) <= PRIORITIES.indexOf(t.priority as (typeof PRIORITIES)[number])) {
        done.push({ ...action, applied: false, note: `already ${t.priority}` });
        continue;
      }
      await m.query('UPDATE tickets SET priority = $2, updated_at = now() WHERE id = $1', [ticketId, action.to]);
      done.push({ ...action, applied: true });
      continue;
    }
    let queue: { id: string; level: number; institution_id: string | null } | undefined;
    if (action.type === 'reroute') {
      [queue] = await m.query('SELECT id, level, institution_id FROM queues WHERE code = $1', [action.queue.toUpperCase()]);
    } else if (t.level < action.level) {
      [queue] =
        action.level === 1
          ? await m.query(`SELECT id, level, institution_id FROM queues WHERE level = 1 AND (institution_id = $1 OR is_general) ORDER BY is_general LIMIT 1`, [
              t.institution_id,
            ])
          : await m.query('SELECT id, level, institution_id FROM queues WHERE institution_id = $1 AND level = $2 ORDER BY code LIMIT 1', [
              t.institution_id,
              action.level,
            ]);
    } else {
      done.push({ ...action, applied: false, note: `already at level ${t.level}` });
      continue;
    }
    if (!queue || queue.id === t.queue_id) {
      done.push({ ...action, applied: false, note: queue ? 'already there' : 'no such queue' });
      continue;
    }
    const institutionId = queue.institution_id ?? t.institution_id;
    await m.query(
      `UPDATE tickets SET level = $2, queue_id = $3, institution_id = $4, assignee_id = NULL, updated_at = now(),
              status = CASE WHEN status = 'assigned' THEN 'queued' ELSE status END
       WHERE id = $1`,
      [ticketId, queue.level, queue.id, institutionId],
    );
    await m.query(
      `INSERT INTO escalations (ticket_id, from_level, to_level, from_queue_id, to_queue_id, to_institution_id, reason, comment)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [ticketId, t.level, queue.level, t.queue_id, queue.id, institutionId, queue.level > t.level ? 'escalated' : 'transferred', `SLA ${metric} target passed`],
    );
    done.push({ ...action, applied: true });
  }
  return done;
}

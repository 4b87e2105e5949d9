import { EntityManager } from 'typeorm';
import { PRIORITIES } from '../tickets/entities/ticket.entity';
import type { TicketChanges } from '../tickets/ticket-changes.service';
import type { TicketEffects } from '../tickets/ticket-effects';
import type { TicketsRepository } from '../tickets/repositories/tickets.repository';
import type { BreachAction } from './entities/sla-policy.entity';

export type AppliedAction = BreachAction & { applied: boolean; note?: string };

/**
 * Carries out a policy's breach actions on the locked ticket: raise its priority (never lowers it), move it to
 * another queue, or escalate it to a support level of its institution. Each is the same change a person makes
 * (TicketChanges), with the system as the actor: a move is an Escalation row, tells the institution's webhook and
 * offers the ticket to whoever is online at once. Returns what was done and what was not needed, for the record.
 */
export async function applyBreachActions(
  m: EntityManager,
  effects: TicketEffects,
  deps: { changes: TicketChanges; tickets: TicketsRepository },
  ticketId: string,
  metric: string,
  actions: BreachAction[],
): Promise<AppliedAction[]> {
  const done: AppliedAction[] = [];
  const actor = { agentId: null, cause: `sla:${metric}` };
  for (const action of actions) {
    const [t] = await deps.tickets.lock(m, [ticketId]);
    if (action.type === 'raise_priority') {
      if (PRIORITIES.indexOf(action.to) <= PRIORITIES.indexOf(t.priority as (typeof PRIORITIES)[number])) {
        done.push({ ...action, applied: false, note: `already ${t.priority}` });
        continue;
      }
      await deps.changes.update(m, effects, t, { priority: action.to }, actor);
      done.push({ ...action, applied: true });
      continue;
    }
    let queue: { id: string; code: string; level: number; institution_id: string | null } | undefined;
    if (action.type === 'reroute') {
      [queue] = await m.query('SELECT id, code, level, institution_id FROM queues WHERE code = $1', [action.queue.toUpperCase()]);
    } else if (t.level < action.level) {
      [queue] =
        action.level === 1
          ? await m.query(
              `SELECT id, code, level, institution_id FROM queues WHERE level = 1 AND (institution_id = $1 OR is_general) ORDER BY is_general LIMIT 1`,
              [t.institution_id],
            )
          : await m.query(
              'SELECT id, code, level, institution_id FROM queues WHERE institution_id = $1 AND level = $2 ORDER BY code LIMIT 1',
              [t.institution_id, action.level],
            );
    } else {
      done.push({ ...action, applied: false, note: `already at level ${t.level}` });
      continue;
    }
    if (!queue || queue.id === t.queue_id) {
      done.push({ ...action, applied: false, note: queue ? 'already there' : 'no such queue' });
      continue;
    }
    await deps.changes.move(
      m,
      effects,
      t,
      { level: queue.level, queueId: queue.id, queueCode: queue.code, institutionId: queue.institution_id ?? t.institution_id },
      { actor, comment: `SLA ${metric} target passed`, requeue: false },
    );
    done.push({ ...action, applied: true });
  }
  return done;
}

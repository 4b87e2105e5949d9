import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { returnedRows } from '../../database/rows';

/** The columns a change needs of a ticket it holds locked. */
export interface LockedTicket {
  id: string;
  reference: string;
  status: string;
  level: number;
  queue_id: string | null;
  institution_id: string | null;
  assignee_id: string | null;
  priority: string;
  channel: string;
  customer_id: string | null;
  closed_at: Date | null;
}

const LOCKED_COLUMNS =
  't.id, t.reference, t.status, t.level, t.queue_id, t.institution_id, t.assignee_id, t.priority, t.channel, t.customer_id, t.closed_at';

/**
 * How every change locks ticket rows. FOR NO KEY UPDATE is the lock an UPDATE takes itself: it serialises the
 * changes of a ticket as FOR UPDATE would, but lets other transactions add rows that refer to the ticket (a message,
 * a clock, an audit event) meanwhile. Their foreign-key checks take FOR KEY SHARE, which FOR UPDATE blocks: under
 * `bench:chat` an inbound batch's messages waited 1.3 ms a check on average for operators' replies and SLA firings
 * on their tickets. No change alters a ticket's id or deletes a ticket, which is all FOR UPDATE adds.
 */
export const TICKET_ROW_LOCK = 'FOR NO KEY UPDATE';

/** The ticket fields a person edits in place; the rest of a ticket changes only by a named change. */
export interface TicketFieldChanges {
  kind?: string;
  topic?: string | null;
  priority?: string;
  status?: string;
}

/** Per ticket, what the SLA engine decided: the policy, the state shown in lists and the due times. */
export interface TicketSlaState {
  id: string;
  sla_policy_id: string | null;
  sla_state: string | null;
  sla_due_at: Date | null;
  sla_warning_at: Date | null;
  first_response_due_at: Date | null;
  next_response_due_at: Date | null;
  resolution_due_at: Date | null;
  sla_breached_at: Date | null;
}

/** The columns of a ticket's SLA summary (TicketSlaState without the id), in the order the ingest writes them. */
export const SLA_SUMMARY_COLUMNS = [
  'sla_policy_id',
  'sla_state',
  'sla_due_at',
  'sla_warning_at',
  'first_response_due_at',
  'next_response_due_at',
  'resolution_due_at',
  'sla_breached_at',
] as const satisfies ReadonlyArray<keyof TicketSlaState>;

/**
 * The SQL that writes `tickets`, owned by the tickets module. Every other module changes a ticket through
 * TicketChanges (which calls this) or, for the narrow columns it owns the meaning of (SLA state, CSAT score),
 * through the one function named for it here. All of it runs on the caller's transaction (`m`), and the batch
 * functions stay set-based (one statement for any number of tickets), which ingest, routing and SLA firing rely on.
 */
@Injectable()
export class TicketsRepository {
  /** Locks the tickets in id order (so two changes over the same tickets cannot deadlock). */
  async lock(m: EntityManager, ids: string[]): Promise<LockedTicket[]> {
    if (ids.length === 0) return [];
    return m.query(`SELECT ${LOCKED_COLUMNS} FROM tickets t WHERE t.id = ANY($1::uuid[]) ORDER BY t.id ${TICKET_ROW_LOCK} OF t`, [ids]);
  }

  /**
   * Locks the tickets found by `where` (a condition on `t`, parameters from `$1`), in id order, for a caller that
   * finds tickets by reference within a user's scope.
   */
  async lockWhere(m: EntityManager, where: string, params: unknown[]): Promise<LockedTicket[]> {
    return m.query(`SELECT ${LOCKED_COLUMNS} FROM tickets t WHERE ${where} ORDER BY t.id ${TICKET_ROW_LOCK} OF t`, params);
  }

  /**
   * Puts the ticket in another queue, level and institution, unassigned. `requeue` makes it wait in the queue
   * whatever its status (a person moving it); otherwise only an assigned ticket goes back to waiting (the clock
   * moving it leaves a pending or new ticket as it is).
   */
  async place(
    m: EntityManager,
    id: string,
    to: { level: number; queueId: string; institutionId: string | null },
    requeue: boolean,
  ): Promise<void> {
    await m.query(
      `UPDATE tickets SET level = $2, queue_id = $3, institution_id = $4, assignee_id = NULL, updated_at = now(),
              status = CASE WHEN $5 OR status = 'assigned' THEN 'queued' ELSE status END
       WHERE id = $1`,
      [id, to.level, to.queueId, to.institutionId, requeue],
    );
  }

  /** Gives each ticket to its agent, in one statement. */
  async assign(m: EntityManager, pairs: Array<{ ticketId: string; agentId: string }>): Promise<void> {
    if (pairs.length === 0) return;
    await m.query(
      `UPDATE tickets t SET assignee_id = u.agent_id, status = 'assigned', updated_at = now()
       FROM unnest($1::uuid[], $2::uuid[]) AS u(ticket_id, agent_id) WHERE t.id = u.ticket_id`,
      [pairs.map((p) => p.ticketId), pairs.map((p) => p.agentId)],
    );
  }

  /**
   * The agents' assigned work that they had not answered yet (the customer's message is the last word), in queues
   * that assign automatically, goes back to waiting. A case picked by hand in a manual queue stays theirs.
   */
  async returnUnanswered(m: EntityManager, agentIds: string[]): Promise<Array<{ id: string; reference: string; assignee: string }>> {
    if (agentIds.length === 0) return [];
    return returnedRows(
      await m.query(
        `UPDATE tickets t SET assignee_id = NULL, status = 'queued', updated_at = now()
         FROM (SELECT t0.id, t0.assignee_id FROM tickets t0 JOIN queues q ON q.id = t0.queue_id
               WHERE t0.assignee_id = ANY($1::uuid[]) AND t0.status = 'assigned' AND q.strategy <> 'manual'
                 AND NOT EXISTS (SELECT 1 FROM messages ms WHERE ms.ticket_id = t0.id AND NOT ms.internal
                                 AND ms.created_at > (SELECT max(ci.created_at) FROM messages ci WHERE ci.ticket_id = t0.id AND ci.direction = 'inbound')
                                 AND ms.direction = 'outbound')
               ORDER BY t0.id ${TICKET_ROW_LOCK} OF t0) w
         WHERE t.id = w.id RETURNING t.id, t.reference, w.assignee_id AS assignee`,
        [agentIds],
      ),
    );
  }

  /** Status, kind, topic and priority as a person sets them; a status brings its timestamps and reopening clears them. */
  async setFields(m: EntityManager, id: string, changes: TicketFieldChanges): Promise<{ status: string }> {
    const sets: string[] = ['updated_at = now()'];
    const params: unknown[] = [id];
    const set = (sql: string, value: unknown) => sets.push(sql.replace('?', `$${params.push(value)}`));
    if (changes.kind) set('kind = ?', changes.kind);
    if (changes.topic !== undefined) set('topic = ?', changes.topic);
    if (changes.priority) set('priority = ?', changes.priority);
    if (changes.status) {
      set('status = ?', changes.status);
      // The auto-close count starts when the wait on the customer begins, not at any later edit while waiting. Whole
      // milliseconds, so the value read back into JavaScript is the same key (auto_close_notices.pending_since).
      if (changes.status === 'pending_customer') {
        sets.push(
          "pending_customer_since = CASE WHEN status = 'pending_customer' THEN coalesce(pending_customer_since, date_trunc('milliseconds', now())) ELSE date_trunc('milliseconds', now()) END",
        );
      }
      if (changes.status === 'resolved') sets.push('resolved_at = coalesce(resolved_at, now())');
      if (changes.status === 'closed') sets.push('closed_at = now()', 'resolved_at = coalesce(resolved_at, now())');
      if (changes.status === 'queued') sets.push('closed_at = NULL', 'resolved_at = NULL', 'assignee_id = NULL');
    }
    const [row] = returnedRows<{ status: string }>(
      await m.query(`UPDATE tickets SET ${sets.join(', ')} WHERE id = $1 RETURNING status`, params),
    );
    return row;
  }

  /** Hidden from the inbox until `until`, the customer's next message, or a person waking it, whichever comes first. */
  async snooze(
    m: EntityManager,
    id: string,
    snooze: { until: Date | null; untilReply: boolean; note: string | null; agentId: string | null },
  ): Promise<void> {
    await m.query(
      `UPDATE tickets SET snoozed_at = now(), snoozed_until = $2, snooze_until_reply = $3, snooze_note = $4, snoozed_by_id = $5, updated_at = now() WHERE id = $1`,
      [id, snooze.until, snooze.untilReply, snooze.note, snooze.agentId],
    );
  }

  /** Wakes those of the tickets that are snoozed, returning what each was snoozed for (the history tells it). */
  async wake(
    m: EntityManager,
    ids: string[],
  ): Promise<
    Array<{
      id: string;
      reference: string;
      snoozed_until: Date | null;
      snooze_until_reply: boolean;
      snooze_note: string | null;
      snoozed_by_id: string | null;
    }>
  > {
    if (ids.length === 0) return [];
    return returnedRows(
      await m.query(
        `UPDATE tickets t SET snoozed_at = NULL, snoozed_until = NULL, snooze_until_reply = false, snooze_note = NULL, snoozed_by_id = NULL, updated_at = now()
         FROM (SELECT id, snoozed_until, snooze_until_reply, snooze_note, snoozed_by_id FROM tickets WHERE id = ANY($1::uuid[]) AND snoozed_at IS NOT NULL) old
         WHERE t.id = old.id
         RETURNING t.id, t.reference, old.snoozed_until, old.snooze_until_reply, old.snooze_note, old.snoozed_by_id`,
        [ids],
      ),
    );
  }

  /** Closes the source of a merge, pointing at the ticket its messages went to. */
  async closeAsMerged(m: EntityManager, sourceId: string, targetId: string): Promise<void> {
    await m.query(
      `UPDATE tickets SET status = 'closed', closed_at = now(), merged_into_id = $2, assignee_id = NULL, updated_at = now() WHERE id = $1`,
      [sourceId, targetId],
    );
  }

  async setCustomer(m: EntityManager, id: string, customerId: string): Promise<void> {
    await m.query('UPDATE tickets SET customer_id = $2, updated_at = now() WHERE id = $1', [id, customerId]);
  }

  /**
   * Customer records merged, unmerged or split: the tickets move between the records (those of `from`, narrowed to
   * `ids` when given) and the ids of the tickets moved are returned.
   */
  async moveToCustomer(m: EntityManager, move: { from?: string; ids?: string[]; to: string }): Promise<string[]> {
    const where: string[] = [];
    const params: unknown[] = [move.to];
    if (move.from) where.push(`customer_id = $${params.push(move.from)}`);
    if (move.ids) where.push(`id = ANY($${params.push(move.ids)}::uuid[])`);
    if (!where.length) throw new Error('moveToCustomer needs the record or the tickets to move');
    const rows = returnedRows<{ id: string }>(
      await m.query(`UPDATE tickets SET customer_id = $1, updated_at = now() WHERE ${where.join(' AND ')} RETURNING id`, params),
    );
    return rows.map((r) => r.id);
  }

  /** Something was added to the ticket (a note, a merged conversation): lists sort it as recently active. */
  async touch(m: EntityManager, id: string): Promise<void> {
    await m.query('UPDATE tickets SET updated_at = now() WHERE id = $1', [id]);
  }

  /** A person answered: the first answer's time is kept, the ticket counts as recently active. */
  async markAnswered(m: EntityManager, ids: string[]): Promise<void> {
    await m.query(
      `UPDATE tickets SET first_response_at = coalesce(first_response_at, now()), updated_at = now() WHERE id = ANY($1::uuid[])`,
      [ids],
    );
  }

  /** The SLA engine's decision for many tickets at once. */
  async setSlaState(m: EntityManager, rows: TicketSlaState[]): Promise<void> {
    if (rows.length === 0) return;
    const col = <K extends keyof TicketSlaState>(k: K) => rows.map((t) => t[k]);
    await m.query(
      `UPDATE tickets t SET sla_policy_id = u.policy_id, sla_state = u.state, sla_due_at = u.due_at, sla_warning_at = u.warning_at,
              first_response_due_at = u.fr, next_response_due_at = u.nr, resolution_due_at = u.rs, sla_breached_at = u.breached_at
       FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[],
                   $8::timestamptz[], $9::timestamptz[]) AS u(id, policy_id, state, due_at, warning_at, fr, nr, rs, breached_at)
       WHERE t.id = u.id`,
      [
        col('id'),
        col('sla_policy_id'),
        col('sla_state'),
        col('sla_due_at'),
        col('sla_warning_at'),
        col('first_response_due_at'),
        col('next_response_due_at'),
        col('resolution_due_at'),
        col('sla_breached_at'),
      ],
    );
  }

  /**
   * Warnings and breaches that fired: a warning turns an `ok` ticket to `warning`, a breach makes it `breached`
   * and keeps the earliest breach time. `breachedAt` is null for a ticket that only got a warning.
   */
  async markSlaFired(m: EntityManager, rows: Array<{ ticketId: string; breachedAt: Date | null }>): Promise<void> {
    if (rows.length === 0) return;
    await m.query(
      `UPDATE tickets t SET sla_state = CASE WHEN x.breached IS NOT NULL THEN 'breached' WHEN t.sla_state = 'ok' THEN 'warning' ELSE t.sla_state END,
              sla_breached_at = CASE WHEN x.breached IS NULL THEN t.sla_breached_at ELSE least(coalesce(t.sla_breached_at, x.breached), x.breached) END
       FROM (SELECT ticket_id, min(breached) AS breached FROM unnest($1::uuid[], $2::timestamptz[]) AS u(ticket_id, breached) GROUP BY 1) x
       WHERE t.id = x.ticket_id`,
      [rows.map((r) => r.ticketId), rows.map((r) => r.breachedAt)],
    );
  }

  /** The customer's satisfaction score; null when there is no such ticket. */
  async recordCsat(
    m: EntityManager,
    id: string,
    answer: { score: number; channel: string; comment: string | null },
  ): Promise<{ reference: string } | null> {
    const rows = returnedRows<{ reference: string }>(
      await m.query(
        `UPDATE tickets SET csat_score = $2, csat_at = now(), csat_channel = $3, csat_comment = $4 WHERE id = $1 RETURNING reference`,
        [id, answer.score, answer.channel, answer.comment],
      ),
    );
    return rows[0] ?? null;
  }
}

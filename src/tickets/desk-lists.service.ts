import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuthUser, inTicketScope, ticketScope, ticketScopeSql } from '../auth/auth-user';
import { ProblemException } from '../common/problem';

export interface QueueWaiting {
  queue: string;
  name: string;
  level: number;
  institution: string | null;
  waiting: number;
  longestWaitSeconds: number | null;
  atRisk: number;
  breached: number;
}

export interface Assignee {
  id: string;
  displayName: string;
  roles: string[];
  state: 'online' | 'away' | 'offline';
  /** Tickets they hold now (status assigned), on every channel. */
  load: number;
  capacity: Record<string, number>;
}

/** Roles that do ticket work; an admin-only account is never offered as an assignee. */
const WORKING_ROLES = ['operator', 'specialist', 'expert', 'supervisor'];

/**
 * The lists an agent's desk needs beside the ticket list, each in one query and within the person's scope: the
 * queues they may see with what waits in each, and the agents a ticket may be given to.
 */
@Injectable()
export class DeskListsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Every queue the person's scope reaches (all of them for centre-wide roles, their institutions' queues for
   * specialists and experts), with the tickets of their scope waiting there: unassigned and new or queued, as the
   * supervisor board counts them.
   */
  async queues(user: AuthUser): Promise<QueueWaiting[]> {
    const scope = ticketScope(user);
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    const ticketScopeCond = ticketScopeSql(scope, 't', p);
    const queueScope = scope.all ? '' : `WHERE q.institution_id = ANY(${p(scope.institutionIds)}::uuid[])`;
    // A snoozed ticket waits for its time or the customer, not for someone in the queue.
    const open = `t.assignee_id IS NULL AND t.status IN ('new', 'queued') AND t.snoozed_at IS NULL`;
    const rows: Array<Record<string, any>> = await this.dataSource.query(
      `SELECT q.code, q.name, q.level, i.code AS institution,
              count(t.id) FILTER (WHERE ${open}) AS waiting,
              extract(epoch FROM now() - min(t.created_at) FILTER (WHERE ${open})) AS longest_wait_s,
              count(t.id) FILTER (WHERE t.sla_state = 'warning') AS at_risk,
              count(t.id) FILTER (WHERE t.sla_state = 'breached') AS breached
       FROM queues q
       LEFT JOIN institutions i ON i.id = q.institution_id
       LEFT JOIN tickets t ON t.queue_id = q.id AND t.status NOT IN ('resolved', 'closed') ${ticketScopeCond}
       ${queueScope}
       GROUP BY q.id, q.code, q.name, q.level, i.code
       ORDER BY q.level, q.is_general DESC, q.code`,
      params,
    );
    return rows.map((r) => ({
      queue: r.code,
      name: r.name,
      level: Number(r.level),
      institution: r.institution,
      waiting: Number(r.waiting),
      longestWaitSeconds: r.longest_wait_s === null ? null : Math.round(Number(r.longest_wait_s)),
      atRisk: Number(r.at_risk),
      breached: Number(r.breached),
    }));
  }

  /**
   * The active agents a ticket may be given to: those whose own scope holds it once it is theirs (the rule the
   * assignment itself checks), with their presence and load, so the person choosing sees who can take it now.
   * The ticket must be one the asker may see (404 otherwise, like every ticket route).
   */
  async assignees(user: AuthUser, reference: string): Promise<Assignee[]> {
    const params: unknown[] = [reference.toUpperCase()];
    const [ticket]: Array<{ institution_id: string | null; level: number; assignee_id: string | null }> = await this.dataSource.query(
      `SELECT t.institution_id, t.level, t.assignee_id FROM tickets t WHERE t.reference = $1 ${ticketScopeSql(ticketScope(user), 't', (v) => `$${params.push(v)}`)}`,
      params,
    );
    if (!ticket) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No ticket ${reference} that you may see.`);
    const rows: Array<Record<string, any>> = await this.dataSource.query(
      `SELECT a.id, a.display_name, a.roles, a.capacity, coalesce(p.state, 'offline') AS state,
              coalesce(array_agg(ai.institution_id) FILTER (WHERE ai.institution_id IS NOT NULL), '{}') AS institution_ids,
              (SELECT count(*) FROM tickets h WHERE h.assignee_id = a.id AND h.status = 'assigned') AS load
       FROM agents a
       LEFT JOIN agent_presence p ON p.agent_id = a.id
       LEFT JOIN agent_institutions ai ON ai.agent_id = a.id
       WHERE a.active AND a.roles && $1::text[]
       GROUP BY a.id, p.state
       ORDER BY CASE coalesce(p.state, 'offline') WHEN 'online' THEN 0 WHEN 'away' THEN 1 ELSE 2 END, a.display_name, a.id`,
      [WORKING_ROLES],
    );
    return rows
      .filter((r) =>
        inTicketScope(ticketScope({ id: r.id, email: '', roles: r.roles, institutionIds: r.institution_ids }), {
          ...ticket,
          assignee_id: r.id,
        }),
      )
      .map((r) => ({ id: r.id, displayName: r.display_name, roles: r.roles, state: r.state, load: Number(r.load), capacity: r.capacity }));
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { AvailableAgent, channelsWithRoom, planAssignments, Strategy, WaitingTicket } from '@lib/assignment';
import { MetricsService } from '../metrics/metrics.service';
import { TicketChanges } from '../tickets/ticket-changes.service';
import { TicketEffectsPublisher } from '../tickets/ticket-effects.publisher';
import { TICKET_ROW_LOCK } from '../tickets/repositories/tickets.repository';

/** How many of the oldest waiting tickets one pass considers; the next pass takes the rest. */
const PASS_SIZE = 200;

interface AgentRow {
  id: string;
  roles: string[];
  institution_ids: string[];
  languages: string[];
  skills: string[];
  capacity: Record<string, number>;
  load: Record<string, number>;
  last_assigned_at: Date | null;
}

const toAvailable = (a: AgentRow): AvailableAgent => ({
  id: a.id,
  roles: a.roles,
  institutionIds: a.institution_ids,
  languages: a.languages,
  skills: a.skills,
  capacity: a.capacity,
  load: a.load,
  lastAssignedAt: a.last_assigned_at,
});

/**
 * Gives waiting work in the automatic queues to online agents within their capacity. One pass at a time across
 * every worker process (a transaction-scoped advisory lock), so that two passes can never both count an agent's
 * load before either has written: nobody is given more than their capacity, and no ticket is assigned twice
 * (the tickets are locked, and someone claiming one by hand at the same moment makes the pass skip it).
 */
@Injectable()
export class AssignmentService {
  private readonly logger = new Logger(AssignmentService.name);

  constructor(
    private readonly effects: TicketEffectsPublisher,
    private readonly changes: TicketChanges,
    private readonly metrics: MetricsService,
  ) {}

  /** Runs passes until one assigns nothing; resolves to how many tickets were assigned. */
  async offerWaitingWork(): Promise<number> {
    let assigned = 0;
    for (;;) {
      const n = await this.pass();
      assigned += n;
      if (n === 0) return assigned;
    }
  }

  private async pass(): Promise<number> {
    // The assignees' `assignment` events and the tickets' new state go out after commit (TicketChanges' effects).
    const plan = await this.effects.transaction(async (m, effects) => {
      // Waits for a pass running elsewhere rather than skipping: that pass may have read before our tickets committed.
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended('routing:offer', 0))`);
      const agents: AgentRow[] = await m.query(
        `SELECT a.id, a.roles, a.languages, a.skills, a.capacity, p.last_assigned_at,
                coalesce((SELECT array_agg(ai.institution_id) FROM agent_institutions ai WHERE ai.agent_id = a.id), '{}') AS institution_ids,
                coalesce((SELECT jsonb_object_agg(l.channel, l.n) FROM (
                  SELECT channel, count(*)::int AS n FROM tickets WHERE assignee_id = a.id AND status = 'assigned' GROUP BY channel) l), '{}') AS load
         FROM agents a JOIN agent_presence p ON p.agent_id = a.id
         WHERE a.active AND p.state = 'online'`,
      );
      // Agents first: with nobody online, or everyone full, there is nothing to read, let alone to lock.
      const channels = channelsWithRoom(agents.map(toAvailable));
      if (channels.length === 0) return [];
      const waiting: Array<{
        id: string;
        reference: string;
        channel: string;
        language: string;
        topic: string | null;
        institution_id: string | null;
        level: number;
        strategy: Strategy;
      }> = await m.query(
        `SELECT t.id, t.reference, t.channel, t.language, t.topic, t.institution_id, t.level, q.strategy
           FROM tickets t JOIN queues q ON q.id = t.queue_id
           WHERE t.assignee_id IS NULL AND t.status IN ('new', 'queued') AND q.strategy <> 'manual' AND t.channel = ANY($2::text[])
             -- A caller still on the line waits in Twilio's queue, which connects them to whoever takes the call;
             -- only what outlives the call (a voicemail, a call-back request) is offered here.
             AND NOT (t.channel = 'voice' AND EXISTS (
               SELECT 1 FROM messages ms JOIN calls c ON c.call_sid = ms.external_id
               WHERE ms.ticket_id = t.id AND ms.channel = 'voice' AND c.ended_at IS NULL))
           ORDER BY t.created_at, t.id LIMIT $1 ${TICKET_ROW_LOCK} OF t SKIP LOCKED`,
        [PASS_SIZE, channels],
      );
      if (waiting.length === 0) return [];
      const byId = new Map(waiting.map((t) => [t.id, t]));
      const plan = planAssignments(
        waiting.map<WaitingTicket>((t) => ({
          id: t.id,
          channel: t.channel,
          language: t.language,
          topic: t.topic,
          institutionId: t.institution_id,
          level: t.level,
          strategy: t.strategy,
        })),
        agents.map(toAvailable),
      );
      if (plan.length === 0) return [];
      const assigned = plan.map((p) => ({ ...p, reference: byId.get(p.ticketId)!.reference, strategy: byId.get(p.ticketId)!.strategy }));
      await this.changes.autoAssign(m, effects, assigned);
      await m.query(
        `UPDATE agent_presence p SET last_assigned_at = u.at
         FROM (SELECT agent_id, max(ord) AS ord, clock_timestamp() AS at FROM unnest($1::uuid[]) WITH ORDINALITY AS x(agent_id, ord) GROUP BY agent_id) u
         WHERE p.agent_id = u.agent_id`,
        [plan.map((p) => p.agentId)],
      );
      return assigned;
    });
    if (plan.length > 0) {
      for (const p of plan) this.metrics.ticketsAutoAssigned.inc({ strategy: p.strategy });
      this.logger.log({ count: plan.length }, 'waiting work assigned');
    }
    return plan.length;
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppliedAction, applyBreachActions } from './sla-breach-actions';
import { SlaEngine, SlaTrigger } from './sla-engine.service';
import { SlaPoliciesService } from './sla-policies.service';
import { SlaTimerBatch, SlaTimerJobData } from './sla-timer-batch';

export type SlaTimerOutcome = 'recorded' | 'stale' | 'early' | 'duplicate';

/** A clock may be a second ahead of PostgreSQL's on another host: a timer that early still counts as due. */
const CLOCK_SKEW_MS = 1000;

/**
 * What a firing timer does, for many timers in one transaction. A timer only says "look at this clock now": on
 * the locked tickets, each clock must still run at the version the timer was made for and be due; the warning or
 * breach is then written once (the unique key of sla_events refuses a second), with the clock, its history, the
 * ticket's state and an audit entry in the same statement. Breach actions follow, and the engine chooses the
 * policy again for tickets they moved. Running the same timers again records nothing.
 */
@Injectable()
export class SlaFiringService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly engine: SlaEngine,
    private readonly policies: SlaPoliciesService,
  ) {}

  /**
   * Open tickets that never had a policy (written before SLA existed, or while no policy matched) get their
   * clocks, a bounded number per call; their clocks start from when the ticket reached a person. A conversation
   * level 0 still holds (status `bot`) is nobody's to answer yet: its clocks start when it is handed over.
   */
  async adoptUntracked(timers: SlaTimerBatch, limit = 500): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const rows: Array<{ id: string }> = await m.query(
        `SELECT id FROM tickets WHERE sla_policy_id IS NULL AND sla_state IS NULL AND status NOT IN ('resolved', 'closed', 'bot')
         ORDER BY created_at LIMIT $1`,
        [limit],
      );
      await this.engine.apply(m, rows.map((r) => ({ ticketId: r.id, trigger: { type: 'changed' as const, at: new Date() } })), timers);
      return rows.length;
    });
  }

  async fire(jobs: SlaTimerJobData[], timers: SlaTimerBatch): Promise<SlaTimerOutcome[]> {
    return this.dataSource.transaction((m) => this.fireIn(m, jobs, timers));
  }

  private async fireIn(m: EntityManager, jobs: SlaTimerJobData[], timers: SlaTimerBatch): Promise<SlaTimerOutcome[]> {
    const rows: Array<Record<string, any>> = await m.query(
      `SELECT c.*, t.reference FROM tickets t JOIN sla_clocks c ON c.ticket_id = t.id
       WHERE (c.ticket_id, c.metric) IN (SELECT * FROM unnest($1::uuid[], $2::varchar[]))
       ORDER BY t.id, c.metric FOR UPDATE OF t`,
      [jobs.map((j) => j.ticketId), jobs.map((j) => j.metric)],
    );
    const clocks = new Map(rows.map((r) => [`${r.ticket_id}|${r.metric}`, r]));
    const policies = new Map((await this.policies.all(m)).map((p) => [p.id, p]));

    const outcomes: SlaTimerOutcome[] = [];
    const due: Array<{ index: number; clock: Record<string, any>; kind: 'warning' | 'breached'; at: Date }> = [];
    const seen = new Set<string>();
    jobs.forEach((job, index) => {
      const clock = clocks.get(`${job.ticketId}|${job.metric}`);
      if (!clock || clock.version !== job.version || clock.status !== 'running') return outcomes.push('stale');
      const at: Date | null = job.kind === 'breach' ? clock.due_at : clock.warning_at;
      if (!at || at.getTime() > Date.now() + CLOCK_SKEW_MS) return outcomes.push('early');
      if (job.kind === 'breach' ? clock.breached_at : clock.warned_at) return outcomes.push('duplicate');
      // A warning deferred to business hours is pointless once the breach itself is on record.
      if (job.kind === 'warning' && clock.breached_at) return outcomes.push('stale');
      const key = `${job.ticketId}|${job.metric}|${job.kind}`;
      if (seen.has(key)) return outcomes.push('duplicate');
      seen.add(key);
      outcomes.push('recorded'); // unless the insert below finds it there already
      due.push({ index, clock, kind: job.kind === 'breach' ? 'breached' : 'warning', at });
    });
    if (due.length === 0) return outcomes;

    const col = <T>(f: (d: (typeof due)[number]) => T) => due.map(f);
    const recorded: Array<{ id: string; ticket_id: string; metric: string; kind: string }> = await m.query(
      `WITH j AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::varchar[], $4::varchar[], $5::int[], $6::timestamptz[], $7::timestamptz[], $8::bigint[], $9::jsonb[])
           AS j(ticket_id, policy_id, metric, kind, cycle, at, due_at, budget_ms, detail)),
       ev AS (
         INSERT INTO sla_events (ticket_id, policy_id, metric, kind, cycle, at)
         SELECT ticket_id, policy_id, metric, kind, cycle, at FROM j
         ON CONFLICT ON CONSTRAINT uq_sla_events_once DO NOTHING RETURNING id, ticket_id, metric, kind),
       done AS (SELECT j.*, ev.id AS event_id FROM j JOIN ev USING (ticket_id, metric, kind)),
       clock AS (
         UPDATE sla_clocks c SET breached_at = coalesce(x.breached, c.breached_at), warned_at = coalesce(x.warned, c.warned_at)
         FROM (SELECT ticket_id, metric, max(at) FILTER (WHERE kind = 'breached') AS breached, max(at) FILTER (WHERE kind = 'warning') AS warned
               FROM done GROUP BY 1, 2) x
         WHERE c.ticket_id = x.ticket_id AND c.metric = x.metric),
       history AS (
         INSERT INTO sla_clock_events (ticket_id, metric, kind, policy_id, cycle, due_at, consumed_ms, at)
         SELECT ticket_id, metric, kind, policy_id, cycle, due_at, budget_ms, at FROM done),
       ticket AS (
         UPDATE tickets t SET sla_state = CASE WHEN x.breached IS NOT NULL THEN 'breached' WHEN t.sla_state = 'ok' THEN 'warning' ELSE t.sla_state END,
                sla_breached_at = CASE WHEN x.breached IS NULL THEN t.sla_breached_at ELSE least(coalesce(t.sla_breached_at, x.breached), x.breached) END
         FROM (SELECT ticket_id, min(at) FILTER (WHERE kind = 'breached') AS breached FROM done GROUP BY 1) x
         WHERE t.id = x.ticket_id),
       audit AS (
         INSERT INTO audit_events (actor_agent_id, action, subject_type, subject_id, detail)
         SELECT NULL, 'sla.' || kind, 'ticket', ticket_id::text, detail FROM done)
       SELECT event_id AS id, ticket_id, metric, kind FROM done`,
      [
        col((d) => d.clock.ticket_id),
        col((d) => d.clock.policy_id),
        col((d) => d.clock.metric),
        col((d) => d.kind),
        col((d) => d.clock.cycle),
        col((d) => d.at),
        col((d) => d.clock.due_at),
        col((d) => d.clock.budget_ms),
        col((d) =>
          JSON.stringify({
            reference: d.clock.reference,
            metric: d.clock.metric,
            at: d.at,
            policyId: d.clock.policy_id,
            actions: d.kind === 'breached' ? (policies.get(d.clock.policy_id)?.breachActions ?? []) : [],
          }),
        ),
      ],
    );
    const eventOf = new Map(recorded.map((r) => [`${r.ticket_id}|${r.metric}|${r.kind}`, r.id]));
    const moved: Array<{ ticketId: string; trigger: SlaTrigger }> = [];
    for (const d of due) {
      const eventId = eventOf.get(`${d.clock.ticket_id}|${d.clock.metric}|${d.kind}`);
      if (!eventId) {
        outcomes[d.index] = 'duplicate';
        continue;
      }
      const planned = d.kind === 'breached' ? (policies.get(d.clock.policy_id)?.breachActions ?? []) : [];
      if (planned.length === 0) continue;
      const actions: AppliedAction[] = await applyBreachActions(m, d.clock.ticket_id, d.clock.metric, planned);
      await m.query('UPDATE sla_events SET actions = $2 WHERE id = $1', [eventId, JSON.stringify(actions)]);
      if (actions.some((a) => a.applied)) moved.push({ ticketId: d.clock.ticket_id, trigger: { type: 'changed', at: new Date() } });
    }
    // A moved ticket may fall under another policy: chosen again, due times follow.
    await this.engine.apply(m, moved, timers);
    return outcomes;
  }
}

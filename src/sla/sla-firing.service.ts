import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { TICKET_ROW_LOCK, TicketsRepository } from '../tickets/repositories/tickets.repository';
import { TicketChanges } from '../tickets/ticket-changes.service';
import { TicketEffects } from '../tickets/ticket-effects';
import { TicketEffectsPublisher } from '../tickets/ticket-effects.publisher';
import { AppliedAction, applyBreachActions } from './sla-breach-actions';
import { SlaEngine } from './sla-engine.service';
import { SlaPoliciesService } from './sla-policies.service';
import { SlaTimerJobData } from './sla-timer-batch';

export type SlaTimerOutcome = 'recorded' | 'stale' | 'early' | 'duplicate';

/** A clock may be a second ahead of PostgreSQL's on another host: a timer that early still counts as due. */
const CLOCK_SKEW_MS = 1000;

/**
 * What a firing timer does, for many timers in one transaction. A timer only says "look at this clock now": on
 * the locked tickets, each clock must still run at the version the timer was made for and be due; the warning or
 * breach is then written once (the unique key of sla_events refuses a second), with the clock, its history, the
 * ticket's state (through the tickets module) and an audit entry follow. Breach actions are ticket changes like a
 * person's (TicketChanges), so a move chooses the policy again, tells the institution and offers the ticket.
 * Supervisors hear of each warning and breach, and the tickets' new state is published, after commit (the
 * effects). Running the same timers again records nothing.
 */
@Injectable()
export class SlaFiringService {
  constructor(
    private readonly effects: TicketEffectsPublisher,
    private readonly engine: SlaEngine,
    private readonly policies: SlaPoliciesService,
    private readonly tickets: TicketsRepository,
    private readonly changes: TicketChanges,
    private readonly audit: AuditService,
  ) {}

  /**
   * Open tickets that never had a policy (written before SLA existed, or while no policy matched) get their
   * clocks, a bounded number per call; their clocks start from when the ticket reached a person. A conversation
   * level 0 still holds (status `bot`) is nobody's to answer yet: its clocks start when it is handed over.
   */
  async adoptUntracked(limit = 500): Promise<number> {
    return this.effects.transaction(async (m, effects) => {
      const rows: Array<{ id: string }> = await m.query(
        `SELECT id FROM tickets WHERE sla_policy_id IS NULL AND sla_state IS NULL AND status NOT IN ('resolved', 'closed', 'bot')
         ORDER BY created_at LIMIT $1`,
        [limit],
      );
      await this.engine.apply(
        m,
        rows.map((r) => ({ ticketId: r.id, trigger: { type: 'changed' as const, at: new Date() } })),
        effects.timers,
      );
      return rows.length;
    });
  }

  async fire(jobs: SlaTimerJobData[]): Promise<SlaTimerOutcome[]> {
    return this.effects.transaction((m, effects) => this.fireIn(m, effects, jobs));
  }

  private async fireIn(m: EntityManager, effects: TicketEffects, jobs: SlaTimerJobData[]): Promise<SlaTimerOutcome[]> {
    const rows: Array<Record<string, any>> = await m.query(
      `SELECT c.*, t.reference FROM tickets t JOIN sla_clocks c ON c.ticket_id = t.id
       WHERE (c.ticket_id, c.metric) IN (SELECT * FROM unnest($1::uuid[], $2::varchar[]))
       ORDER BY t.id, c.metric ${TICKET_ROW_LOCK} OF t`,
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
    const recorded: Array<{
      id: string;
      ticket_id: string;
      metric: string;
      kind: string;
      at: Date;
      detail: { reference: string } & Record<string, unknown>;
    }> = await m.query(
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
         SELECT ticket_id, metric, kind, policy_id, cycle, due_at, budget_ms, at FROM done)
       SELECT event_id AS id, ticket_id, metric, kind, at, detail FROM done`,
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
    // The ticket's state shown in lists, and the trail, for what was recorded now (not for a duplicate).
    await this.tickets.markSlaFired(
      m,
      recorded.map((r) => ({ ticketId: r.ticket_id, breachedAt: r.kind === 'breached' ? r.at : null })),
    );
    await this.audit.record(
      recorded.map((r) => ({
        actorAgentId: null,
        action: `sla.${r.kind}`,
        subjectType: 'ticket',
        subjectId: r.ticket_id,
        detail: r.detail,
      })),
      m,
    );
    // Supervisors hear of each warning and breach as it is recorded (an `sla` event; `GET /v1/sla/events` catches up
    // after a reconnect), and everyone who may see the ticket gets its new state.
    for (const r of recorded) {
      effects.toSupervisors('sla', { reference: r.detail.reference, metric: r.metric, kind: r.kind, at: new Date().toISOString() });
    }
    effects.ticketsChanged(recorded.map((r) => r.ticket_id));
    const eventOf = new Map(recorded.map((r) => [`${r.ticket_id}|${r.metric}|${r.kind}`, r.id]));
    const applied: Array<{ eventId: string; actions: AppliedAction[] }> = [];
    for (const d of due) {
      const eventId = eventOf.get(`${d.clock.ticket_id}|${d.clock.metric}|${d.kind}`);
      if (!eventId) {
        outcomes[d.index] = 'duplicate';
        continue;
      }
      const planned = d.kind === 'breached' ? (policies.get(d.clock.policy_id)?.breachActions ?? []) : [];
      if (planned.length === 0) continue;
      // The actions are ticket changes, each on its own locked ticket; what they did is written for all at once.
      applied.push({
        eventId,
        actions: await applyBreachActions(
          m,
          effects,
          { changes: this.changes, tickets: this.tickets },
          d.clock.ticket_id,
          d.clock.metric,
          planned,
        ),
      });
    }
    if (applied.length > 0) {
      await m.query(
        `UPDATE sla_events e SET actions = u.actions FROM unnest($1::bigint[], $2::jsonb[]) AS u(id, actions) WHERE e.id = u.id`,
        [applied.map((a) => a.eventId), applied.map((a) => JSON.stringify(a.actions))],
      );
    }
    return outcomes;
  }
}

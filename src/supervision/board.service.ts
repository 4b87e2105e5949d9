import { Injectable } from '@nestjs/common';
import { ReplicaReads } from '../database/replica-reads';
import { PresenceService } from '../presence/presence.service';
import { resolvedAtLevel0Sql } from '../tickets/level0-resolution';

type Row = Record<string, any>;

/** Used when no active voice SLA policy gives a first-response target in seconds (the seeded one says 20 s). */
const DEFAULT_CALL_ANSWER_TARGET_SECONDS = 20;

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const ratio = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 1000 : null);

/** The start of today in Riga, as SQL: "today" on the board is the centre's day, not UTC's. */
const TODAY = `(date_trunc('day', now() AT TIME ZONE 'Europe/Riga') AT TIME ZONE 'Europe/Riga')`;

/**
 * What supervisors watch live. Queue figures are per queue and channel: waiting work and the longest wait,
 * today's offered/answered/abandoned, service level (answered within the first-response target / offered),
 * average speed of answer, and open tickets at risk (SLA warning) or breached. Agent figures: state, load beside
 * capacity, time online and away today, and work handled today. Level-0 resolution: how much automation really solved, per channel.
 */
@Injectable()
export class BoardService {
  constructor(
    /** Reports-grade reads: a replica when there is one (a second of lag is fine for these figures). */
    private readonly replica: ReplicaReads,
    private readonly presence: PresenceService,
  ) {}

  async snapshot() {
    const [queues, calls, level0, handled, presentToday, agents] = [
      await this.queues(),
      await this.calls(),
      await this.level0(),
      await this.handledToday(),
      await this.presentToday(),
      await this.presence.list(),
    ];
    return {
      at: new Date().toISOString(),
      queues,
      calls,
      agents: agents.map((a) => ({
        ...a,
        handledToday: handled.get(a.agentId) ?? 0,
        onlineSecondsToday: presentToday.get(a.agentId)?.online ?? 0,
        awaySecondsToday: presentToday.get(a.agentId)?.away ?? 0,
        busy: Object.entries(a.load).some(([channel, n]) => n >= (a.capacity[channel] ?? 0)),
      })),
      totals: {
        online: agents.filter((a) => a.state === 'online').length,
        away: agents.filter((a) => a.state === 'away').length,
        waiting: queues.reduce((sum, q) => sum + q.waiting, 0),
        atRisk: queues.reduce((sum, q) => sum + q.atRisk, 0),
        breached: queues.reduce((sum, q) => sum + q.breached, 0),
      },
      level0,
    };
  }

  private async queues() {
    const rows: Row[] = await this.replica.query(
      `SELECT q.code AS queue, q.level, i.code AS institution, t.channel,
              count(*) FILTER (WHERE t.assignee_id IS NULL AND t.status IN ('new', 'queued')) AS waiting,
              extract(epoch FROM now() - min(t.created_at) FILTER (WHERE t.assignee_id IS NULL AND t.status IN ('new', 'queued'))) AS longest_wait_s,
              count(*) FILTER (WHERE t.status NOT IN ('resolved', 'closed') AND t.sla_state = 'warning') AS at_risk,
              count(*) FILTER (WHERE t.status NOT IN ('resolved', 'closed') AND t.sla_state = 'breached') AS breached,
              count(*) FILTER (WHERE t.created_at >= ${TODAY}) AS offered,
              count(*) FILTER (WHERE t.created_at >= ${TODAY} AND t.first_response_at IS NOT NULL) AS answered,
              count(*) FILTER (WHERE t.created_at >= ${TODAY} AND t.first_response_at IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM sla_clocks c WHERE c.ticket_id = t.id AND c.metric = 'first_response' AND c.breached_at IS NOT NULL)) AS answered_in_target,
              count(*) FILTER (WHERE t.created_at >= ${TODAY} AND t.first_response_at IS NULL AND t.status IN ('resolved', 'closed')) AS abandoned,
              avg(extract(epoch FROM t.first_response_at - t.created_at)) FILTER (WHERE t.created_at >= ${TODAY} AND t.first_response_at IS NOT NULL) AS asa_s
       FROM tickets t JOIN queues q ON q.id = t.queue_id LEFT JOIN institutions i ON i.id = q.institution_id
       WHERE t.status NOT IN ('resolved', 'closed') OR t.created_at >= ${TODAY}
       GROUP BY q.code, q.level, i.code, t.channel
       ORDER BY q.level, q.code, t.channel`,
    );
    return rows.map((r) => {
      const offered = Number(r.offered);
      return {
        queue: r.queue as string,
        level: r.level as number,
        institution: r.institution as string | null,
        channel: r.channel as string,
        waiting: Number(r.waiting),
        longestWaitSeconds: num(r.longest_wait_s) === null ? null : Math.round(Number(r.longest_wait_s)),
        offeredToday: offered,
        answeredToday: Number(r.answered),
        abandonedToday: Number(r.abandoned),
        serviceLevel: ratio(Number(r.answered_in_target), offered),
        averageSpeedOfAnswerSeconds: num(r.asa_s) === null ? null : Math.round(Number(r.asa_s)),
        atRisk: Number(r.at_risk),
        breached: Number(r.breached),
      };
    });
  }

  /**
   * Live calls wait in Twilio's queues (one per language and institution), not in ours: waiting now, and today's
   * offered, answered within the target, abandoned and speed of answer, from the calls' own timestamps.
   */
  private async calls() {
    const rows: Row[] = await this.replica.query(
      `SELECT queue_name AS queue,
              count(*) FILTER (WHERE left_queue_at IS NULL AND ended_at IS NULL) AS waiting,
              extract(epoch FROM now() - min(enqueued_at) FILTER (WHERE left_queue_at IS NULL AND ended_at IS NULL)) AS longest_wait_s,
              count(*) FILTER (WHERE enqueued_at >= ${TODAY}) AS offered,
              count(*) FILTER (WHERE enqueued_at >= ${TODAY} AND answered_at IS NOT NULL) AS answered,
              count(*) FILTER (WHERE enqueued_at >= ${TODAY} AND answered_at <= enqueued_at + make_interval(secs => $1)) AS answered_in_target,
              count(*) FILTER (WHERE enqueued_at >= ${TODAY} AND outcome = 'abandoned') AS abandoned,
              avg(extract(epoch FROM answered_at - enqueued_at)) FILTER (WHERE enqueued_at >= ${TODAY} AND answered_at IS NOT NULL) AS asa_s
       FROM calls WHERE queue_name IS NOT NULL AND (enqueued_at >= ${TODAY} OR (left_queue_at IS NULL AND ended_at IS NULL))
       GROUP BY queue_name ORDER BY queue_name`,
      [await this.callAnswerTargetSeconds()],
    );
    return rows.map((r) => ({
      queue: r.queue as string,
      waiting: Number(r.waiting),
      longestWaitSeconds: num(r.longest_wait_s) === null ? null : Math.round(Number(r.longest_wait_s)),
      offeredToday: Number(r.offered),
      answeredToday: Number(r.answered),
      abandonedToday: Number(r.abandoned),
      serviceLevel: ratio(Number(r.answered_in_target), Number(r.offered)),
      averageSpeedOfAnswerSeconds: num(r.asa_s) === null ? null : Math.round(Number(r.asa_s)),
    }));
  }

  /** The answer target of the general voice policy, so that the board and the SLA reports agree. */
  private async callAnswerTargetSeconds(): Promise<number> {
    const [row]: Row[] = await this.replica.query(
      `SELECT (first_response->>'value')::int AS seconds FROM sla_policies
       WHERE active AND channel = 'voice' AND level IS NULL AND priority IS NULL AND institution_id IS NULL AND first_response->>'unit' = 'calendar_seconds'
       LIMIT 1`,
    );
    return row?.seconds ?? DEFAULT_CALL_ANSWER_TARGET_SECONDS;
  }

  /** Contacts of today that automation settled, by the definition the reports use (resolvedAtLevel0Sql). */
  private async level0() {
    const rows: Row[] = await this.replica.query(
      `SELECT t.channel, count(*) AS contacts, count(*) FILTER (WHERE ${resolvedAtLevel0Sql('t')}) AS resolved_at_level0
       FROM tickets t WHERE t.created_at >= ${TODAY} AND t.merged_into_id IS NULL GROUP BY t.channel ORDER BY t.channel`,
    );
    return rows.map((r) => ({
      channel: r.channel as string,
      contactsToday: Number(r.contacts),
      resolvedAtLevel0: Number(r.resolved_at_level0),
      rate: ratio(Number(r.resolved_at_level0), Number(r.contacts)),
    }));
  }

  /** Tickets an agent answered (a message to the customer) or resolved today. */
  private async handledToday(): Promise<Map<string, number>> {
    const rows: Row[] = await this.replica.query(
      `SELECT agent_id, count(DISTINCT ticket_id) AS n FROM (
         SELECT author_agent_id AS agent_id, ticket_id FROM messages
         WHERE author_type = 'agent' AND direction = 'outbound' AND NOT internal AND created_at >= ${TODAY}
         UNION ALL
         SELECT assignee_id, id FROM tickets WHERE assignee_id IS NOT NULL AND resolved_at >= ${TODAY}
       ) h GROUP BY agent_id`,
    );
    return new Map(rows.map((r) => [r.agent_id as string, Number(r.n)]));
  }

  /** Seconds each agent has spent online and away since midnight (Riga), from the presence history. */
  private async presentToday(): Promise<Map<string, { online: number; away: number }>> {
    const rows: Row[] = await this.replica.query(
      `SELECT agent_id,
              coalesce(sum(extract(epoch FROM coalesce(ended_at, now()) - greatest(started_at, ${TODAY}))) FILTER (WHERE state = 'online'), 0)::int AS online,
              coalesce(sum(extract(epoch FROM coalesce(ended_at, now()) - greatest(started_at, ${TODAY}))) FILTER (WHERE state = 'away'), 0)::int AS away
       FROM presence_periods WHERE ended_at IS NULL OR ended_at > ${TODAY} GROUP BY agent_id`,
    );
    return new Map(rows.map((r) => [r.agent_id as string, { online: Number(r.online), away: Number(r.away) }]));
  }
}

import { Injectable } from '@nestjs/common';
import { rigaDate } from '@lib/business-calendar';
import { ReplicaReads } from '../database/replica-reads';
import { AuthUser, ticketScope } from '../auth/auth-user';
import { validationProblem } from '../common/problem';
import { CalendarService, DEFAULT_CENTRE } from '../calendar/calendar.service';
import { resolvedAtLevel0Sql } from '../tickets/level0-resolution';
import { staffedMilliseconds } from './staffed-time';

type Row = Record<string, any>;

/** Riga-time month bounds as SQL expressions over two 'YYYY-MM' parameters. */
const FROM = (p: string) => `((${p} || '-01')::timestamp AT TIME ZONE 'Europe/Riga')`;
const UNTIL = (p: string) => `(((${p} || '-01')::date + interval '1 month')::timestamp AT TIME ZONE 'Europe/Riga')`;
const MONTH = (column: string) => `to_char(${column} AT TIME ZONE 'Europe/Riga', 'YYYY-MM')`;

/** Outcomes of each clock cycle, from the append-only history: met within target, or breached (or met late). */
const CYCLES = `
  SELECT e.ticket_id, e.metric, e.cycle,
         min(e.at) FILTER (WHERE e.kind IN ('started', 'restarted')) AS started_at,
         bool_or(e.kind = 'breached') AS breached,
         bool_or(e.kind = 'met') AS met,
         bool_or(e.kind = 'met' AND coalesce((e.detail->>'withinTarget')::boolean, true)) AS met_in_time,
         (array_agg(e.policy_id ORDER BY e.id DESC))[1] AS policy_id
  FROM sla_clock_events e GROUP BY e.ticket_id, e.metric, e.cycle`;

const pct = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : null);

/**
 * The ministry's and the supervisors' figures, straight from the tickets: month by month in Riga time, scoped
 * like every ticket query (institution staff see only their institutions). A ticket merged into another is
 * counted once, as the ticket it went into. Applications are tickets of kind application; every other kind
 * (consultation, question, complaint, suggestion) counts as a consultation.
 */
@Injectable()
export class ReportsService {
  constructor(
    /** Reports-grade reads: a replica when there is one (a second of lag is fine for these figures). */
    private readonly replica: ReplicaReads,
    private readonly calendars: CalendarService,
  ) {}

  async volumes(user: AuthUser, q: { from?: string; to?: string; institution?: string }) {
    const { params, where } = this.filters(user, q, 't.created_at');
    const rows: Row[] = await this.replica.query(
      `SELECT ${MONTH('t.created_at')} AS month, coalesce(i.code, ri.code, '-') AS institution, t.channel, t.kind,
              CASE WHEN t.kind = 'application' THEN 'application' ELSE 'consultation' END AS category, count(*)::int AS tickets,
              count(*) FILTER (WHERE ${resolvedAtLevel0Sql('t')})::int AS "resolvedAtLevel0"
       FROM tickets t LEFT JOIN institutions i ON i.id = t.institution_id LEFT JOIN institutions ri ON ri.id = t.referred_institution_id
       WHERE ${where}
       GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4`,
      params,
    );
    return rows;
  }

  /** Level-0 resolution per month and channel (see resolvedAtLevel0Sql), over the same tickets as `volumes`. */
  async levelZeroByChannel(user: AuthUser, q: { from?: string; to?: string; institution?: string }) {
    const { params, where } = this.filters(user, q, 't.created_at');
    const rows: Row[] = await this.replica.query(
      `SELECT ${MONTH('t.created_at')} AS month, t.channel, count(*)::int AS tickets,
              count(*) FILTER (WHERE ${resolvedAtLevel0Sql('t')})::int AS resolved_at_level0
       FROM tickets t LEFT JOIN institutions i ON i.id = t.institution_id LEFT JOIN institutions ri ON ri.id = t.referred_institution_id
       WHERE ${where}
       GROUP BY 1, 2 ORDER BY 1, 2`,
      params,
    );
    return rows.map((r) => ({ month: r.month, channel: r.channel, tickets: r.tickets, resolvedAtLevel0: r.resolved_at_level0, percent: pct(r.resolved_at_level0, r.tickets) }));
  }

  async slaCompliance(user: AuthUser, q: { from?: string; to?: string; institution?: string }) {
    const { params, where } = this.filters(user, q, 'c.started_at');
    const rows: Row[] = await this.replica.query(
      `WITH cycles AS (${CYCLES})
       SELECT ${MONTH('c.started_at')} AS month, coalesce(p.name, '-') AS policy, coalesce(qu.code, '-') AS queue, c.metric,
              count(*)::int AS measured,
              count(*) FILTER (WHERE c.met_in_time AND NOT c.breached)::int AS within_target,
              count(*) FILTER (WHERE c.breached OR NOT c.met_in_time)::int AS breached,
              max(p.goal_percent) AS goal_percent
       FROM cycles c JOIN tickets t ON t.id = c.ticket_id
       LEFT JOIN institutions i ON i.id = t.institution_id LEFT JOIN institutions ri ON ri.id = t.referred_institution_id
       LEFT JOIN sla_policies p ON p.id = c.policy_id LEFT JOIN queues qu ON qu.id = t.queue_id
       WHERE (c.met OR c.breached) AND ${where}
       GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
      params,
    );
    return rows.map((r) => ({
      month: r.month,
      policy: r.policy,
      queue: r.queue,
      metric: r.metric,
      measured: r.measured,
      withinTarget: r.within_target,
      breached: r.breached,
      compliancePercent: pct(r.within_target, r.measured),
      goalPercent: r.goal_percent,
    }));
  }

  async csat(user: AuthUser, q: { from?: string; to?: string; institution?: string }) {
    const { params, where } = this.filters(user, q, 't.csat_at');
    const rows: Row[] = await this.replica.query(
      `SELECT ${MONTH('t.csat_at')} AS month, coalesce(i.code, ri.code, '-') AS institution, t.channel, count(*)::int AS responses,
              round(avg(t.csat_score), 2)::float AS average,
              count(*) FILTER (WHERE t.csat_score >= 4)::int AS satisfied,
              ${[1, 2, 3, 4, 5].map((n) => `count(*) FILTER (WHERE t.csat_score = ${n})::int AS score_${n}`).join(', ')}
       FROM tickets t LEFT JOIN institutions i ON i.id = t.institution_id LEFT JOIN institutions ri ON ri.id = t.referred_institution_id
       WHERE t.csat_score IS NOT NULL AND ${where}
       GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      params,
    );
    return rows.map((r) => ({ ...r, satisfiedPercent: pct(r.satisfied, r.responses) }));
  }

  /**
   * The funding report of one centre for one month: availability (planned hours from its working hours and the
   * calendar, and how many of them were staffed: a half-hour of planned time counts as staffed when an operator
   * was online in it, or someone answered or worked a ticket in it), volume, and the quality criteria (service level and response times per
   * channel, CSAT, share resolved at level 0).
   */
  async funding(q: { month?: string; centre?: string }) {
    const centre = (q.centre ?? DEFAULT_CENTRE).toUpperCase();
    const month = q.month ?? previousMonth();
    const calendar = await this.calendars.calendar(centre);
    // Remote channels belong to the remote centre; a VPVKAC centre's contacts are the counter contacts logged there.
    const ofCentre =
      centre === DEFAULT_CENTRE
        ? `t.channel <> 'counter'`
        : `t.channel = 'counter' AND EXISTS (SELECT 1 FROM messages cm WHERE cm.ticket_id = t.id AND cm.meta->>'location' = $2)`;
    const params: unknown[] = centre === DEFAULT_CENTRE ? [month] : [month, centre];
    const inMonth = (column: string) => `${column} >= ${FROM('$1')} AND ${column} < ${UNTIL('$1')}`;
    const base = `FROM tickets t WHERE t.merged_into_id IS NULL AND ${ofCentre}`;

    const [{ start, end }] = await this.replica.query(`SELECT ${FROM('$1')} AS start, ${UNTIL('$1')} AS end`, [month]);
    const slots: Array<[Date, Date]> = [];
    for (let day = rigaDate(start); day < rigaDate(end); day = nextDay(day)) {
      for (const { start: s, end: e } of calendar.workingIntervals(day)) {
        for (let t = s.getTime(); t < e.getTime(); t += 30 * 60_000) slots.push([new Date(t), new Date(Math.min(t + 30 * 60_000, e.getTime()))]);
      }
    }
    // The remote line is staffed while an operator is online (presence history); for a VPVKAC centre, and for
    // months before presence was recorded, work done in the half-hour is the evidence. Both are read once for the
    // month and matched to the slots here, rather than searched for slot by slot.
    const [work, online]: [Array<{ at: Date }>, Array<{ started_at: Date; ended_at: Date | null }>] = await Promise.all([
      this.replica.query(
        `SELECT DISTINCT date_trunc('minute', at) AS at FROM (
           SELECT created_at AS at FROM messages WHERE author_type = 'agent' AND created_at >= $1 AND created_at < $2
           UNION ALL
           SELECT created_at FROM audit_events WHERE actor_agent_id IS NOT NULL AND action LIKE 'ticket.%' AND created_at >= $1 AND created_at < $2
         ) w`,
        [start, end],
      ),
      centre === DEFAULT_CENTRE
        ? this.replica.query(
            `SELECT pp.started_at, pp.ended_at FROM presence_periods pp JOIN agents a ON a.id = pp.agent_id
             WHERE pp.state = 'online' AND 'operator' = ANY(a.roles) AND pp.started_at < $2 AND (pp.ended_at IS NULL OR pp.ended_at > $1)`,
            [start, end],
          )
        : [],
    ]);
    const staffedHours =
      staffedMilliseconds(
        slots.map(([s, e]) => [s.getTime(), e.getTime()] as const),
        work.map((w) => new Date(w.at).getTime()),
        online.map((o) => [new Date(o.started_at).getTime(), o.ended_at ? new Date(o.ended_at).getTime() : Number.POSITIVE_INFINITY] as const),
      ) / 3_600_000;
    const plannedHours = slots.reduce((sum, [s, e]) => sum + (e.getTime() - s.getTime()), 0) / 3_600_000;

    const [volume, serviceLevel, responseTimes, [csat], l0ByChannel]: Row[][] = await Promise.all([
      this.replica.query(
        `SELECT t.channel, count(*)::int AS total, count(*) FILTER (WHERE t.kind = 'application')::int AS applications,
                count(*) FILTER (WHERE t.kind <> 'application')::int AS consultations
         ${base} AND ${inMonth('t.created_at')} GROUP BY 1 ORDER BY 1`,
        params,
      ),
      this.replica.query(
        `WITH cycles AS (${CYCLES})
         SELECT t.channel, count(*)::int AS measured, count(*) FILTER (WHERE c.met_in_time AND NOT c.breached)::int AS within_target,
                max(p.goal_percent) AS goal_percent
         FROM cycles c JOIN tickets t ON t.id = c.ticket_id LEFT JOIN sla_policies p ON p.id = c.policy_id
         WHERE c.metric = 'first_response' AND (c.met OR c.breached) AND t.merged_into_id IS NULL AND ${ofCentre} AND ${inMonth('c.started_at')}
         GROUP BY 1 ORDER BY 1`,
        params,
      ),
      this.replica.query(
        `SELECT t.channel, count(*)::int AS answered,
                round(avg(extract(epoch FROM t.first_response_at - t.created_at)))::int AS average_seconds,
                round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t.first_response_at - t.created_at))::numeric)::int AS median_seconds
         ${base} AND t.first_response_at IS NOT NULL AND ${inMonth('t.created_at')} GROUP BY 1 ORDER BY 1`,
        params,
      ),
      this.replica.query(
        `SELECT count(*)::int AS responses, round(avg(t.csat_score), 2)::float AS average, count(*) FILTER (WHERE t.csat_score >= 4)::int AS satisfied
         ${base} AND t.csat_score IS NOT NULL AND ${inMonth('t.csat_at')}`,
        params,
      ),
      this.replica.query(
        `SELECT t.channel, count(*)::int AS total, count(*) FILTER (WHERE ${resolvedAtLevel0Sql('t')})::int AS resolved_at_level0
         ${base} AND ${inMonth('t.created_at')} GROUP BY 1 ORDER BY 1`,
        params,
      ),
    ]);
    const total = volume.reduce((s, r) => s + r.total, 0);
    const l0 = { total: l0ByChannel.reduce((s, r) => s + r.total, 0), resolved_at_level0: l0ByChannel.reduce((s, r) => s + r.resolved_at_level0, 0) };
    return {
      centre,
      month,
      availability: { plannedHours: round2(plannedHours), staffedHours: round2(staffedHours), availabilityPercent: pct(staffedHours, plannedHours) },
      volume: {
        total,
        applications: volume.reduce((s, r) => s + r.applications, 0),
        consultations: volume.reduce((s, r) => s + r.consultations, 0),
        byChannel: volume,
      },
      quality: {
        serviceLevel: serviceLevel.map((r) => ({
          channel: r.channel,
          measured: r.measured,
          withinTarget: r.within_target,
          percent: pct(r.within_target, r.measured),
          goalPercent: r.goal_percent,
        })),
        firstResponse: responseTimes.map((r) => ({ channel: r.channel, answered: r.answered, averageSeconds: r.average_seconds, medianSeconds: r.median_seconds })),
        csat: { responses: csat.responses, average: csat.average, satisfiedPercent: pct(csat.satisfied, csat.responses) },
        levelZeroResolution: {
          tickets: l0.total,
          resolvedAtLevelZero: l0.resolved_at_level0,
          percent: pct(l0.resolved_at_level0, l0.total),
          byChannel: l0ByChannel.map((r) => ({ channel: r.channel, tickets: r.total, resolvedAtLevelZero: r.resolved_at_level0, percent: pct(r.resolved_at_level0, r.total) })),
        },
      },
    };
  }

  /** Month range, institution and the caller's scope as one WHERE over tickets `t` (with `i`, `ri` joined). */
  private filters(user: AuthUser, q: { from?: string; to?: string; institution?: string }, column: string) {
    const from = q.from ?? rigaDate(new Date()).slice(0, 7);
    const to = q.to ?? from;
    if (to < from) throw validationProblem([{ field: 'to', code: 'beforeFrom', message: 'to must not be before from' }]);
    const months = (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5)) - Number(from.slice(5));
    if (months >= 36) throw validationProblem([{ field: 'to', code: 'tooLong', message: 'at most 36 months at once' }]);
    const params: unknown[] = [from, to];
    const where = [`${column} >= ${FROM('$1')}`, `${column} < ${UNTIL('$2')}`, 't.merged_into_id IS NULL'];
    const scope = ticketScope(user);
    if (!scope.all) where.push(`t.institution_id = ANY($${params.push(scope.institutionIds)}::uuid[])`);
    if (q.institution) where.push(`coalesce(i.code, ri.code) = $${params.push(q.institution.toUpperCase())}`);
    return { params, where: where.join(' AND ') };
  }
}

function previousMonth(): string {
  const [y, m] = rigaDate(new Date()).split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

const round2 = (n: number) => Math.round(n * 100) / 100;


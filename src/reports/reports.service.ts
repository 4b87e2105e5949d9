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

/** Channels whose contacts staff log themselves (POST /v1/contacts): they name the centre they were served at. */
const LOGGED = `('counter', 'phone')`;

/**
 * The centre a ticket belongs to: a staff-logged contact's named centre, else (logged before centres were
 * recorded) the centre of the agent who logged it; any other ticket came in on a remote channel, VPPPD's. A
 * counter ticket with neither (no logged message left) belongs to no centre rather than to a guessed one.
 */
const TICKET_CENTRE = (t: string) => `CASE WHEN ${t}.channel IN ${LOGGED} THEN coalesce(
    (SELECT cm.meta->>'centre' FROM messages cm WHERE cm.ticket_id = ${t}.id AND cm.channel IN ${LOGGED} AND cm.meta ? 'centre' ORDER BY cm.created_at, cm.id LIMIT 1),
    (SELECT ca.centre FROM messages cm JOIN agents ca ON ca.id = cm.author_agent_id
     WHERE cm.ticket_id = ${t}.id AND cm.channel IN ${LOGGED} AND cm.author_type = 'agent' ORDER BY cm.created_at, cm.id LIMIT 1),
    CASE WHEN ${t}.channel = 'phone' THEN '${DEFAULT_CENTRE}' END) ELSE '${DEFAULT_CENTRE}' END`;

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

  /**
   * Level-0 resolution per month and channel (see resolvedAtLevel0Sql), over the same tickets as `volumes`, with
   * how many of them were ever escalated to an institution (level 2) or an expert (level 3), even if handed back since.
   */
  async levelZeroByChannel(user: AuthUser, q: { from?: string; to?: string; institution?: string }) {
    const { params, where } = this.filters(user, q, 't.created_at');
    const rows: Row[] = await this.replica.query(
      `SELECT ${MONTH('t.created_at')} AS month, t.channel, count(*)::int AS tickets,
              count(*) FILTER (WHERE ${resolvedAtLevel0Sql('t')})::int AS resolved_at_level0,
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM escalations e WHERE e.ticket_id = t.id AND e.to_level >= 2))::int AS escalated
       FROM tickets t LEFT JOIN institutions i ON i.id = t.institution_id LEFT JOIN institutions ri ON ri.id = t.referred_institution_id
       WHERE ${where}
       GROUP BY 1, 2 ORDER BY 1, 2`,
      params,
    );
    return rows.map((r) => ({
      month: r.month,
      channel: r.channel,
      tickets: r.tickets,
      resolvedAtLevel0: r.resolved_at_level0,
      percent: pct(r.resolved_at_level0, r.tickets),
      escalatedToLevel2Or3: r.escalated,
    }));
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
   * The funding report of one centre for one month: availability (planned hours from the centre's own working
   * hours and the calendar, and how many of them were staffed), volume, and the quality criteria (service level and
   * response times per channel, abandonment and speed of answer, CSAT, share resolved at level 0).
   *
   * Every piece of evidence belongs to one centre. A half-hour of planned time counts as staffed when one of the
   * centre's operators was online in it, or one of its agents answered or worked a ticket in it; a contact logged
   * at a counter or on a direct line counts for the centre it names (`meta.centre`, set when it was logged), even
   * when someone of another centre logged it. A ticket belongs to the centre its staff-logged contact names, or to
   * the centre of the agent who logged it; every other ticket came in on a remote channel and is VPPPD's.
   * Agents are counted for the centre they work for now: a move between centres moves their history with them.
   */
  async funding(q: { month?: string; centre?: string }) {
    const code = (q.centre ?? DEFAULT_CENTRE).toUpperCase();
    const centre = await this.calendars.findCentre(code);
    if (!centre)
      throw validationProblem([
        { field: 'centre', code: 'unknown', message: `no centre has the code ${code} (GET /v1/calendar/centres lists them)` },
      ]);
    const month = q.month ?? previousMonth();
    const calendar = await this.calendars.calendar(centre.code);
    const params: unknown[] = [month, centre.code];
    const ofCentre = `${TICKET_CENTRE('t')} = $2`;
    const inMonth = (column: string) => `${column} >= ${FROM('$1')} AND ${column} < ${UNTIL('$1')}`;
    const base = `FROM tickets t WHERE t.merged_into_id IS NULL AND ${ofCentre}`;

    const [{ start, end }] = await this.replica.query(`SELECT ${FROM('$1')} AS start, ${UNTIL('$1')} AS end`, [month]);
    const slots: Array<[Date, Date]> = [];
    for (let day = rigaDate(start); day < rigaDate(end); day = nextDay(day)) {
      for (const { start: s, end: e } of calendar.workingIntervals(day)) {
        for (let t = s.getTime(); t < e.getTime(); t += 30 * 60_000)
          slots.push([new Date(t), new Date(Math.min(t + 30 * 60_000, e.getTime()))]);
      }
    }
    // Both kinds of evidence are read once for the month and matched to the slots here, rather than searched for
    // slot by slot. A logged contact is evidence at the moment it was served (sent_at, never after it was logged),
    // for the centre it names, however long after the month it was logged.
    const [work, online]: [Array<{ at: Date }>, Array<{ started_at: Date; ended_at: Date | null }>] = await Promise.all([
      this.replica.query(
        `SELECT DISTINCT date_trunc('minute', w.at) AS at FROM (
           SELECT CASE WHEN m.meta ? 'centre' THEN coalesce(m.sent_at, m.created_at) ELSE m.created_at END AS at,
                  CASE WHEN m.channel IN ${LOGGED} AND m.meta ? 'centre' THEN m.meta->>'centre' ELSE a.centre END AS centre
           FROM messages m JOIN agents a ON a.id = m.author_agent_id
           WHERE m.author_type = 'agent' AND m.created_at >= $1
           UNION ALL
           SELECT e.created_at, a.centre FROM audit_events e JOIN agents a ON a.id = e.actor_agent_id
           WHERE e.action LIKE 'ticket.%' AND e.created_at >= $1 AND e.created_at < $2
         ) w WHERE w.centre = $3 AND w.at >= $1 AND w.at < $2`,
        [start, end, centre.code],
      ),
      this.replica.query(
        `SELECT pp.started_at, pp.ended_at FROM presence_periods pp JOIN agents a ON a.id = pp.agent_id
         WHERE pp.state = 'online' AND 'operator' = ANY(a.roles) AND a.centre = $3 AND pp.started_at < $2 AND (pp.ended_at IS NULL OR pp.ended_at > $1)`,
        [start, end, centre.code],
      ),
    ]);
    const staffedHours =
      staffedMilliseconds(
        slots.map(([s, e]) => [s.getTime(), e.getTime()] as const),
        work.map((w) => new Date(w.at).getTime()),
        online.map(
          (o) => [new Date(o.started_at).getTime(), o.ended_at ? new Date(o.ended_at).getTime() : Number.POSITIVE_INFINITY] as const,
        ),
      ) / 3_600_000;
    const plannedHours = slots.reduce((sum, [s, e]) => sum + (e.getTime() - s.getTime()), 0) / 3_600_000;

    const [volume, serviceLevel, responseTimes, [csat], l0ByChannel, waited]: Row[][] = await Promise.all([
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
      this.waited(month, centre),
    ]);
    const total = volume.reduce((s, r) => s + r.total, 0);
    const l0 = {
      total: l0ByChannel.reduce((s, r) => s + r.total, 0),
      resolved_at_level0: l0ByChannel.reduce((s, r) => s + r.resolved_at_level0, 0),
    };
    const offered = waited.reduce((s, r) => s + r.offered, 0);
    const abandoned = waited.reduce((s, r) => s + r.abandoned, 0);
    const answered = waited.reduce((s, r) => s + r.answered, 0);
    const waitedSeconds = waited.reduce((s, r) => s + r.answer_seconds, 0);
    return {
      centre: centre.code,
      centreName: centre.name,
      month,
      availability: {
        plannedHours: round2(plannedHours),
        staffedHours: round2(staffedHours),
        availabilityPercent: pct(staffedHours, plannedHours),
      },
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
        firstResponse: responseTimes.map((r) => ({
          channel: r.channel,
          answered: r.answered,
          averageSeconds: r.average_seconds,
          medianSeconds: r.median_seconds,
        })),
        abandonment: {
          offered,
          abandoned,
          percent: pct(abandoned, offered),
          byChannel: waited.map((r) => ({
            channel: r.channel,
            offered: r.offered,
            abandoned: r.abandoned,
            percent: pct(r.abandoned, r.offered),
          })),
        },
        speedOfAnswer: {
          answered,
          averageSeconds: answered > 0 ? Math.round(waitedSeconds / answered) : null,
          byChannel: waited.map((r) => ({
            channel: r.channel,
            answered: r.answered,
            averageSeconds: r.answered > 0 ? Math.round(r.answer_seconds / r.answered) : null,
          })),
        },
        csat: { responses: csat.responses, average: csat.average, satisfiedPercent: pct(csat.satisfied, csat.responses) },
        levelZeroResolution: {
          tickets: l0.total,
          resolvedAtLevelZero: l0.resolved_at_level0,
          percent: pct(l0.resolved_at_level0, l0.total),
          byChannel: l0ByChannel.map((r) => ({
            channel: r.channel,
            tickets: r.total,
            resolvedAtLevelZero: r.resolved_at_level0,
            percent: pct(r.resolved_at_level0, r.total),
          })),
        },
      },
    };
  }

  /**
   * Contacts that waited for a person, per channel: offered, answered (and the seconds they waited for it) and
   * abandoned. Calls from the calls themselves (queued, answered, or hung up while waiting: the remote line's);
   * every other channel from its tickets, as the live board counts them: abandoned when closed without an answer.
   * Contacts automation settled at level 0 never waited for a person; a contact logged by staff was served as it
   * was logged; a voice ticket (voicemail, call-back) is the call's sequel, already counted as the call.
   */
  private async waited(month: string, centre: { code: string; kind: string }): Promise<Row[]> {
    const inMonth = (column: string) => `${column} >= ${FROM('$1')} AND ${column} < ${UNTIL('$1')}`;
    const [tickets, calls]: Row[][] = await Promise.all([
      this.replica.query(
        `SELECT t.channel, count(*)::int AS offered, count(*) FILTER (WHERE t.first_response_at IS NOT NULL)::int AS answered,
                count(*) FILTER (WHERE t.first_response_at IS NULL AND t.status IN ('resolved', 'closed'))::int AS abandoned,
                coalesce(sum(extract(epoch FROM t.first_response_at - t.created_at)), 0)::float AS answer_seconds
         FROM tickets t
         WHERE t.merged_into_id IS NULL AND ${TICKET_CENTRE('t')} = $2 AND ${inMonth('t.created_at')}
           AND t.channel NOT IN ${LOGGED} AND t.channel <> 'voice' AND NOT ${resolvedAtLevel0Sql('t')}
         GROUP BY 1 ORDER BY 1`,
        [month, centre.code],
      ),
      centre.code === DEFAULT_CENTRE
        ? this.replica.query(
            `SELECT 'voice' AS channel, count(*)::int AS offered, count(*) FILTER (WHERE answered_at IS NOT NULL)::int AS answered,
                    count(*) FILTER (WHERE outcome = 'abandoned')::int AS abandoned,
                    coalesce(sum(extract(epoch FROM answered_at - enqueued_at)) FILTER (WHERE answered_at IS NOT NULL), 0)::float AS answer_seconds
             FROM calls WHERE ${inMonth('enqueued_at')} HAVING count(*) > 0`,
            [month],
          )
        : [],
    ]);
    return [...tickets, ...calls].sort((a, b) => a.channel.localeCompare(b.channel));
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

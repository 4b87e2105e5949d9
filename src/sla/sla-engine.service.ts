import { Injectable } from '@nestjs/common';
import { BusinessCalendar } from '@lib/business-calendar';
import {
  budgetOf,
  ClockTiming,
  dueAt as dueOf,
  measureOf,
  pause,
  reminderTime,
  resume,
  SLA_METRICS,
  SlaMetric,
  SlaTarget,
  warningAt as warningOf,
} from '@lib/sla-clock';
import { EntityManager } from 'typeorm';
import { CalendarService } from '../calendar/calendar.service';
import type { SlaState } from '../tickets/entities/ticket.entity';
import { TICKET_ROW_LOCK, TicketSlaState, TicketsRepository } from '../tickets/repositories/tickets.repository';
import type { ClockEventKind } from './entities/sla-clock-event.entity';
import type { ClockStatus } from './entities/sla-clock.entity';
import { choosePolicy, PolicyRow } from './policy-match';
import { SlaPoliciesService } from './sla-policies.service';
import { SlaTimerBatch, timerJobId } from './sla-timer-batch';

/** What happened to a ticket that its clocks must hear about. Status, level, queue and priority are read fresh. */
export type SlaTrigger =
  | { type: 'created'; at: Date; servedOnTheSpot?: boolean }
  | { type: 'customer_message'; at: Date }
  | { type: 'staff_reply'; at: Date }
  | { type: 'changed'; at: Date }
  | { type: 'extension'; at: Date; reason: string; actorAgentId: string | null };

interface TicketRow {
  id: string;
  channel: string;
  level: number;
  priority: string;
  institution_id: string | null;
  referred_institution_id: string | null;
  status: string;
  created_at: Date | string;
  first_response_at: Date | null;
  sla_policy_id: string | null;
  sla_breached_at: Date | null;
  /** When the ticket last left level 0 for a person (a chat handed over by the assistant), if it ever did. */
  handed_over_at: Date | null;
}

/**
 * What the clocks of a ticket not yet written need to know of it: the facts a policy is chosen by, and its arrival,
 * where its clocks start. `servedOnTheSpot`: a contact logged by the person who served it, answered then.
 */
export type NewTicketFacts = Pick<
  TicketRow,
  'id' | 'channel' | 'level' | 'priority' | 'institution_id' | 'referred_institution_id' | 'status' | 'created_at'
> & { servedOnTheSpot?: boolean };

/** Clocks decided for new tickets: the summary each ticket's row carries, and the clocks and history written after it. */
export interface StartedClocks {
  summaries: Map<string, TicketSlaState>;
  clocks: Clock[];
  events: ClockEvent[];
}

/**
 * Where a ticket's clocks start: when it reached a person. For most tickets that is their arrival; for one level 0
 * kept for a while (a chat with the assistant), the hand-over — the time with the assistant is nobody's wait.
 */
const startOf = (ticket: TicketRow): Date => new Date(ticket.handed_over_at ?? ticket.created_at);

interface Clock {
  ticketId: string;
  metric: SlaMetric;
  policyId: string | null;
  status: ClockStatus;
  measure: 'business' | 'calendar';
  cycle: number;
  version: number;
  startedAt: Date;
  budgetMs: number;
  consumedMs: number;
  runningSince: Date | null;
  extended: boolean;
  warningAt: Date | null;
  dueAt: Date | null;
  warningFireAt: Date | null;
  breachFireAt: Date | null;
  warnedAt: Date | null;
  breachedAt: Date | null;
  metAt: Date | null;
  stored: boolean;
}

interface ClockEvent {
  ticketId: string;
  metric: SlaMetric;
  kind: ClockEventKind;
  policyId: string | null;
  cycle: number;
  dueAt: Date | null;
  consumedMs: number;
  at: Date;
  detail: Record<string, unknown>;
}

const CLOSED = new Set(['resolved', 'closed']);
const WAITING_ON_CUSTOMER = 'pending_customer';
const time = (d: Date | null) => (d ? d.getTime() : null);

/**
 * Keeps every ticket's SLA clocks (first response, next response, resolution) in step with what happens to it.
 * It runs inside the caller's transaction, after the caller's own writes, so clocks change atomically with the
 * ticket. The ticket's current facts decide: its policy is chosen again from channel, level, priority and
 * institution on every change; pending_customer pauses the running clocks and any other open status resumes
 * them; resolved/closed meets the resolution clock and stops the response clocks. Every change is appended to
 * sla_clock_events; sla_clocks holds only where each clock stands now, and the ticket carries the summary the
 * inbox shows. Timers to add or remove are collected in a batch the caller schedules after commit.
 */
@Injectable()
export class SlaEngine {
  constructor(
    private readonly policies: SlaPoliciesService,
    private readonly calendars: CalendarService,
    private readonly tickets: TicketsRepository,
  ) {}

  async apply(m: EntityManager, triggers: Array<{ ticketId: string; trigger: SlaTrigger }>, timers: SlaTimerBatch): Promise<void> {
    if (triggers.length === 0) return;
    const ids = [...new Set(triggers.map((t) => t.ticketId))];
    // One connection runs the transaction: its queries go one after another. The tickets are locked in id order,
    // and their clocks read with them: every writer of a ticket's clocks holds the ticket's lock first (this engine,
    // SLA firing), so the clocks need no lock of their own, nor a statement.
    const rows: Array<TicketRow & { clocks: Array<Record<string, unknown>> }> = await m.query(
      `SELECT id, channel, level, priority, institution_id, referred_institution_id, status, created_at, first_response_at, sla_policy_id, sla_breached_at,
              (SELECT max(e.created_at) FROM escalations e WHERE e.ticket_id = tickets.id AND e.from_level = 0 AND e.to_level > 0) AS handed_over_at,
              (SELECT coalesce(json_agg(c), '[]') FROM sla_clocks c WHERE c.ticket_id = tickets.id) AS clocks
       FROM tickets WHERE id = ANY($1::uuid[]) ORDER BY id ${TICKET_ROW_LOCK}`,
      [ids],
    );
    // Through the transaction's own connection: a second pool connection per transaction can starve the pool.
    const policies: PolicyRow[] = await this.policies.all(m);
    const calendar: BusinessCalendar = await this.calendars.calendar(undefined, m);
    const clocksOf = new Map<string, Map<SlaMetric, Clock>>(ids.map((id) => [id, new Map()]));
    for (const row of rows) for (const c of row.clocks) clocksOf.get(row.id)!.set(c.metric as SlaMetric, fromJson(c));
    const decided = this.decide(rows, clocksOf, triggers, timers, policies, calendar);
    await this.write(m, decided.clocks, decided.events);
    await this.tickets.setSlaState(m, decided.summaries);
  }

  /**
   * The clocks of tickets being created in the caller's transaction, decided before their rows are written, so that
   * each ticket's INSERT carries its SLA summary instead of being updated after it: a second version of the row with
   * a new entry in every index on tickets, 150 µs of PostgreSQL's time per accepted web form. The caller writes the
   * tickets with `summaries`, then calls `recordStarted` for their clocks and history.
   */
  async startClocks(m: EntityManager, tickets: NewTicketFacts[], timers: SlaTimerBatch): Promise<StartedClocks> {
    if (tickets.length === 0) return { summaries: new Map(), clocks: [], events: [] };
    const policies: PolicyRow[] = await this.policies.all(m);
    const calendar: BusinessCalendar = await this.calendars.calendar(undefined, m);
    const rows: TicketRow[] = tickets.map((t) => ({
      ...t,
      first_response_at: null,
      sla_policy_id: null,
      sla_breached_at: null,
      handed_over_at: null,
    }));
    const triggers = tickets.map((t): { ticketId: string; trigger: SlaTrigger } => ({
      ticketId: t.id,
      trigger: { type: 'created', at: new Date(t.created_at), servedOnTheSpot: t.servedOnTheSpot },
    }));
    const decided = this.decide(rows, new Map(rows.map((r) => [r.id, new Map()])), triggers, timers, policies, calendar);
    return { summaries: new Map(decided.summaries.map((s) => [s.id, s])), clocks: decided.clocks, events: decided.events };
  }

  /** The clocks `startClocks` decided, written once their tickets exist. */
  async recordStarted(m: EntityManager, started: StartedClocks): Promise<void> {
    await this.write(m, started.clocks, started.events);
  }

  private decide(
    tickets: TicketRow[],
    clocksOf: Map<string, Map<SlaMetric, Clock>>,
    triggers: Array<{ ticketId: string; trigger: SlaTrigger }>,
    timers: SlaTimerBatch,
    policies: PolicyRow[],
    calendar: BusinessCalendar,
  ): { clocks: Clock[]; events: ClockEvent[]; summaries: TicketSlaState[] } {
    const events: ClockEvent[] = [];
    const summaries: TicketSlaState[] = [];
    const changedClocks: Clock[] = [];
    // By ticket once: a batch of a thousand new tickets would otherwise scan every trigger and event per ticket.
    const triggersOf = new Map<string, SlaTrigger[]>();
    for (const { ticketId, trigger } of triggers) {
      const list = triggersOf.get(ticketId);
      if (list) list.push(trigger);
      else triggersOf.set(ticketId, [trigger]);
    }
    for (const ticket of tickets) {
      const clocks = clocksOf.get(ticket.id)!;
      const ticketTriggers = triggersOf.get(ticket.id) ?? [];
      const ticketEvents: ClockEvent[] = [];
      const before = new Map([...clocks].map(([k, c]) => [k, { ...c }]));
      const now = new Date();
      const policy = choosePolicy(policies, {
        channel: ticket.channel,
        level: ticket.level,
        priority: ticket.priority,
        institutionId: ticket.institution_id,
        referred: ticket.referred_institution_id !== null,
      });
      const record = (c: Clock, kind: ClockEventKind, at: Date, detail: Record<string, unknown> = {}) =>
        ticketEvents.push({
          ticketId: ticket.id,
          metric: c.metric,
          kind,
          policyId: c.policyId,
          cycle: c.cycle,
          dueAt: null,
          consumedMs: 0,
          at,
          detail,
        });
      const ctx = { ticket, clocks, policy, calendar, record };

      for (const trigger of ticketTriggers) this.handle(ctx, trigger);
      const created = ticketTriggers.some((t) => t.type === 'created');
      if (!created && policy?.id !== ticket.sla_policy_id) this.rechoose(ctx, now);
      this.followStatus(ctx, now);

      // Derived instants; a change bumps the version so timers of the old version recognise themselves as stale.
      for (const c of clocks.values()) {
        const old = before.get(c.metric);
        this.derive(c, policy, calendar);
        const moved =
          !old ||
          old.status !== c.status ||
          time(old.dueAt) !== time(c.dueAt) ||
          time(old.warningFireAt) !== time(c.warningFireAt) ||
          time(old.breachFireAt) !== time(c.breachFireAt) ||
          old.cycle !== c.cycle;
        if (old && moved) {
          c.version = old.version + 1;
          timers.remove(
            { jobId: timerJobId(c.ticketId, c.metric, 'warning', old.version), fireAt: old.warningFireAt },
            { jobId: timerJobId(c.ticketId, c.metric, 'breach', old.version), fireAt: old.breachFireAt },
          );
        }
        if (moved || !old || JSON.stringify(old) !== JSON.stringify(c)) changedClocks.push(c);
      }
      // Events carry the due time and time used as they stand after the change.
      for (const e of ticketEvents) {
        const c = clocks.get(e.metric)!;
        e.dueAt = c.dueAt;
        e.consumedMs = Math.round(c.consumedMs);
      }
      events.push(...ticketEvents);
      summaries.push(this.summary(ticket, policy, [...clocks.values()], now));
      timers.touch(ticket.id);
    }

    return { clocks: changedClocks, events, summaries };
  }

  private handle(ctx: Ctx, trigger: SlaTrigger): void {
    const { ticket, clocks, policy, calendar, record } = ctx;
    const at = trigger.at;
    switch (trigger.type) {
      case 'created': {
        for (const metric of ['first_response', 'resolution'] as const) {
          const target = targetOf(policy, metric, false);
          if (!target || clocks.has(metric)) continue;
          const c = newClock(ticket.id, metric, policy, target, startOf(ticket), calendar);
          clocks.set(metric, c);
          record(c, 'started', c.startedAt);
        }
        // A contact logged by the person who served it was answered on the spot.
        const first = clocks.get('first_response');
        if (trigger.servedOnTheSpot && first && first.status !== 'met') meet(first, new Date(ticket.created_at), calendar, record);
        return;
      }
      case 'staff_reply': {
        for (const metric of ['first_response', 'next_response'] as const) {
          const c = clocks.get(metric);
          if (c && (c.status === 'running' || c.status === 'paused')) meet(c, at, calendar, record);
        }
        return;
      }
      case 'customer_message': {
        const first = clocks.get('first_response');
        // Before the first answer, the first-response clock is the one that waits.
        if (first && (first.status === 'running' || first.status === 'paused')) return;
        const target = targetOf(policy, 'next_response', false);
        if (!target) return;
        const next = clocks.get('next_response');
        // The oldest unanswered message sets the time: writing again does not buy the centre more time.
        if (next && (next.status === 'running' || next.status === 'paused')) return;
        const c = newClock(ticket.id, 'next_response', policy, target, at, calendar);
        if (next) {
          c.cycle = next.cycle + 1;
          c.version = next.version;
        }
        clocks.set('next_response', c);
        record(c, next ? 'restarted' : 'started', at);
        return;
      }
      case 'extension': {
        const c = clocks.get('resolution');
        const target = policy?.resolutionExtension;
        if (!c || !target || c.extended || c.status === 'met' || c.status === 'stopped') return;
        c.extended = true;
        c.measure = measureOf(target.unit);
        c.budgetMs = budgetOf(target, c.startedAt, calendar);
        record(c, 'extended', at, { reason: trigger.reason, actorAgentId: trigger.actorAgentId, target });
        return;
      }
      case 'changed':
        return;
    }
  }

  /** Another policy now applies: each open clock keeps its start and the time it used, under the new target. */
  private rechoose(ctx: Ctx, now: Date): void {
    const { ticket, clocks, policy, calendar, record } = ctx;
    for (const metric of SLA_METRICS) {
      const c = clocks.get(metric);
      const target = targetOf(policy, metric, c?.extended ?? false);
      if (!c) {
        // A target the old policy did not have starts from when it would have started.
        if (target && (metric === 'resolution' || (metric === 'first_response' && !ticket.first_response_at))) {
          const fresh = newClock(ticket.id, metric, policy, target, startOf(ticket), calendar);
          if (CLOSED.has(ticket.status)) continue;
          fresh.consumedMs = Math.max(
            0,
            fresh.measure === 'business' ? calendar.businessTimeBetween(fresh.startedAt, now) : now.getTime() - fresh.startedAt.getTime(),
          );
          fresh.runningSince = now;
          clocks.set(metric, fresh);
          record(fresh, 'started', now, { policyChanged: true });
        }
        continue;
      }
      if (c.status === 'met' || c.status === 'stopped') {
        c.policyId = policy?.id ?? null;
        continue;
      }
      const from = c.policyId;
      c.policyId = policy?.id ?? null;
      if (!target) {
        folded(c, now, calendar);
        c.status = 'stopped';
        record(c, 'policy_changed', now, { from, to: c.policyId, stopped: true });
        continue;
      }
      const measure = measureOf(target.unit);
      if (measure !== c.measure) {
        // Time used so far is re-counted in the new measure from the clock's start.
        const running = c.runningSince !== null;
        c.consumedMs = Math.max(
          0,
          measure === 'business' ? calendar.businessTimeBetween(c.startedAt, now) : now.getTime() - c.startedAt.getTime(),
        );
        c.measure = measure;
        c.runningSince = running ? now : null;
      }
      c.budgetMs = budgetOf(target, c.startedAt, calendar);
      record(c, 'policy_changed', now, { from, to: c.policyId, target });
    }
  }

  private followStatus(ctx: Ctx, now: Date): void {
    const { ticket, clocks, calendar, record } = ctx;
    for (const c of clocks.values()) {
      if (CLOSED.has(ticket.status)) {
        if (c.status !== 'running' && c.status !== 'paused') continue;
        if (c.metric === 'resolution') meet(c, now, calendar, record);
        else {
          // Resolved without (another) answer: nothing is owed any more; a breach already recorded stays.
          folded(c, now, calendar);
          c.status = 'stopped';
          record(c, 'stopped', now, { status: ticket.status });
        }
        continue;
      }
      if (c.metric === 'resolution' && c.status === 'met') {
        // Reopened: the case is open again, with the time it already used.
        c.status = 'running';
        c.metAt = null;
        c.cycle += 1;
        c.warnedAt = null;
        c.breachedAt = null;
        c.runningSince = now;
        record(c, 'restarted', now, { reopened: true });
      }
      if (ticket.status === WAITING_ON_CUSTOMER && c.status === 'running') {
        Object.assign(c, pause(timing(c), now, calendar));
        c.status = 'paused';
        record(c, 'paused', now);
      } else if (ticket.status !== WAITING_ON_CUSTOMER && c.status === 'paused') {
        Object.assign(c, resume(timing(c), now));
        c.status = 'running';
        record(c, 'resumed', now);
      }
    }
  }

  private derive(c: Clock, policy: PolicyRow | null, calendar: BusinessCalendar): void {
    if (c.status !== 'running') {
      c.dueAt = c.warningAt = c.warningFireAt = c.breachFireAt = null;
      return;
    }
    const t = timing(c);
    c.dueAt = dueOf(t, calendar);
    c.warningAt = warningOf(t, policy?.warningPercent ?? 80, calendar);
    const anyHour = policy?.remindOutsideHours ?? false;
    c.warningFireAt = c.warningAt && reminderTime(c.warningAt, calendar, anyHour);
    c.breachFireAt = c.dueAt && reminderTime(c.dueAt, calendar, anyHour);
  }

  private summary(ticket: TicketRow, policy: PolicyRow | null, clocks: Clock[], now: Date): TicketSlaState {
    const live = clocks.filter((c) => c.status === 'running' || c.status === 'paused');
    const running = clocks.filter((c) => c.status === 'running');
    const min = (ds: Array<Date | null>) => ds.filter((d): d is Date => d !== null).sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
    const due = min(running.map((c) => c.dueAt));
    const warning = min(running.filter((c) => !c.breachedAt).map((c) => c.warningAt));
    let state: SlaState | null = null;
    if (live.some((c) => c.breachedAt) || (due && due <= now)) state = 'breached';
    else if (live.some((c) => c.status === 'paused')) state = 'paused';
    else if (running.length > 0) state = (warning && warning <= now) || running.some((c) => c.warnedAt) ? 'warning' : 'ok';
    else if (clocks.some((c) => c.status === 'met')) state = 'met';
    const breaches = clocks.map((c) => c.breachedAt).concat(ticket.sla_breached_at ? [new Date(ticket.sla_breached_at)] : []);
    const dueFor = (metric: SlaMetric) => clocks.find((c) => c.metric === metric && c.status === 'running')?.dueAt ?? null;
    return {
      id: ticket.id,
      sla_policy_id: policy?.id ?? null,
      sla_state: state,
      sla_due_at: due,
      sla_warning_at: warning,
      first_response_due_at: dueFor('first_response'),
      next_response_due_at: dueFor('next_response'),
      resolution_due_at: dueFor('resolution'),
      sla_breached_at: min(breaches),
    };
  }

  /** Where the clocks stand and what happened to them, in one statement. */
  private async write(m: EntityManager, clocks: Clock[], events: ClockEvent[]): Promise<void> {
    if (clocks.length > 0 || events.length > 0) {
      const col = <K extends keyof Clock>(k: K) => clocks.map((c) => c[k]);
      await m.query(
        `WITH clocks AS (
           INSERT INTO sla_clocks (ticket_id, metric, policy_id, status, measure, cycle, version, started_at, budget_ms, consumed_ms, running_since,
                                   extended, warning_at, due_at, warning_fire_at, breach_fire_at, warned_at, breached_at, met_at)
           SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::uuid[], $4::varchar[], $5::varchar[], $6::int[], $7::int[], $8::timestamptz[],
                                $9::bigint[], $10::bigint[], $11::timestamptz[], $12::boolean[], $13::timestamptz[], $14::timestamptz[],
                                $15::timestamptz[], $16::timestamptz[], $17::timestamptz[], $18::timestamptz[], $19::timestamptz[])
           ON CONFLICT (ticket_id, metric) DO UPDATE SET policy_id = EXCLUDED.policy_id, status = EXCLUDED.status, measure = EXCLUDED.measure,
             cycle = EXCLUDED.cycle, version = EXCLUDED.version, started_at = EXCLUDED.started_at, budget_ms = EXCLUDED.budget_ms,
             consumed_ms = EXCLUDED.consumed_ms, running_since = EXCLUDED.running_since, extended = EXCLUDED.extended,
             warning_at = EXCLUDED.warning_at, due_at = EXCLUDED.due_at, warning_fire_at = EXCLUDED.warning_fire_at,
             breach_fire_at = EXCLUDED.breach_fire_at, warned_at = EXCLUDED.warned_at, breached_at = EXCLUDED.breached_at, met_at = EXCLUDED.met_at),
         history AS (
           INSERT INTO sla_clock_events (ticket_id, metric, kind, policy_id, cycle, due_at, consumed_ms, at, detail)
           SELECT * FROM unnest($20::uuid[], $21::varchar[], $22::varchar[], $23::uuid[], $24::int[], $25::timestamptz[], $26::bigint[],
                                $27::timestamptz[], $28::jsonb[]))
         SELECT 1`,
        [
          col('ticketId'),
          col('metric'),
          col('policyId'),
          col('status'),
          col('measure'),
          col('cycle'),
          col('version'),
          col('startedAt'),
          clocks.map((c) => Math.round(c.budgetMs)),
          clocks.map((c) => Math.round(c.consumedMs)),
          col('runningSince'),
          col('extended'),
          col('warningAt'),
          col('dueAt'),
          col('warningFireAt'),
          col('breachFireAt'),
          col('warnedAt'),
          col('breachedAt'),
          col('metAt'),
          events.map((e) => e.ticketId),
          events.map((e) => e.metric),
          events.map((e) => e.kind),
          events.map((e) => e.policyId),
          events.map((e) => e.cycle),
          events.map((e) => e.dueAt),
          events.map((e) => e.consumedMs),
          events.map((e) => e.at),
          events.map((e) => JSON.stringify(e.detail)),
        ],
      );
    }
  }
}

type Ctx = {
  ticket: TicketRow;
  clocks: Map<SlaMetric, Clock>;
  policy: PolicyRow | null;
  calendar: BusinessCalendar;
  record: (c: Clock, kind: ClockEventKind, at: Date, detail?: Record<string, unknown>) => void;
};

function targetOf(policy: PolicyRow | null, metric: SlaMetric, extended: boolean): SlaTarget | null {
  if (!policy) return null;
  if (metric === 'first_response') return policy.firstResponse;
  if (metric === 'next_response') return policy.nextResponse;
  return (extended && policy.resolutionExtension) || policy.resolution;
}

function newClock(
  ticketId: string,
  metric: SlaMetric,
  policy: PolicyRow | null,
  target: SlaTarget,
  start: Date,
  calendar: BusinessCalendar,
): Clock {
  return {
    ticketId,
    metric,
    policyId: policy?.id ?? null,
    status: 'running',
    measure: measureOf(target.unit),
    cycle: 1,
    version: 1,
    startedAt: start,
    budgetMs: budgetOf(target, start, calendar),
    consumedMs: 0,
    runningSince: start,
    extended: false,
    warningAt: null,
    dueAt: null,
    warningFireAt: null,
    breachFireAt: null,
    warnedAt: null,
    breachedAt: null,
    metAt: null,
    stored: false,
  };
}

function timing(c: Clock): ClockTiming {
  return { measure: c.measure, budgetMs: c.budgetMs, consumedMs: c.consumedMs, runningSince: c.runningSince };
}

/** Folds the running time into consumedMs and stands the clock still. */
function folded(c: Clock, at: Date, calendar: BusinessCalendar): void {
  Object.assign(c, pause(timing(c), at, calendar));
}

function meet(c: Clock, at: Date, calendar: BusinessCalendar, record: Ctx['record']): void {
  folded(c, at, calendar);
  c.status = 'met';
  c.metAt = at;
  record(c, 'met', at, { withinTarget: c.breachedAt === null && c.consumedMs <= c.budgetMs });
}

/** A clock as PostgreSQL's json_agg gives it: instants as ISO strings, bigints as numbers. */
function fromJson(r: Record<string, any>): Clock {
  const at = (v: string | null): Date | null => (v === null ? null : new Date(v));
  return {
    ticketId: r.ticket_id,
    metric: r.metric,
    policyId: r.policy_id,
    status: r.status,
    measure: r.measure,
    cycle: r.cycle,
    version: r.version,
    startedAt: new Date(r.started_at),
    budgetMs: Number(r.budget_ms),
    consumedMs: Number(r.consumed_ms),
    runningSince: at(r.running_since),
    extended: r.extended,
    warningAt: at(r.warning_at),
    dueAt: at(r.due_at),
    warningFireAt: at(r.warning_fire_at),
    breachFireAt: at(r.breach_fire_at),
    warnedAt: at(r.warned_at),
    breachedAt: at(r.breached_at),
    metAt: at(r.met_at),
    stored: true,
  };
}

import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { maskPersonalCode } from '@lib/personal-code';
import { maskContact } from '@lib/pii-mask';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser, maySeePersonalCodes, ticketScope, ticketScopeSql, type TicketScope } from '../auth/auth-user';
import { ProblemException, validationProblem } from '../common/problem';
import { ListTicketsQuery } from './dto/list-tickets.query';
import type { SlaState } from './entities/ticket.entity';
import {
  MESSAGE_TEXT_VECTOR,
  parseTicketSearch,
  snippet,
  Snippet,
  TicketSearch,
  ticketFoundBySearch,
  ticketMatchesSearch,
  ticketSearchCondition,
  ticketSearchScore,
  contactedSinceQuery,
  institutionsQuery,
  PERIOD_MAX_DAYS,
} from './ticket-search';

/** The position after the last row of a page: its sort key (a time, or null for tickets without an SLA due time) and id. */
interface Cursor {
  createdAt: string | null;
  id: string;
  /** A search's score, when the list is sorted by relevance. */
  score?: string;
}

const encodeCursor = (c: Cursor) =>
  Buffer.from(JSON.stringify(c.score === undefined ? [c.createdAt, c.id] : [c.createdAt, c.id, c.score])).toString('base64url');

function decodeCursor(raw: string): Cursor {
  try {
    const [createdAt, id, score] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if ((createdAt !== null && (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)))) || !/^[0-9a-f-]{36}$/.test(id))
      throw new Error();
    if (score !== undefined && (typeof score !== 'string' || !/^\d{1,6}(\.\d{1,6})?$/.test(score))) throw new Error();
    return { createdAt, id, score };
  } catch {
    throw validationProblem([{ field: 'cursor', code: 'invalid', message: 'cursor is not one this API gave out' }]);
  }
}

/**
 * The SLA state as of now: the stored state is as of the last change, and a running clock passes its warning
 * share or its due time without any change to the ticket (the timers record it a moment later).
 */
export const SLA_STATE_SQL = `CASE WHEN t.sla_state IN ('ok', 'warning') AND t.sla_due_at <= now() THEN 'breached'
  WHEN t.sla_state = 'ok' AND t.sla_warning_at <= now() THEN 'warning' ELSE t.sla_state END`;

/** Audit actions that belong on a ticket's timeline. */
const TIMELINE_ACTIONS = [
  'ticket.claimed',
  'ticket.assigned',
  'ticket.auto_assigned',
  'ticket.returned_to_queue',
  'ticket.updated',
  'ticket.merged',
  'ticket.customer_linked',
  'ticket.tagged',
  'ticket.untagged',
  'ticket.custom_fields_changed',
];

/**
 * Everything that happened to a ticket as one list in time order: messages and notes, moves between levels and
 * queues, assignments, changes and SLA warnings/breaches. Entries point at the full records by id.
 */
function timelineOf(messages: Row[], escalations: Row[], actions: Row[], slaEvents: Row[]) {
  const entries: Array<{ at: Date; type: string; [key: string]: unknown }> = [
    ...messages.map((m) => ({
      at: m.created_at,
      type: m.internal ? 'note' : 'message',
      messageId: m.id,
      direction: m.direction,
      author: m.author_type,
      authorAgentId: m.author_agent_id,
      channel: m.channel,
    })),
    ...escalations.map((e) => ({
      at: e.created_at,
      type: 'escalation',
      escalationId: e.id,
      fromLevel: e.from_level,
      toLevel: e.to_level,
      toQueue: e.to_queue,
      reason: e.reason,
      comment: e.comment,
      summary: e.summary,
      actorAgentId: e.actor_agent_id,
    })),
    ...actions.map((a) => {
      const { reference: _reference, ...detail } = a.detail ?? {};
      return { at: a.created_at, type: a.action.replace(/^ticket\./, ''), actorAgentId: a.actor_agent_id, ...detail };
    }),
    ...slaEvents.map((e) => ({ at: e.at, type: `sla_${e.kind}`, metric: e.metric })),
  ];
  return entries.sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime());
}

/**
 * What `sort=sla_due` orders by: the due time, and after every due time the tickets without a running clock
 * (paused, met, none). A plain value rather than NULLS LAST, so that the keyset condition is one row comparison
 * the inbox indexes (migration InboxIndexes) seek to, however deep the page.
 */
const SLA_DUE_KEY = `coalesce(t.sla_due_at, 'infinity'::timestamptz)`;

/**
 * `sla=<state>`: SLA_STATE_SQL = state, spelt out as conditions on the stored columns (the SLA e2e test checks that
 * each finds exactly the tickets listed in that state). The planner has statistics for these (and for status and
 * state together, migration InboxIndexes), not for the CASE, and ok and warning bound the due key from below, so
 * the inbox indexes seek past the breached tickets that sort first.
 */
const SLA_STATE_IS: Record<SlaState, string> = {
  breached: `(t.sla_state = 'breached' OR (t.sla_state IN ('ok', 'warning') AND t.sla_due_at <= now()))`,
  warning: `(t.sla_state IN ('ok', 'warning') AND ${SLA_DUE_KEY} > now() AND (t.sla_state = 'warning' OR t.sla_warning_at <= now()))`,
  ok: `(t.sla_state = 'ok' AND ${SLA_DUE_KEY} > now() AND (t.sla_warning_at IS NULL OR t.sla_warning_at > now()))`,
  met: `t.sla_state = 'met'`,
  paused: `t.sla_state = 'paused'`,
};

// The codes and names of small lookup tables are scalar subqueries rather than joins: they run for the rows of
// the page only, and leave the planner two tables to order instead of six, which on every list request planned
// afresh took longer than executing it.
const TICKET_COLUMNS = `t.id, t.reference, t.channel, t.kind, t.topic, t.language, t.priority, t.status, t.level, t.subject,
  t.created_at, t.updated_at, t.first_response_at, t.resolved_at, t.closed_at, t.assignee_id,
  (SELECT code FROM institutions i WHERE i.id = t.institution_id) AS institution,
  (SELECT code FROM institutions ri WHERE ri.id = t.referred_institution_id) AS referred_to,
  (SELECT code FROM queues q WHERE q.id = t.queue_id) AS queue,
  (SELECT reference FROM tickets f WHERE f.id = t.follow_up_of_id) AS follow_up_of,
  (SELECT reference FROM tickets mi WHERE mi.id = t.merged_into_id) AS merged_into,
  (SELECT display_name FROM agents ag WHERE ag.id = t.assignee_id) AS assignee_name,
  t.snoozed_at, t.snoozed_until, t.snooze_until_reply, t.snooze_note,
  c.id AS customer_id, c.first_name, c.last_name,
  ${SLA_STATE_SQL} AS sla_state_now, (SELECT name FROM sla_policies sp WHERE sp.id = t.sla_policy_id) AS sla_policy,
  t.sla_due_at, t.first_response_due_at, t.next_response_due_at, t.resolution_due_at, t.sla_breached_at, t.csat_score, t.csat_at,
  t.classifier_version, t.classifier_confidence, t.unclassified,
  ARRAY(SELECT g.name FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.ticket_id = t.id ORDER BY g.name) AS tags,
  (SELECT jsonb_object_agg(d.key, v.value) FROM ticket_custom_field_values v JOIN custom_field_definitions d ON d.id = v.field_id
     WHERE v.ticket_id = t.id AND d.institution_id = t.institution_id) AS custom_fields`;
const TICKET_JOINS = `FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id`;

type Row = Record<string, any>;

export interface TicketAnswerContext {
  id: string;
  reference: string;
  language: 'lv' | 'ru' | 'en';
  institutionId: string | null;
  /** The day it was received, Riga time (YYYY-MM-DD). */
  receivedOn: string;
  customerName: string | null;
}

function toTicket(r: Row) {
  return {
    id: r.id,
    reference: r.reference,
    channel: r.channel,
    kind: r.kind,
    topic: r.topic,
    language: r.language,
    priority: r.priority,
    status: r.status,
    level: r.level,
    subject: r.subject,
    institution: r.institution,
    referredTo: r.referred_to,
    followUpOf: r.follow_up_of,
    mergedInto: r.merged_into,
    queue: r.queue,
    // Level 0's classification of a free-text contact: null when the channel said what it is about.
    classification:
      r.classifier_version === null || r.classifier_version === undefined
        ? null
        : { modelVersion: r.classifier_version, confidence: r.classifier_confidence, unclassified: r.unclassified },
    assigneeId: r.assignee_id,
    assignee: r.assignee_id ? { id: r.assignee_id, displayName: r.assignee_name } : null,
    customer: r.customer_id ? { id: r.customer_id, firstName: r.first_name, lastName: r.last_name } : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    firstResponseAt: r.first_response_at,
    resolvedAt: r.resolved_at,
    closedAt: r.closed_at,
    snooze: r.snoozed_at ? { since: r.snoozed_at, until: r.snoozed_until, untilReply: r.snooze_until_reply, note: r.snooze_note } : null,
    sla: {
      state: r.sla_state_now,
      policy: r.sla_policy,
      dueAt: r.sla_due_at,
      firstResponseDueAt: r.first_response_due_at,
      nextResponseDueAt: r.next_response_due_at,
      resolutionDueAt: r.resolution_due_at,
      breachedAt: r.sla_breached_at,
    },
    csat: r.csat_score === null ? null : { score: r.csat_score, at: r.csat_at },
    tags: r.tags ?? [],
    // The institution's own fields by key (GET /v1/tickets/{reference}/custom-fields has their labels and types).
    customFields: r.custom_fields ?? {},
  };
}

/**
 * The statements of one inbox list request. A plain list is one statement (`text`). A search first runs `probe`
 * along the list's own order over a window of the newest tickets and falls back to `text`, which takes the found
 * tickets from the search indexes, only when the probe did not fill its page. Sorted by relevance, those two find
 * the newest RELEVANCE_CANDIDATES matches and `rank` scores just them (their ids as its parameter at `idsParam`).
 */
export interface TicketListStatements {
  text: string;
  params: unknown[];
  /** Rows of the page; the statements return one more to tell whether another page follows. */
  limit: number;
  search: TicketSearch | null;
  probe: string | null;
  /** How many rows the probe must return to stand for `text`. */
  probeFills: number;
  /**
   * `text` for the tickets contacted since a day only, for a list newest first: the day's start (a timestamptz) and
   * its contactedSinceQuery are two more parameters after `params`, and the start of the list (its cursor, or null)
   * is `startsAt`. Run instead of `text` when the probe found some matches but too few, over the period that the
   * rate of those matches says holds enough; `text` follows only when it does not fill the page either.
   */
  recent: { text: string; startsAt: string | null } | null;
  rank: { text: string; params: unknown[]; idsParam: number } | null;
}

/**
 * Sorted by relevance, a search ranks the newest this many of its matches (within the scope and filters): a word
 * in half of all messages would otherwise rank a million tickets for one page. Older matches are still listed
 * newest first, and a second word or a filter brings them into the ranking.
 */
export const RELEVANCE_CANDIDATES = 200;

/** How many tickets, along the list's order, a search looks at one by one before it asks the indexes for all matches. */
const SEARCH_PROBE_WINDOW = 250;
/** The same for the newest matches that relevance ranks: a word in a fifth of the tickets fills them from the window. */
const RELEVANCE_PROBE_WINDOW = 1000;

/** The scope and the filters of a list as conditions on the tickets row `t`, their values added through `p`. */
function listConditions(user: AuthUser, q: ListTicketsQuery, p: (v: unknown) => string): string[] {
  const where: string[] = [];
  const scopeSql = ticketScopeSql(ticketScope(user), 't', p);
  if (scopeSql) where.push(scopeSql.replace(/^AND /, ''));
  if (q.status) where.push(`t.status = ${p(q.status)}`);
  if (q.level !== undefined) where.push(`t.level = ${p(q.level)}`);
  if (q.channel) where.push(`t.channel = ${p(q.channel)}`);
  if (q.institution) where.push(`t.institution_id = (SELECT id FROM institutions WHERE code = ${p(q.institution.toUpperCase())})`);
  if (q.queue) where.push(`t.queue_id = (SELECT id FROM queues WHERE code = ${p(q.queue.toUpperCase())})`);
  if (q.customer) where.push(`t.customer_id = ${p(q.customer)}::uuid`);
  // Tags of the same name in several institutions' vocabularies are one filter: the name is what people see.
  if (q.tag)
    where.push(
      `EXISTS (SELECT 1 FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.ticket_id = t.id AND lower(g.name) = lower(${p(q.tag)}))`,
    );
  if (q.assignee === 'none') where.push('t.assignee_id IS NULL');
  else if (q.assignee) where.push(`t.assignee_id = ${p(q.assignee === 'me' ? user.id : q.assignee)}::uuid`);
  if (q.sla) where.push(SLA_STATE_IS[q.sla as SlaState]);
  // Snoozed work stays out of the inbox until it wakes; a customer's list or a search finds it anyway.
  const snoozed = q.snoozed ?? (q.customer || q.q ? 'include' : 'exclude');
  if (snoozed === 'exclude') where.push('t.snoozed_at IS NULL');
  else if (snoozed === 'only') where.push('t.snoozed_at IS NOT NULL');
  return where;
}

const whereClause = (conditions: string[]) => (conditions.length ? `WHERE ${conditions.join(' AND ')}` : '');

/**
 * The inbox list as statements and their parameters, a page of `limit` plus one row to tell whether another
 * follows. Exported so the inbox benchmark runs exactly the statements the API runs.
 */
export function ticketListQuery(user: AuthUser, q: ListTicketsQuery): TicketListStatements {
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const where = listConditions(user, q, p);
  // A search is one more condition beside every filter and the scope.
  const search = q.q?.trim() ? parseTicketSearch(q.q) : null;
  const limit = q.limit ?? 50;
  if (q.sort === 'relevance') {
    if (!search) throw validationProblem([{ field: 'sort', code: 'needsQuery', message: 'sort=relevance needs a search (q)' }]);
    const cursor = q.cursor ? decodeCursor(q.cursor) : null;
    if (cursor && (cursor.createdAt === null || cursor.score === undefined))
      throw validationProblem([{ field: 'cursor', code: 'invalid', message: 'cursor is not one this API gave out' }]);
    // The same newest matches for every page, so the cursor pages through one ranking.
    const candidates = searchStatements(
      where,
      search,
      p,
      't.created_at DESC, t.id DESC',
      't.id, t.created_at',
      p(RELEVANCE_CANDIDATES),
      RELEVANCE_PROBE_WINDOW,
      ticketScope(user),
      { startsAt: null, params },
    );
    return { ...candidates, params, limit, search, probeFills: RELEVANCE_CANDIDATES, rank: rankStatement(user, q, search, cursor, limit) };
  }
  let orderBy: string;
  // Where a list newest first starts: a search may look for its page among the tickets of a period before that.
  let newestFrom: { startsAt: string | null; params: unknown[] } | undefined;
  if (q.sort === 'sla_due') {
    // Most urgent first; tickets without a running clock (paused, met, none) follow, oldest id order among them.
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      const after = c.createdAt === null ? `'infinity'::timestamptz` : `${p(c.createdAt)}::timestamptz`;
      where.push(`(${SLA_DUE_KEY}, t.id) > (${after}, ${p(c.id)}::uuid)`);
    }
    orderBy = `${SLA_DUE_KEY} ASC, t.id ASC`;
  } else {
    const newest = (q.order ?? 'newest') === 'newest';
    if (newest) newestFrom = { startsAt: null, params };
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      if (c.createdAt === null)
        throw validationProblem([{ field: 'cursor', code: 'invalid', message: 'cursor is not one this API gave out' }]);
      where.push(`(t.created_at, t.id) ${newest ? '<' : '>'} (${p(c.createdAt)}::timestamptz, ${p(c.id)}::uuid)`);
      if (newestFrom) newestFrom.startsAt = c.createdAt;
    }
    const dir = newest ? 'DESC' : 'ASC';
    orderBy = `t.created_at ${dir}, t.id ${dir}`;
  }
  const sortKey = q.sort === 'sla_due' ? 't.sla_due_at' : 't.created_at';
  const columns = `${TICKET_COLUMNS}, to_char(${sortKey} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at`;
  const pageSize = p(limit + 1);
  if (!search) {
    const text = `SELECT ${columns} ${TICKET_JOINS} ${whereClause(where)} ORDER BY ${orderBy} LIMIT ${pageSize}`;
    return { text, params, limit, search, probe: null, probeFills: 0, recent: null, rank: null };
  }
  return {
    ...searchStatements(where, search, p, orderBy, columns, pageSize, SEARCH_PROBE_WINDOW, ticketScope(user), newestFrom),
    params,
    limit,
    search,
    probeFills: limit + 1,
    rank: null,
  };
}

/**
 * How many tickets a list holds, counted up to `cap` + 1. No order: a search's condition is checked ticket by
 * ticket until enough are found, which a common word does at once.
 */
export function ticketCountQuery(user: AuthUser, q: ListTicketsQuery, cap: number): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const where = listConditions(user, q, p);
  if (q.q?.trim()) where.push(ticketSearchCondition(parseTicketSearch(q.q), p));
  return { text: `SELECT count(*)::int AS n FROM (SELECT 1 ${TICKET_JOINS} ${whereClause(where)} LIMIT ${p(cap + 1)}) counted`, params };
}

/**
 * A search's two ways to its page: `probe` looks along the list's own order at a window of tickets, checking each
 * (common words fill a page from the newest tickets at once, and asking the indexes for every match of a word that
 * a fifth of all messages contain costs seconds); `text` joins the tickets the indexes find (rare words, a
 * reference, a contact), so it never walks the whole inbox asking each ticket.
 */
function searchStatements(
  where: string[],
  search: TicketSearch,
  p: (v: unknown) => string,
  orderBy: string,
  columns: string,
  pageSize: string,
  window: number,
  scope: TicketScope,
  newestFrom?: { startsAt: string | null; params: unknown[] },
): Pick<TicketListStatements, 'text' | 'probe' | 'recent'> {
  // Both statements run with one list of parameters, so each must use every one: a value gets one placeholder.
  const placeholders = new Map<unknown, string>();
  const once = (v: unknown) => placeholders.get(v) ?? placeholders.set(v, p(v)).get(v)!;
  // A searcher limited to institutions asks the index for their documents alone (the probe checks it too, so that
  // both statements use the parameter; it holds for every ticket of the scope).
  const institutions = !scope.all && search.tsquery ? once(institutionsQuery(scope.institutionIds)) : undefined;
  // A reference, an e-mail address or a phone number is a few index lookups, which find what a walk along the list
  // would rarely fill a page with (the console reads each new ticket's row this way, by its reference).
  const exact = search.reference !== null || search.email !== null || search.phone !== null;
  // The window drives the probe: each of its tickets is fetched by id and checked on its own rows.
  const probe = exact
    ? null
    : `SELECT ${columns}
     FROM (SELECT t.id ${TICKET_JOINS} ${whereClause(where)} ORDER BY ${orderBy} LIMIT ${window}) recent
     JOIN tickets t ON t.id = recent.id LEFT JOIN customers c ON c.id = t.customer_id
     WHERE ${ticketMatchesSearch(search, once, 't', institutions)}
     ORDER BY ${orderBy} LIMIT ${pageSize}`;
  const text = `SELECT ${columns} ${TICKET_JOINS}
     ${whereClause([...where, ticketFoundBySearch(search, once, { institutions })])}
     ORDER BY ${orderBy} LIMIT ${pageSize}`;
  if (!probe || !search.tsquery || !newestFrom) return { text, probe, recent: null };
  // Its own two parameters come after every one of the others, which the two statements above have all taken.
  const since = `$${newestFrom.params.length + 1}`;
  const sinceQuery = `$${newestFrom.params.length + 2}`;
  const recent = `SELECT ${columns} ${TICKET_JOINS}
     ${whereClause([...where, `t.created_at >= ${since}::timestamptz`, ticketFoundBySearch(search, once, { contactedSince: sinceQuery, institutions })])}
     ORDER BY ${orderBy} LIMIT ${pageSize}`;
  return { text, probe, recent: { text: recent, startsAt: newestFrom.startsAt } };
}

/** sort=relevance: the page of the best scored among the found tickets, whose ids it takes as a parameter. */
function rankStatement(
  user: AuthUser,
  q: ListTicketsQuery,
  search: TicketSearch,
  cursor: Cursor | null,
  limit: number,
): NonNullable<TicketListStatements['rank']> {
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  // The scope again, though the ids came from a scoped statement: this statement alone never shows more.
  const where = listConditions(user, q, p);
  const idsParam = params.length;
  where.push(`t.id = ANY(${p([])}::uuid[])`);
  if (cursor)
    where.push(`(h.score, t.created_at, t.id) < (${p(cursor.score)}::numeric, ${p(cursor.createdAt)}::timestamptz, ${p(cursor.id)}::uuid)`);
  // Best match first; equal scores newest first.
  const text = `SELECT ${TICKET_COLUMNS}, to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at, h.score::text AS score
     ${TICKET_JOINS} CROSS JOIN LATERAL (SELECT ${ticketSearchScore(search, p)} AS score) h
     ${whereClause(where)}
     ORDER BY h.score DESC, t.created_at DESC, t.id DESC LIMIT ${p(limit + 1)}`;
  return { text, params, idsParam };
}

/**
 * How a search's statements run, in their own transaction: without parallel workers. A search walks the list's
 * order ticket by ticket until its page fills, which takes a few milliseconds on one core; PostgreSQL splits that
 * walk between workers on its estimate of the matches, and starting them and merging their rows cost 10-20 times
 * the walk (measured at 1,000,000 tickets: 117 ms against 6 ms).
 */
export const SEARCH_SETTINGS = 'SET LOCAL max_parallel_workers_per_gather = 0';

/**
 * Runs the list as the API does: a search's probe first, the full statement only when the probe did not fill
 * the page, and the ranking of what they found. A search must be run inside a transaction (SEARCH_SETTINGS).
 * Exported so the inbox benchmark runs exactly what the API runs.
 */
export async function runTicketList(
  db: { query(text: string, params: unknown[]): Promise<any> },
  list: Pick<TicketListStatements, 'text' | 'params' | 'probe' | 'probeFills' | 'recent' | 'rank' | 'search'>,
  now = new Date(),
): Promise<Row[]> {
  if (list.search) await db.query(SEARCH_SETTINGS, []);
  let rows: Row[] | null = null;
  if (list.probe) {
    const probed = asRows(await db.query(list.probe, list.params));
    if (probed.length >= list.probeFills) rows = probed;
    const period = rows || !list.recent ? null : recentPeriod(probed, list.probeFills, list.recent.startsAt, now);
    if (list.recent && period) {
      const recent = asRows(await db.query(list.recent.text, [...list.params, period.since.toISOString(), period.query]));
      if (recent.length >= list.probeFills) rows = recent;
    }
  }
  rows ??= asRows(await db.query(list.text, list.params));
  if (!list.rank) return rows;
  const params = [...list.rank.params];
  params[list.rank.idsParam] = rows.map((r) => r.id);
  return asRows(await db.query(list.rank.text, params));
}

/** Fewer matches than this in a probe's window say too little of their rate: the words are rare, and `text` is cheap. */
const RATE_MIN_MATCHES = 2;
/** How much longer than the matches' rate says the period of `recent` is, so that it seldom falls short. */
const PERIOD_MARGIN = 1.5;

/** A clock ahead of this process's may have stamped the newest tickets later than now. */
const CLOCK_MARGIN_MS = 86_400_000;

/**
 * The period of a list's `recent` statement: from its start (the cursor's time, or now) back by the time in which
 * the probe's matches, newest first, came at the rate to fill the page, with a margin; and its contactedSinceQuery,
 * which without a cursor also takes any later day. Null when the probe found too few matches to tell a rate, or
 * when the period would be longer than PERIOD_MAX_DAYS (the matches are then few enough to take them all).
 */
export function recentPeriod(probed: Row[], needed: number, startsAt: string | null, now: Date): { since: Date; query: string } | null {
  if (probed.length < RATE_MIN_MATCHES) return null;
  const start = startsAt ? new Date(startsAt).getTime() : now.getTime();
  const oldest = new Date(probed[probed.length - 1].created_at).getTime();
  const span = Math.max(start - oldest, 3_600_000) * (needed / probed.length) * PERIOD_MARGIN;
  const since = new Date(start - span);
  const through = new Date(startsAt ? start : start + CLOCK_MARGIN_MS);
  if (through.getTime() - since.getTime() > PERIOD_MAX_DAYS * 86_400_000) return null;
  return { since, query: contactedSinceQuery(since, through, !startsAt) };
}

/** TypeORM's query answers rows; pg's answers a result with rows. */
const asRows = (result: any): Row[] => (Array.isArray(result) ? result : result.rows);

/**
 * Reading tickets. The caller's institution scope is part of every query (not a filter applied afterwards),
 * so a specialist of one institution can neither list nor open another institution's tickets.
 */
@Injectable()
export class TicketsQueryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(user: AuthUser, q: ListTicketsQuery) {
    const list = ticketListQuery(user, q);
    const { limit, search } = list;
    const rows: Row[] = search
      ? await this.dataSource.transaction((m) => runTicketList(m, list))
      : await runTicketList(this.dataSource, list);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const matches = search ? await this.matches(page, search) : null;
    // The cursor keeps microseconds: a JavaScript Date would round them away and skip or repeat rows.
    return {
      items: page.map((r) =>
        matches
          ? {
              ...toTicket(r),
              match: {
                ...(r.score !== undefined ? { score: Number(r.score) } : {}),
                ...(matches.get(r.id) ?? { field: 'contact', snippet: null }),
              },
            }
          : toTicket(r),
      ),
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({ createdAt: last.cursor_at, id: last.id, ...(q.sort === 'relevance' ? { score: String(last.score) } : {}) })
          : null,
    };
  }

  /**
   * How many tickets the list with these filters holds for this person, counted up to `cap` (a saved view's badge
   * needs "more than 999", not an exact figure that would cost a scan of every match).
   */
  async count(user: AuthUser, q: ListTicketsQuery, cap = 1000): Promise<{ count: number; capped: boolean }> {
    const { text, params } = ticketCountQuery(user, q, cap);
    const [row] = q.q?.trim()
      ? await this.dataSource.transaction(async (m) => (await m.query(SEARCH_SETTINGS), await m.query(text, params)))
      : await this.dataSource.query(text, params);
    return row.n > cap ? { count: cap, capped: true } : { count: row.n, capped: false };
  }

  /**
   * Where each found ticket of the page matched, with the words marked: the message or note that holds most of the
   * words, else its subject.
   */
  private async matches(page: Row[], search: TicketSearch): Promise<Map<string, { field: string; snippet: Snippet | null }>> {
    const found = new Map<string, { field: string; snippet: Snippet | null }>();
    if (page.length === 0) return found;
    const numberOf = (reference: string) => reference.split('-')[2]?.replace(/^0+/, '');
    for (const r of page) {
      if (r.reference === search.reference || (search.referenceNumber && numberOf(r.reference) === search.referenceNumber))
        found.set(r.id, { field: 'reference', snippet: null });
    }
    if (!search.tsquery) return found;
    // The words of a search may stand in different places of a ticket: the message that holds most of them is shown.
    // The messages have no stems of their own, so they are asked for the words that begin with the terms, and the
    // best three of each ticket are checked for a word of a term's stem (snippet), which the best may lack.
    const anyWord = search.terms.map((t) => `${t.text}:*`).join(' | ');
    const best: Array<{ ticket_id: string; subject: string | null; text: string | null; internal: boolean }> = await this.dataSource.query(
      // The page's messages by their ticket, never by a word index should one be added again (OFFSET 0): for a common
      // word that is every message in the database that has it. Automatic messages are not searched (migration
      // SearchDocumentWithoutAutomaticMessages), so no snippet comes from one.
      `SELECT ticket_id, subject, text, internal FROM (
         SELECT ms.ticket_id, ms.subject, ms.text, ms.internal,
                row_number() OVER (PARTITION BY ms.ticket_id ORDER BY ts_rank(${MESSAGE_TEXT_VECTOR('ms')}, to_tsquery('simple', $2)) DESC, ms.created_at DESC) AS n
         FROM (SELECT ticket_id, subject, text, internal, search_vector, created_at FROM messages
               WHERE ticket_id = ANY($1::uuid[]) AND author_type <> 'bot' OFFSET 0) ms
         WHERE ${MESSAGE_TEXT_VECTOR('ms')} @@ to_tsquery('simple', $2)) ranked
       WHERE n <= 3 ORDER BY ticket_id, n`,
      [page.map((r) => r.id), anyWord],
    );
    // A message's snippet says more than a matching reference number, so it takes that one's place.
    const shown = new Set<string>();
    for (const m of best) {
      if (shown.has(m.ticket_id)) continue;
      const inText = snippet(m.text ?? '', search.terms);
      const inSubject = inText ? null : snippet(m.subject ?? '', search.terms);
      if (inText) found.set(m.ticket_id, { field: m.internal ? 'note' : 'message', snippet: inText });
      else if (inSubject) found.set(m.ticket_id, { field: 'subject', snippet: inSubject });
      if (inText || inSubject) shown.add(m.ticket_id);
    }
    for (const r of page) {
      if (found.has(r.id)) continue;
      const inSubject = snippet(r.subject ?? '', search.terms);
      if (inSubject) found.set(r.id, { field: 'subject', snippet: inSubject });
      else if (snippet(`${r.first_name ?? ''} ${r.last_name ?? ''}`, search.terms)) found.set(r.id, { field: 'customer', snippet: null });
      else found.set(r.id, { field: 'attachment', snippet: null });
    }
    return found;
  }

  /** Personal data shown to someone: who saw what, from where. */
  private recordRead(
    user: AuthUser,
    context: { ip?: string; requestId?: string },
    action: string,
    subjectType: string,
    subjectId: string,
    detail: Record<string, unknown>,
  ) {
    return this.audit.record([
      { actorAgentId: user.id, action, subjectType, subjectId, detail, ip: context.ip ?? null, requestId: context.requestId ?? null },
    ]);
  }

  /**
   * One file of a ticket the user may see, with its bytes. Opening a citizen's file is recorded like reading a
   * personal code: who, which ticket, which file.
   */
  async attachment(user: AuthUser, reference: string, attachmentId: string, context: { ip?: string; requestId?: string }) {
    const params: unknown[] = [reference.toUpperCase(), attachmentId];
    const scopeSql = ticketScopeSql(ticketScope(user), 't', (v) => `$${params.push(v)}`);
    // The bytes only of a file that may be served: an unscanned or infected one never leaves the database.
    const [file]: Array<{
      id: string;
      filename: string;
      content_type: string;
      size: number;
      sha256: string;
      content: Buffer | null;
      reference: string;
      scan_status: string;
      scan_threat: string | null;
    }> = await this.dataSource.query(
      `SELECT a.id, a.filename, a.content_type, a.size, a.sha256, a.scan_status, a.scan_threat, t.reference,
                CASE WHEN a.scan_status IN ('clean', 'not_scanned') THEN a.content END AS content
         FROM attachments a JOIN messages m ON m.id = a.message_id JOIN tickets t ON t.id = m.ticket_id
         WHERE t.reference = $1 AND a.id = $2 ${scopeSql}`,
      params,
    );
    // A file of a ticket out of scope answers exactly like a missing one.
    if (!file)
      throw new ProblemException(
        HttpStatus.NOT_FOUND,
        'not-found',
        'Not found',
        `No file ${attachmentId} on a ticket ${reference} that you may see.`,
      );
    if (file.scan_status === 'infected') {
      throw new ProblemException(
        HttpStatus.FORBIDDEN,
        'file-quarantined',
        'File quarantined',
        `The file ${file.filename} was found infected (${file.scan_threat ?? 'malware'}) when it arrived; it is kept in quarantine and never served.`,
      );
    }
    if (file.scan_status === 'pending' || !file.content) {
      throw new ProblemException(
        HttpStatus.CONFLICT,
        'file-not-scanned',
        'File not scanned yet',
        `The file ${file.filename} has not been scanned for malware yet; it can be opened once the scanner has passed it.`,
      );
    }
    await this.recordRead(user, context, 'attachment.read', 'ticket', file.reference, { attachmentId: file.id, filename: file.filename });
    return { filename: file.filename, contentType: file.content_type, sha256: file.sha256, content: file.content };
  }

  async get(user: AuthUser, reference: string, context: { ip?: string; requestId?: string }) {
    const params: unknown[] = [reference.toUpperCase()];
    const scopeSql = ticketScopeSql(ticketScope(user), 't', (v) => `$${params.push(v)}`);
    const [row]: Row[] = await this.dataSource.query(`SELECT ${TICKET_COLUMNS} ${TICKET_JOINS} WHERE t.reference = $1 ${scopeSql}`, params);
    // Out of scope answers exactly like missing, so references cannot be probed.
    if (!row) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No ticket ${reference} that you may see.`);

    const [messages, attachments, escalations, identifiers, actions, slaEvents, contact]: Row[][] = await Promise.all([
      this.dataSource.query(
        `SELECT id, channel, external_id, direction, author_type, author_agent_id, subject, text, html, internal,
                delivery_status, delivery_error, sent_at, created_at, address, meta->'attachments' AS remote_attachments
         FROM messages WHERE ticket_id = $1
         -- Messages accepted together (one webhook delivery) share created_at: the sender's own order decides.
         ORDER BY created_at, sent_at NULLS LAST, id`,
        [row.id],
      ),
      this.dataSource.query(
        `SELECT a.id, a.message_id, a.filename, a.content_type, a.size, a.sha256, a.scan_status, a.scan_threat
         FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.ticket_id = $1 ORDER BY a.created_at, a.id`,
        [row.id],
      ),
      this.dataSource.query(
        `SELECT e.id, e.from_level, e.to_level, fq.code AS from_queue, tq.code AS to_queue, ti.code AS to_institution,
                e.reason, e.summary, e.comment, e.actor_agent_id, e.created_at
         FROM escalations e LEFT JOIN queues fq ON fq.id = e.from_queue_id LEFT JOIN queues tq ON tq.id = e.to_queue_id
         LEFT JOIN institutions ti ON ti.id = e.to_institution_id
         WHERE e.ticket_id = $1 ORDER BY e.created_at, e.id`,
        [row.id],
      ),
      row.customer_id
        ? this.dataSource.query('SELECT kind, value, provenance FROM customer_identifiers WHERE customer_id = $1 ORDER BY kind, value', [
            row.customer_id,
          ])
        : Promise.resolve([]),
      // Who held the ticket and what people changed, from the audit trail (the one record of it).
      this.dataSource.query(
        `SELECT action, actor_agent_id, detail, created_at FROM audit_events
         WHERE subject_type = 'ticket' AND subject_id = $1 AND action = ANY($2::text[]) ORDER BY created_at, id`,
        [row.id, TIMELINE_ACTIONS],
      ),
      this.dataSource.query('SELECT metric, kind, at FROM sla_events WHERE ticket_id = $1 ORDER BY at, id', [row.id]),
      this.dataSource.query('SELECT kind, value, provenance FROM ticket_contacts WHERE ticket_id = $1 ORDER BY created_at, kind, value', [
        row.id,
      ]),
    ]);

    const unmasked = maySeePersonalCodes(user);
    const shownCodes = [...identifiers, ...contact].filter((i) => i.kind === 'personal_code');
    // One audit row per request, whatever it showed: unmasked personal codes (recorded against the customer, as
    // always), and the message bodies it returned (what a citizen wrote, what staff noted).
    const bodies = messages.filter((m) => m.text || m.html).length;
    if (unmasked && shownCodes.length > 0) {
      await this.recordRead(user, context, 'personal_code.read', 'customer', row.customer_id, {
        ticket: row.reference,
        reference: row.reference,
        count: new Set(shownCodes.map((c) => c.value)).size,
        messages: bodies,
      });
    } else if (bodies > 0) {
      await this.recordRead(user, context, 'messages.read', 'ticket', row.id, { reference: row.reference, messages: bodies });
    }

    // Roles that work no cases (supervisors, admins, the DPO) see a personal code, an e-mail address and a phone
    // number masked, enough to tell two apart; the people working the case see them whole.
    const masks = (kind: string) => !unmasked && (kind === 'personal_code' || kind === 'email' || kind === 'phone');
    const shown = (i: Row) => ({
      kind: i.kind,
      value: !masks(i.kind) ? i.value : i.kind === 'personal_code' ? maskPersonalCode(i.value) : maskContact(i.kind, i.value),
      masked: masks(i.kind),
      // portal (verified by Latvija.lv), staff (typed by staff), channel (the contact came from it), citizen (given, not verified)
      provenance: i.provenance,
    });
    // The people the timeline names, so a screen shows names without a request per person.
    const agentIds = [
      ...new Set(
        [
          row.assignee_id,
          ...messages.map((m) => m.author_agent_id),
          ...escalations.map((e) => e.actor_agent_id),
          ...actions.flatMap((a) => [a.actor_agent_id, a.detail?.to]),
        ].filter((id) => typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id)),
      ),
    ];
    const agents: Row[] = agentIds.length
      ? await this.dataSource.query('SELECT id, display_name FROM agents WHERE id = ANY($1::uuid[]) ORDER BY display_name', [agentIds])
      : [];

    const ticket = toTicket(row);
    return {
      ...ticket,
      // Who this ticket's contacts said they were, and where its replies go; the customer record may know more.
      contact: contact.map(shown),
      customer: ticket.customer && { ...ticket.customer, identifiers: identifiers.map(shown) },
      messages: messages.map((m) => ({
        id: m.id,
        channel: m.channel,
        externalId: m.external_id,
        direction: m.direction,
        author: m.author_type,
        authorAgentId: m.author_agent_id,
        subject: m.subject,
        text: m.text,
        html: m.html,
        internal: m.internal,
        deliveryStatus: m.delivery_status,
        deliveryError: m.delivery_error,
        sentAt: m.sent_at,
        createdAt: m.created_at,
        attachments: attachments
          .filter((a) => a.message_id === m.id)
          // scan: clean, infected (quarantined, never served, with the threat clamd named), pending (waits for the
          // scanner, not served yet) or not_scanned (arrived while no scanner was configured).
          .map((a) => ({
            id: a.id,
            filename: a.filename,
            contentType: a.content_type,
            size: a.size,
            sha256: a.sha256,
            scan: a.scan_status,
            threat: a.scan_threat,
          })),
        // Where the customer is on the channel (an e-mail address, whatsapp:+371..., messenger:<PSID>).
        address: m.address && !unmasked ? maskContact('address', m.address) : m.address,
        // The platform's references to the files of a social message (URL or media id), each saying whether the
        // file was fetched into `attachments` (stored, attachmentId) or why not (reason): a link may have expired.
        remoteAttachments: Array.isArray(m.remote_attachments) ? m.remote_attachments : [],
      })),
      timeline: timelineOf(messages, escalations, actions, slaEvents),
      agents: agents.map((a) => ({ id: a.id, displayName: a.display_name })),
      escalations: escalations.map((e) => ({
        id: e.id,
        fromLevel: e.from_level,
        toLevel: e.to_level,
        fromQueue: e.from_queue,
        toQueue: e.to_queue,
        toInstitution: e.to_institution,
        reason: e.reason,
        summary: e.summary,
        comment: e.comment,
        actorAgentId: e.actor_agent_id,
        createdAt: e.created_at,
      })),
    };
  }

  /**
   * What an answer written for a ticket needs to know of it (placeholders, language), for a person who may see it:
   * out of scope answers exactly like missing.
   */
  async answerContext(user: AuthUser, reference: string): Promise<TicketAnswerContext> {
    const params: unknown[] = [reference.toUpperCase()];
    const scopeSql = ticketScopeSql(ticketScope(user), 't', (v) => `$${params.push(v)}`);
    const [row]: Row[] = await this.dataSource.query(
      `SELECT t.id, t.reference, t.language, t.institution_id, to_char(t.created_at AT TIME ZONE 'Europe/Riga', 'YYYY-MM-DD') AS received_on,
              nullif(trim(concat_ws(' ', c.first_name, c.last_name)), '') AS customer_name
       ${TICKET_JOINS} WHERE t.reference = $1 ${scopeSql}`,
      params,
    );
    if (!row) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No ticket ${reference} that you may see.`);
    return {
      id: row.id,
      reference: row.reference,
      language: row.language,
      institutionId: row.institution_id,
      receivedOn: row.received_on,
      customerName: row.customer_name,
    };
  }
}

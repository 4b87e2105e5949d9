/**
 * What became of the soak's contacts, read from the database at the end: each contact's inbound messages found
 * by the marker in their text (or a call's by the caller's number), so a contact with none is lost and one with
 * more than one message or ticket was taken twice. The latency of each is from the citizen's first request (an
 * e-mail's: the mail server's acceptance of it, since the centre cannot see a mail before its mail server has it)
 * to the first read of the inbox that listed its ticket; with PostgreSQL's commit times on, it is split at the
 * commit of the contact's first message into the service's part and the list's.
 */
import type { Client } from 'pg';
import { CALL_PATTERN, MARKER_PATTERN, SentContact, SoakChannel } from './traffic';

export interface Outcome {
  contacts: SentContact[];
  /** Accepted (answered 2xx) and found in no ticket. */
  lost: SentContact[];
  /** In more than one inbound message or ticket. */
  duplicated: SentContact[];
  /** Never accepted: the client gave up. */
  refused: SentContact[];
  /** Inbound to visible in the inbox, ms, per channel and for all (found tickets the watcher saw). */
  latencies: Map<SoakChannel | 'all', number[]>;
  /** Found tickets that no read of the inbox listed. */
  unseen: number;
  /** The latencies split at the commit of the first message: origin → committed, committed → listed (ms). */
  split: Map<SoakChannel | 'all', { committed: number[]; listed: number[] }>;
  /** E-mails: the citizen's first try → the mail server's 250 (ms), which the latencies leave out. */
  submitted: number[];
  /** Inbound to visible in the inbox, ms, by contact (its `n`). */
  latencyOf: Map<number, number>;
  /** When its ticket's first message was committed (Date.now() scale), by contact. */
  committedOf: Map<number, number>;
}

export interface Found {
  tickets: Set<string>;
  messages: number;
  /** Date.now() scale: when the first of its messages was committed; null without track_commit_timestamp. */
  committedAt: number | null;
}

export async function findTickets(db: Client): Promise<Map<string, Found>> {
  const { rows } = await db.query<{ ticket_id: string; key: string; committed_ms: number | null }>(
    `SELECT ticket_id, coalesce(substring(text from '${MARKER_PATTERN}'), substring(text from '${CALL_PATTERN}')) AS key,
            CASE WHEN current_setting('track_commit_timestamp') = 'on'
                 THEN extract(epoch FROM pg_xact_commit_timestamp(xmin)) * 1000 END::float8 AS committed_ms
       FROM messages WHERE direction = 'inbound' AND (text ~ '${MARKER_PATTERN}' OR text ~ '${CALL_PATTERN}')`,
  );
  const byKey = new Map<string, Found>();
  for (const r of rows) {
    const entry = byKey.get(r.key) ?? { tickets: new Set<string>(), messages: 0, committedAt: null };
    entry.tickets.add(r.ticket_id);
    entry.messages += 1;
    if (r.committed_ms !== null) entry.committedAt = Math.min(entry.committedAt ?? Infinity, r.committed_ms);
    byKey.set(r.key, entry);
  }
  return byKey;
}

/** Where a contact's wait begins: its first request, or for an e-mail the mail server's acceptance. */
export function origin(c: SentContact): number {
  return c.channel === 'email' && c.acceptedAt !== undefined ? c.acceptedAt : c.startedAt;
}

export function outcome(contacts: SentContact[], found: Map<string, Found>, seenAt: Map<string, number>): Outcome {
  const latencies = new Map<SoakChannel | 'all', number[]>([['all', []]]);
  const split: Outcome['split'] = new Map([['all', { committed: [], listed: [] }]]);
  const out: Outcome = {
    contacts,
    lost: [],
    duplicated: [],
    refused: [],
    latencies,
    unseen: 0,
    latencyOf: new Map(),
    committedOf: new Map(),
    split,
    submitted: [],
  };
  for (const c of contacts) {
    if (c.acceptedAt === undefined) out.refused.push(c);
    else if (c.channel === 'email') out.submitted.push(c.acceptedAt - c.startedAt);
    const f = found.get(c.key);
    if (!f) {
      if (c.acceptedAt !== undefined) out.lost.push(c);
      continue;
    }
    if (f.tickets.size > 1 || f.messages > 1) out.duplicated.push(c);
    if (f.committedAt !== null) out.committedOf.set(c.n, f.committedAt);
    const seen = Math.min(...[...f.tickets].map((t) => seenAt.get(t) ?? Infinity));
    if (!Number.isFinite(seen)) {
      out.unseen += 1;
      continue;
    }
    const from = origin(c);
    const ms = Math.max(0, seen - from);
    out.latencyOf.set(c.n, ms);
    latencies.get('all')!.push(ms);
    if (!latencies.has(c.channel)) latencies.set(c.channel, []);
    latencies.get(c.channel)!.push(ms);
    if (f.committedAt !== null) {
      if (!split.has(c.channel)) split.set(c.channel, { committed: [], listed: [] });
      for (const key of ['all', c.channel] as const) {
        split.get(key)!.committed.push(Math.max(0, f.committedAt - from));
        split.get(key)!.listed.push(Math.max(0, seen - f.committedAt));
      }
    }
  }
  return out;
}

/** The q-quantile (0..1) of `values`, nearest rank; NaN when empty. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * What the database holds about each lost contact (at most ten), read before the run's data is dropped: every
 * inbound event and message that mentions its marker or number, and for a call its row in `calls`. A loss is then
 * a lead to follow, not only a count.
 */
export async function traceLost(db: Client, lost: SentContact[]): Promise<string[]> {
  const lines: string[] = [];
  for (const c of lost.slice(0, 10)) {
    const like = `%${c.key}%`;
    const events = await db.query(
      `SELECT channel, external_id, status, attempts, left(coalesce(last_error, ''), 120) AS last_error, received_at, ticket_id
         FROM inbound_events WHERE payload::text LIKE $1 ORDER BY received_at`,
      [like],
    );
    const messages = await db.query(
      `SELECT ticket_id, direction, channel, external_id, left(text, 80) AS text, created_at FROM messages WHERE text LIKE $1 ORDER BY created_at`,
      [like],
    );
    const calls =
      c.channel === 'phone'
        ? await db.query(
            `SELECT call_sid, started_at, queue_name, enqueued_at, left_queue_at, ticket_requested_at, twilio_status, ended_at, updated_at
               FROM calls WHERE from_number = $1`,
            [c.key],
          )
        : { rows: [] };
    lines.push(
      `  #${c.n} ${c.channel} ${c.key}: ${events.rows.length} inbound events, ${messages.rows.length} messages, ${calls.rows.length} calls`,
    );
    for (const [what, rows] of [
      ['event', events.rows],
      ['message', messages.rows],
      ['call', calls.rows],
    ] as const)
      for (const row of rows) lines.push(`    ${what} ${JSON.stringify(row)}`);
  }
  return lines;
}

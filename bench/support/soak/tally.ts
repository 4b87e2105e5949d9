/**
 * What became of the soak's contacts, read from the database at the end: each contact's inbound messages found
 * by the marker in their text (or a call's by the caller's number), so a contact with none is lost and one with
 * more than one message or ticket was taken twice. The latency of each is from the citizen's first request to
 * the first read of the inbox that listed its ticket.
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
}

export async function findTickets(db: Client): Promise<Map<string, { tickets: Set<string>; messages: number }>> {
  const { rows } = await db.query<{ ticket_id: string; key: string }>(
    `SELECT ticket_id, coalesce(substring(text from '${MARKER_PATTERN}'), substring(text from '${CALL_PATTERN}')) AS key
       FROM messages WHERE direction = 'inbound' AND (text ~ '${MARKER_PATTERN}' OR text ~ '${CALL_PATTERN}')`,
  );
  const byKey = new Map<string, { tickets: Set<string>; messages: number }>();
  for (const r of rows) {
    const entry = byKey.get(r.key) ?? { tickets: new Set<string>(), messages: 0 };
    entry.tickets.add(r.ticket_id);
    entry.messages += 1;
    byKey.set(r.key, entry);
  }
  return byKey;
}

export function outcome(
  contacts: SentContact[],
  found: Map<string, { tickets: Set<string>; messages: number }>,
  seenAt: Map<string, number>,
): Outcome {
  const latencies = new Map<SoakChannel | 'all', number[]>([['all', []]]);
  const out: Outcome = { contacts, lost: [], duplicated: [], refused: [], latencies, unseen: 0 };
  for (const c of contacts) {
    if (c.acceptedAt === undefined) out.refused.push(c);
    const f = found.get(c.key);
    if (!f) {
      if (c.acceptedAt !== undefined) out.lost.push(c);
      continue;
    }
    if (f.tickets.size > 1 || f.messages > 1) out.duplicated.push(c);
    const seen = Math.min(...[...f.tickets].map((t) => seenAt.get(t) ?? Infinity));
    if (!Number.isFinite(seen)) {
      out.unseen += 1;
      continue;
    }
    const ms = Math.max(0, seen - c.startedAt);
    latencies.get('all')!.push(ms);
    if (!latencies.has(c.channel)) latencies.set(c.channel, []);
    latencies.get(c.channel)!.push(ms);
  }
  return out;
}

/** The q-quantile (0..1) of `values`, nearest rank; NaN when empty. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

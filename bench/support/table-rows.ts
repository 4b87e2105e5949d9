/**
 * What a run wrote, table by table. Kept apart from service.ts (which registers the benchmarks' signal handlers) so
 * that tests can count the same way.
 */
import type { Client } from 'pg';

/**
 * Exact row counts of every table of the schema, for what a run wrote: the difference of two of these, divided by
 * the events in between, shows per table what one event cost, and that a baseline claiming the same work does it.
 */
export async function rowsByTable(admin: Client, schema: string): Promise<Map<string, number>> {
  const { rows: tables } = await admin.query<{ t: string }>(
    `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1`,
    [schema],
  );
  if (tables.length === 0) return new Map();
  const {
    rows: [row],
  } = await admin.query<Record<string, number>>(
    `SELECT ${tables.map((r, i) => `(SELECT count(*)::int FROM "${schema}"."${r.t}") AS c${i}`).join(', ')}`,
  );
  return new Map(tables.map((r, i) => [r.t, row[`c${i}`]]));
}

/**
 * Rows per event that each table gained between two counts. A table that gained less than one row per hundred
 * events is left out: that is a process's own housekeeping (a model trained at start, say), not the events' work.
 */
export function rowsPerEvent(before: Map<string, number>, after: Map<string, number>, events: number): Map<string, number> {
  const gained = new Map<string, number>();
  for (const [table, n] of after) {
    const perEvent = (n - (before.get(table) ?? 0)) / Math.max(1, events);
    if (perEvent >= 0.01) gained.set(table, perEvent);
  }
  return gained;
}

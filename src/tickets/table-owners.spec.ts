import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * Who may write which table, checked on the source: a module that issues these statements outside the owner
 * bypasses the one writer (TicketChanges and the tickets module's repositories) and with it the history, audit,
 * SLA, webhook and after-commit effects every change must have.
 */
const OWNERS: Array<{ owner: string; table: string; pattern: RegExp }> = [
  { owner: 'tickets', table: 'tickets', pattern: /\b(update|insert\s+into|delete\s+from)\s+"?tickets"?(\s|$|\()/i },
  { owner: 'tickets', table: 'escalations', pattern: /\b(update|insert\s+into|delete\s+from)\s+"?escalations"?(\s|$|\()/i },
  { owner: 'audit', table: 'audit_events', pattern: /\binsert\s+into\s+"?audit_events"?(\s|$|\()/i },
];

const SRC = join(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** `src/<module>/...` → `<module>` */
const moduleOf = (path: string) => relative(SRC, path).split(sep)[0];

describe('table owners', () => {
  const files = sources(SRC).map((path) => ({ path, module: moduleOf(path), text: readFileSync(path, 'utf8') }));

  it('finds the sources (the scan itself works)', () => {
    expect(files.length).toBeGreaterThan(100);
    // The owners' own statements are found, so a miss elsewhere is not a broken pattern.
    for (const { owner, pattern } of OWNERS) expect(files.some((f) => f.module === owner && pattern.test(f.text))).toBe(true);
  });

  it.each(OWNERS)('only $owner writes $table', ({ owner, pattern }) => {
    const offenders = files.filter((f) => f.module !== owner && pattern.test(f.text)).map((f) => relative(SRC, f.path));
    expect(offenders).toEqual([]);
  });

  it('would catch a statement written from another module', () => {
    const [tickets, escalations] = OWNERS;
    expect(tickets.pattern.test("await m.query(`UPDATE tickets SET status = 'queued' WHERE id = $1`)")).toBe(true);
    expect(tickets.pattern.test('`UPDATE tickets t SET assignee_id = u.agent_id')).toBe(true);
    expect(escalations.pattern.test('`INSERT INTO escalations (ticket_id, to_level)')).toBe(true);
    expect(tickets.pattern.test('SELECT id FROM tickets WHERE id = $1 FOR UPDATE')).toBe(false);
  });
});

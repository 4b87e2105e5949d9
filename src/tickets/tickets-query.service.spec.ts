import type { AuthUser } from '../auth/auth-user';
import { contactedSinceQuery } from './ticket-search';
import { recentPeriod, runTicketList, SEARCH_SETTINGS, ticketListQuery } from './tickets-query.service';

const operator: AuthUser = { id: '00000000-0000-4000-8000-000000000001', email: 'o@x.lv', roles: ['operator'], institutionIds: [] };
const NOW = new Date('2026-12-04T12:00:00Z');
const HOUR = 3_600_000;

/** Rows newest first, one an hour back from now. */
const rowsBack = (n: number, everyHours = 1) =>
  Array.from({ length: n }, (_, i) => ({ id: `t${i}`, created_at: new Date(NOW.getTime() - (i + 1) * everyHours * HOUR) }));

/** A database that answers each statement with the rows given for it, and records what ran with which parameters. */
function database(answers: { probe: unknown[]; recent?: unknown[]; text?: unknown[] }, list: ReturnType<typeof ticketListQuery>) {
  const ran: Array<{ statement: string; params: unknown[] }> = [];
  return {
    ran,
    async query(text: string, params: unknown[]) {
      const statement =
        text === SEARCH_SETTINGS
          ? 'settings'
          : text === list.probe
            ? 'probe'
            : text === list.recent?.text
              ? 'recent'
              : text === list.text
                ? 'text'
                : 'rank';
      ran.push({ statement, params });
      return statement === 'settings' ? [] : statement === 'rank' ? [] : (answers[statement] ?? []);
    },
  };
}

describe('runTicketList, a search newest first', () => {
  const list = ticketListQuery(operator, { q: 'melioracija', limit: 50 });

  it('takes the probe’s page when the newest tickets fill it', async () => {
    const db = database({ probe: rowsBack(51) }, list);
    expect(await runTicketList(db, list, NOW)).toHaveLength(51);
    expect(db.ran.map((r) => r.statement)).toEqual(['settings', 'probe']);
  });

  it('asks the indexes for a recent period when the probe found some matches, and stops there when it fills the page', async () => {
    const db = database({ probe: rowsBack(10, 2), recent: rowsBack(51) }, list);
    expect(await runTicketList(db, list, NOW)).toHaveLength(51);
    expect(db.ran.map((r) => r.statement)).toEqual(['settings', 'probe', 'recent']);
    // 10 matches in 20 hours: 51 come in about 102 hours, and half as long again.
    const since = new Date(NOW.getTime() - 20 * HOUR * (51 / 10) * 1.5);
    expect(db.ran[2].params).toEqual([
      ...list.params,
      since.toISOString(),
      contactedSinceQuery(since, new Date(NOW.getTime() + 24 * HOUR), true),
    ]);
  });

  it('falls back to every match when the period does not fill the page', async () => {
    const db = database({ probe: rowsBack(10, 2), recent: rowsBack(30), text: rowsBack(40) }, list);
    expect(await runTicketList(db, list, NOW)).toHaveLength(40);
    expect(db.ran.map((r) => r.statement)).toEqual(['settings', 'probe', 'recent', 'text']);
  });

  it('asks for every match at once when the probe found too few to tell a rate', async () => {
    const db = database({ probe: rowsBack(1), text: rowsBack(3) }, list);
    expect(await runTicketList(db, list, NOW)).toHaveLength(3);
    expect(db.ran.map((r) => r.statement)).toEqual(['settings', 'probe', 'text']);
  });

  it('has no period for lists in another order', () => {
    expect(ticketListQuery(operator, { q: 'melioracija', order: 'oldest' }).recent).toBeNull();
    expect(ticketListQuery(operator, { q: 'melioracija', sort: 'sla_due' }).recent).toBeNull();
    // A reference is a few index lookups, never a walk or a period.
    expect(ticketListQuery(operator, { q: 'VP-2026-000123' }).recent).toBeNull();
  });

  it('uses every parameter of the list in the period’s statement, and its own two after them', () => {
    const ranked = ticketListQuery(operator, { q: 'melioracija', sort: 'relevance' });
    for (const l of [list, ranked]) {
      const used = new Set([...l.recent!.text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
      expect([...used].sort((a, b) => a - b)).toEqual(Array.from({ length: l.params.length + 2 }, (_, i) => i + 1));
    }
  });
});

describe('recentPeriod', () => {
  it('counts back from the cursor on a later page, and names no day after it', () => {
    const cursorAt = '2026-12-01T12:00:00.000000Z';
    const probed = [{ created_at: new Date('2026-12-01T10:00:00Z') }, { created_at: new Date('2026-12-01T08:00:00Z') }];
    // 2 matches in 4 hours before the cursor: 8 come in 16 hours, and half as long again.
    const since = new Date(new Date(cursorAt).getTime() - 24 * HOUR);
    expect(recentPeriod(probed, 8, cursorAt, NOW)).toEqual({ since, query: contactedSinceQuery(since, new Date(cursorAt)) });
  });

  it('gives no period for fewer than two matches, or for one longer than the days it names one by one', () => {
    expect(recentPeriod([{ created_at: NOW }], 51, null, NOW)).toBeNull();
    // 2 matches in 10 days: 51 would take 255 days.
    const sparse = [{ created_at: new Date(NOW.getTime() - 5 * 24 * HOUR) }, { created_at: new Date(NOW.getTime() - 10 * 24 * HOUR) }];
    expect(recentPeriod(sparse, 51, null, NOW)).toBeNull();
  });
});

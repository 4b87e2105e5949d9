import { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { login, TestEnv } from './support/test-env';

/** A small deterministic generator, so a failing figure can be reproduced. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const CHANNELS = ['webform', 'email', 'voice', 'chat', 'social', 'counter'];
const KINDS = ['application', 'consultation', 'complaint', 'suggestion', 'question'];
const INSTITUTIONS = ['VSAA', 'VID', 'NVA'];
const POLICY_OF: Record<string, string> = {
  webform: 'Iesniegums (Latvija.lv forma)',
  email: 'Iesniegums (e-pasts)',
  voice: 'Zvans',
  chat: 'Tērzēšana',
  social: 'Sociālie tīkli',
  counter: 'Klātiene (VPVKAC)',
};

interface Generated {
  id: string;
  channel: string;
  kind: string;
  institution: string;
  createdAt: Date;
  inOctober: boolean;
  level: number;
  escalated: boolean;
  resolvedAt: Date | null;
  firstResponseAt: Date | null;
  csat: number | null;
  csatAt: Date | null;
  outcome: 'in_time' | 'late' | 'breached' | 'open';
}

describe('reports: a generated month of traffic, checked against figures computed independently', () => {
  const env = new TestEnv();
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const tickets: Generated[] = [];
  const get = (who: string, url: string) => request(app.getHttpServer()).get(url).set('Authorization', `Bearer ${tokens[who]}`);

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'api' });
    const agents = app.get(AgentsService);
    tokens.admin = await login(app);
    const agentId = await agents.upsert({
      email: 'sup@reports.test',
      displayName: 'Sup',
      password: 'a-long-enough-password',
      roles: ['supervisor'],
    });
    tokens.sup = await login(app, 'sup@reports.test', 'a-long-enough-password');
    await agents.upsert({
      email: 'vid@reports.test',
      displayName: 'VID',
      password: 'a-long-enough-password',
      roles: ['specialist'],
      institutionCodes: ['VID'],
    });
    tokens.vid = await login(app, 'vid@reports.test', 'a-long-enough-password');
    const operatorId = await agents.upsert({
      email: 'op@reports.test',
      displayName: 'Op',
      password: 'a-long-enough-password',
      roles: ['operator'],
    });
    // Presence history: the operator online on Wednesday 7 October 09:10–10:15 Riga (three half-hours touched),
    // away 10:15–11:00 (a break is not staffed), online again on Saturday 10 October (outside planned hours); the
    // supervisor online on Thursday 8 October (a supervisor online does not staff the line).
    await env.sql(
      `INSERT INTO presence_periods (agent_id, state, started_at, ended_at) VALUES
         ($1, 'online', '2026-10-07T06:10:00Z', '2026-10-07T07:15:00Z'),
         ($1, 'away', '2026-10-07T07:15:00Z', '2026-10-07T08:00:00Z'),
         ($1, 'online', '2026-10-10T07:00:00Z', '2026-10-10T09:00:00Z'),
         ($2, 'online', '2026-10-08T07:00:00Z', '2026-10-08T09:00:00Z')`,
      [operatorId, agentId],
    );
    tokens.op = await login(app, 'op@reports.test', 'a-long-enough-password');

    const institutionId = Object.fromEntries((await env.sql('SELECT code, id FROM institutions')).map((r) => [r.code, r.id]));
    const queueId = Object.fromEntries((await env.sql('SELECT code, id FROM queues')).map((r) => [r.code, r.id]));
    const policyId = Object.fromEntries((await env.sql('SELECT name, id FROM sla_policies')).map((r) => [r.name, r.id]));

    // October 2026 in Riga: from 30 Sep 21:00 UTC (EEST) to 31 Oct 22:00 UTC (EET, after the 25 October change).
    const start = Date.UTC(2026, 8, 30, 21, 0, 0);
    const end = Date.UTC(2026, 9, 31, 22, 0, 0);
    const rnd = random(20261025);
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
    const edges = [start, start + 60_000, end - 60_000, end, end + 60_000, start - 60_000]; // on both sides of both bounds
    for (let i = 0; i < 400; i++) {
      const created = i < edges.length ? edges[i] : start - 86_400_000 * 2 + Math.floor(rnd() * (end - start + 86_400_000 * 4));
      const channel = pick(CHANNELS);
      const resolved = rnd() < 0.6;
      const level = rnd() < 0.15 ? 0 : rnd() < 0.8 ? 1 : 2;
      const answered = rnd() < 0.85;
      const outcome = !answered ? (rnd() < 0.5 ? 'breached' : 'open') : rnd() < 0.8 ? 'in_time' : rnd() < 0.5 ? 'late' : 'breached';
      const csat = resolved && rnd() < 0.5 ? 1 + Math.floor(rnd() * 5) : null;
      tickets.push({
        id: randomUUID(),
        channel,
        kind: pick(KINDS),
        institution: pick(INSTITUTIONS),
        createdAt: new Date(created),
        inOctober: created >= start && created < end,
        level,
        escalated: level > 0 || rnd() < 0.1,
        resolvedAt: resolved ? new Date(created + 3600_000 * (1 + Math.floor(rnd() * 48))) : null,
        firstResponseAt: answered ? new Date(created + 1000 * (5 + Math.floor(rnd() * 7200))) : null,
        csat,
        csatAt: csat ? new Date(created + 86_400_000 * 3) : null,
        outcome,
      });
    }
    const col = <K extends keyof Generated>(k: K) => tickets.map((t) => t[k]);
    await env.sql(
      `INSERT INTO tickets (id, reference, channel, kind, institution_id, queue_id, status, level, created_at, resolved_at, first_response_at,
                            csat_score, csat_at, sla_policy_id)
       SELECT u.id, 'VP-2026-' || lpad(u.n::text, 6, '0'), u.channel, u.kind, u.institution_id, u.queue_id,
              CASE WHEN u.resolved_at IS NULL THEN 'queued' ELSE 'resolved' END, u.level, u.created_at, u.resolved_at, u.first_response_at,
              u.csat, u.csat_at, u.policy_id
       FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::uuid[], $6::uuid[], $7::smallint[], $8::timestamptz[], $9::timestamptz[],
                   $10::timestamptz[], $11::smallint[], $12::timestamptz[], $13::uuid[])
         AS u(id, n, channel, kind, institution_id, queue_id, level, created_at, resolved_at, first_response_at, csat, csat_at, policy_id)`,
      [
        col('id'),
        tickets.map((_, i) => i + 1),
        col('channel'),
        col('kind'),
        tickets.map((t) => institutionId[t.institution]),
        tickets.map((t) => queueId[t.institution] ?? queueId.GENERAL),
        col('level'),
        col('createdAt'),
        col('resolvedAt'),
        col('firstResponseAt'),
        col('csat'),
        col('csatAt'),
        tickets.map((t) => policyId[POLICY_OF[t.channel]]),
      ],
    );
    const escalated = tickets.filter((t) => t.escalated);
    await env.sql(
      `INSERT INTO escalations (ticket_id, from_level, to_level, reason) SELECT id, 0, greatest(lvl, 1), 'routed' FROM unnest($1::uuid[], $2::int[]) AS u(id, lvl)`,
      [escalated.map((t) => t.id), escalated.map((t) => t.level)],
    );
    // The first-response clock history as the engine and timers write it.
    const events: Array<[string, string, string, Date, object]> = [];
    for (const t of tickets) {
      const p = policyId[POLICY_OF[t.channel]];
      events.push([t.id, 'started', p, t.createdAt, {}]);
      if (t.outcome === 'breached') events.push([t.id, 'breached', p, new Date(t.createdAt.getTime() + 60_000), {}]);
      if (t.outcome === 'in_time' || t.outcome === 'late' || (t.outcome === 'breached' && t.firstResponseAt)) {
        events.push([t.id, 'met', p, t.firstResponseAt!, { withinTarget: t.outcome === 'in_time' }]);
      }
    }
    await env.sql(
      `INSERT INTO sla_clock_events (ticket_id, metric, kind, policy_id, cycle, consumed_ms, at, detail)
       SELECT u.t, 'first_response', u.k, u.p, 1, 0, u.at, u.d FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::timestamptz[], $5::jsonb[]) AS u(t, k, p, at, d)`,
      [
        events.map((e) => e[0]),
        events.map((e) => e[1]),
        events.map((e) => e[2]),
        events.map((e) => e[3]),
        events.map((e) => JSON.stringify(e[4])),
      ],
    );
    // Staff activity: Monday 5 October 10:10 and 10:20 Riga (one half-hour), Tuesday 6 October 09:00 (another),
    // Saturday 10 October and Monday 19:00 (outside planned hours: not availability).
    const some = tickets[10].id;
    for (const at of [
      '2026-10-05T07:10:00Z',
      '2026-10-05T07:20:00Z',
      '2026-10-06T06:00:00Z',
      '2026-10-10T08:00:00Z',
      '2026-10-05T16:00:00Z',
    ]) {
      await env.sql(
        `INSERT INTO messages (ticket_id, channel, direction, author_type, author_agent_id, text, internal, created_at) VALUES ($1, 'email', 'outbound', 'agent', $2, 'x', true, $3)`,
        [some, agentId, at],
      );
    }
  });
  afterAll(() => env.teardown());

  const october = () => tickets.filter((t) => t.inOctober);

  it('counts volumes by institution, channel and kind in Riga months, matching an independent count', async () => {
    const res = await get('sup', '/v1/reports/volumes?from=2026-10').expect(200);
    const expected = new Map<string, number>();
    for (const t of october())
      expected.set(`${t.institution}|${t.channel}|${t.kind}`, (expected.get(`${t.institution}|${t.channel}|${t.kind}`) ?? 0) + 1);
    const got = new Map<string, number>(res.body.items.map((r: any) => [`${r.institution}|${r.channel}|${r.kind}`, r.tickets]));
    expect(got).toEqual(expected);
    expect(
      res.body.items.every((r: any) => r.month === '2026-10' && r.category === (r.kind === 'application' ? 'application' : 'consultation')),
    ).toBe(true);

    // The same figure, written another way: Riga calendar dates of the timestamps.
    const [{ n }] = await env.sql(
      `SELECT count(*)::int AS n FROM tickets WHERE (created_at AT TIME ZONE 'Europe/Riga')::date BETWEEN DATE '2026-10-01' AND DATE '2026-10-31'`,
    );
    expect(res.body.items.reduce((s: number, r: any) => s + r.tickets, 0)).toBe(n);
    expect(n).toBe(october().length);

    // Level-0 resolution per channel in the month: the generator's own truth, and independent SQL over the stored rows
    // (resolved while at level 0, never escalated above it), match the report's rows and its column on every row.
    // Escalated to level 2 or 3: the generator's tickets at level 2 (their escalation went there).
    const truth = new Map<string, [number, number, number]>();
    for (const t of october()) {
      const [n, r, e] = truth.get(t.channel) ?? [0, 0, 0];
      truth.set(t.channel, [n + 1, r + (t.resolvedAt && t.level === 0 && !t.escalated ? 1 : 0), e + (t.level >= 2 ? 1 : 0)]);
    }
    const independent = await env.sql(
      `SELECT channel, count(*)::int AS n,
              count(*) FILTER (WHERE resolved_at IS NOT NULL AND level = 0 AND id NOT IN (SELECT ticket_id FROM escalations WHERE to_level >= 1))::int AS r,
              count(*) FILTER (WHERE id IN (SELECT ticket_id FROM escalations WHERE to_level >= 2))::int AS e
       FROM tickets WHERE (created_at AT TIME ZONE 'Europe/Riga')::date BETWEEN DATE '2026-10-01' AND DATE '2026-10-31' GROUP BY channel`,
    );
    expect(new Map(independent.map((x) => [x.channel, [x.n, x.r, x.e]]))).toEqual(truth);
    expect(res.body.levelZeroByChannel).toEqual(
      [...truth.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([channel, [n, r, e]]) => ({
          month: '2026-10',
          channel,
          tickets: n,
          resolvedAtLevel0: r,
          percent: Math.round((r / n) * 1000) / 10,
          escalatedToLevel2Or3: e,
        })),
    );
    expect([...truth.values()].some(([, , e]) => e > 0)).toBe(true);
    for (const [channel, [, r]] of truth) {
      expect(res.body.items.filter((x: any) => x.channel === channel).reduce((sum: number, x: any) => sum + x.resolvedAtLevel0, 0)).toBe(r);
    }
    expect([...truth.values()].some(([, r]) => r > 0)).toBe(true);

    const two = await get('sup', '/v1/reports/volumes?from=2026-09&to=2026-11').expect(200);
    expect(new Set(two.body.items.map((r: any) => r.month))).toEqual(new Set(['2026-09', '2026-10', '2026-11']));
  });

  it('limits institution staff to their institutions', async () => {
    const res = await get('vid', '/v1/reports/volumes?from=2026-10').expect(200);
    expect(new Set(res.body.items.map((r: any) => r.institution))).toEqual(new Set(['VID']));
    expect(res.body.items.reduce((s: number, r: any) => s + r.tickets, 0)).toBe(october().filter((t) => t.institution === 'VID').length);
    await get('op', '/v1/reports/volumes?from=2026-10').expect(403);
    await get('vid', '/v1/reports/funding?month=2026-10').expect(403);
  });

  it('reports SLA compliance per policy and queue from the clock history', async () => {
    const res = await get('sup', '/v1/reports/sla?from=2026-10').expect(200);
    const [{ rows }] = await env.sql(
      `SELECT json_agg(x) AS rows FROM (
         SELECT p.name AS policy, q.code AS queue,
                count(DISTINCT e.ticket_id) FILTER (WHERE e.kind IN ('met', 'breached'))::int AS measured,
                count(DISTINCT e.ticket_id) FILTER (WHERE e.kind = 'met' AND e.detail @> '{"withinTarget": true}'
                  AND NOT EXISTS (SELECT 1 FROM sla_clock_events b WHERE b.ticket_id = e.ticket_id AND b.kind = 'breached'))::int AS within
         FROM sla_clock_events e JOIN tickets t ON t.id = e.ticket_id JOIN sla_policies p ON p.id = e.policy_id JOIN queues q ON q.id = t.queue_id
         WHERE t.created_at >= '2026-09-30T21:00:00Z' AND t.created_at < '2026-10-31T22:00:00Z'
         GROUP BY 1, 2) x`,
    );
    const independent = new Map<string, [number, number]>(
      (rows as any[]).filter((r) => r.measured > 0).map((r) => [`${r.policy}|${r.queue}`, [r.measured, r.within]]),
    );
    const got = new Map<string, [number, number]>(res.body.items.map((r: any) => [`${r.policy}|${r.queue}`, [r.measured, r.withinTarget]]));
    expect(got).toEqual(independent);
    const voice = res.body.items.filter((r: any) => r.policy === 'Zvans');
    const measured = october().filter((t) => t.channel === 'voice' && t.outcome !== 'open');
    expect(voice.reduce((s: number, r: any) => s + r.measured, 0)).toBe(measured.length);
    expect(
      voice.every((r: any) => r.goalPercent === 80 && r.compliancePercent === Math.round((r.withinTarget / r.measured) * 1000) / 10),
    ).toBe(true);
  });

  it('reports CSAT by month, institution and channel', async () => {
    const res = await get('sup', '/v1/reports/csat?from=2026-10').expect(200);
    const start = Date.UTC(2026, 8, 30, 21);
    const end = Date.UTC(2026, 9, 31, 22);
    const answered = tickets.filter((t) => t.csatAt && t.csatAt.getTime() >= start && t.csatAt.getTime() < end);
    expect(res.body.items.reduce((s: number, r: any) => s + r.responses, 0)).toBe(answered.length);
    for (const r of res.body.items) {
      const mine = answered.filter((t) => t.institution === r.institution && t.channel === r.channel);
      expect(r.responses).toBe(mine.length);
      expect(r.average).toBeCloseTo(mine.reduce((s, t) => s + t.csat!, 0) / mine.length, 2);
      expect(r.satisfied).toBe(mine.filter((t) => t.csat! >= 4).length);
    }
  });

  it('builds the funding report: planned and staffed hours, volume, service level, response times, CSAT, level-0 resolution', async () => {
    const res = await get('admin', '/v1/reports/funding?month=2026-10').expect(200);
    // October 2026: 17 Monday–Thursdays of 8.5 h and 5 Fridays of 7 h, no holidays: 179.5 h planned.
    // Staffed: the half-hours of 5 Oct 10:00 and 6 Oct 09:00 with work in them (Saturday and after-hours work do
    // not count), and 7 Oct 09:00, 09:30 and 10:00 with an operator online (not the break, not the supervisor).
    expect(res.body.availability).toEqual({
      plannedHours: 179.5,
      staffedHours: 2.5,
      availabilityPercent: Math.round((2.5 / 179.5) * 1000) / 10,
    });

    const remote = october().filter((t) => t.channel !== 'counter');
    expect(res.body.volume.total).toBe(remote.length);
    expect(res.body.volume.applications).toBe(remote.filter((t) => t.kind === 'application').length);
    for (const r of res.body.volume.byChannel) expect(r.total).toBe(remote.filter((t) => t.channel === r.channel).length);

    for (const r of res.body.quality.serviceLevel) {
      const mine = remote.filter((t) => t.channel === r.channel && t.outcome !== 'open');
      expect([r.channel, r.measured, r.withinTarget]).toEqual([r.channel, mine.length, mine.filter((t) => t.outcome === 'in_time').length]);
    }
    for (const r of res.body.quality.firstResponse) {
      const mine = remote.filter((t) => t.channel === r.channel && t.firstResponseAt);
      const avg = mine.reduce((s, t) => s + (t.firstResponseAt!.getTime() - t.createdAt.getTime()) / 1000, 0) / mine.length;
      expect([r.channel, r.answered, r.averageSeconds]).toEqual([r.channel, mine.length, Math.round(avg)]);
    }
    const start = Date.UTC(2026, 8, 30, 21);
    const end = Date.UTC(2026, 9, 31, 22);
    const rated = tickets.filter((t) => t.channel !== 'counter' && t.csatAt && t.csatAt.getTime() >= start && t.csatAt.getTime() < end);
    expect(res.body.quality.csat.responses).toBe(rated.length);
    const l0 = remote.filter((t) => t.resolvedAt && t.level === 0 && !t.escalated).length;
    const channels = [...new Set(remote.map((t) => t.channel))].sort();
    expect(res.body.quality.levelZeroResolution).toEqual({
      tickets: remote.length,
      resolvedAtLevelZero: l0,
      percent: Math.round((l0 / remote.length) * 1000) / 10,
      byChannel: channels.map((channel) => {
        const mine = remote.filter((t) => t.channel === channel);
        const resolved = mine.filter((t) => t.resolvedAt && t.level === 0 && !t.escalated).length;
        return { channel, tickets: mine.length, resolvedAtLevelZero: resolved, percent: Math.round((resolved / mine.length) * 1000) / 10 };
      }),
    });
  });

  it('exports every report as CSV, by query or by Accept header', async () => {
    const csv = await get('sup', '/v1/reports/volumes?from=2026-10&format=csv').expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('month,institution,channel,kind,category,tickets,resolvedAtLevel0');
    expect(lines.slice(1).reduce((s, l) => s + Number(l.split(',')[5]), 0)).toBe(october().length);
    const byHeader = await get('sup', '/v1/reports/sla?from=2026-10').set('Accept', 'text/csv').expect(200);
    expect(byHeader.text.split('\r\n')[0]).toBe('month,policy,queue,metric,measured,withinTarget,breached,compliancePercent,goalPercent');
    const funding = await get('sup', '/v1/reports/funding?month=2026-10&format=csv').expect(200);
    expect(funding.text).toContain('VPPPD,2026-10,availability,,plannedHours,179.5');
    expect(funding.text).toMatch(/VPPPD,2026-10,level0_resolution,voice,resolvedAtLevelZero,\d+/);
    expect((await get('sup', '/v1/reports/csat?from=2026-10').set('Accept', 'text/csv').expect(200)).text.split('\r\n')[0]).toContain(
      'satisfiedPercent',
    );
  });

  it('refuses a bad range with field-level errors', async () => {
    const res = await get('sup', '/v1/reports/volumes?from=2026-13&to=2026-01').expect(422);
    expect(res.body.errors.map((e: any) => e.field)).toContain('from');
    const reversed = await get('sup', '/v1/reports/volumes?from=2026-05&to=2026-01').expect(422);
    expect(reversed.body.errors[0]).toMatchObject({ field: 'to', code: 'beforeFrom' });
  });
});

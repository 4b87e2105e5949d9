import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { AgentSocket } from './support/agent-socket';
import { eventually, login, signedSubmission, TestEnv } from './support/test-env';
import { webformSubmission } from './support/factories';

const PASSWORD = 'a long enough passphrase';
const FAST = { PRESENCE_TIMEOUT_SECONDS: '2', ROUTING_SWEEP_SECONDS: '1' };

/**
 * Routing, presence and the agents' realtime socket, with two API instances (no stickiness: each socket talks to
 * one instance, events come from the other or from the worker) sharing rooms through Redis.
 */
describe('routing, presence and realtime across two API instances', () => {
  const env = new TestEnv();
  let api1: INestApplication;
  let api2: INestApplication;
  const sockets: AgentSocket[] = [];
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};

  async function person(
    name: string,
    roles: Array<'operator' | 'specialist' | 'expert' | 'supervisor' | 'admin'>,
    institutionCodes: string[] = [],
  ) {
    ids[name] = await api1
      .get(AgentsService)
      .upsert({ email: `${name}@routing.test`, displayName: name, password: PASSWORD, roles, institutionCodes });
    tokens[name] = await login(api1, `${name}@routing.test`, PASSWORD);
  }

  async function connect(app: INestApplication, name: string, options: { heartbeat?: boolean; state?: 'online' | 'away' } = {}) {
    const s = await AgentSocket.connect(app, tokens[name], {
      heartbeatMs: options.heartbeat === false ? undefined : 300,
      state: options.state,
    });
    sockets.push(s);
    return s;
  }

  const admin = () => login(api1);
  const ticket = async (reference: string) => (await env.sql('SELECT * FROM tickets WHERE reference = $1', [reference]))[0];
  const presenceOf = async (name: string) => (await env.sql('SELECT state FROM agent_presence WHERE agent_id = $1', [ids[name]]))[0]?.state;

  beforeAll(async () => {
    api1 = await env.startApi(FAST);
    api2 = await env.startApi(FAST);
    await env.startWorker(FAST);
    await person('operator', ['operator']);
    await person('operator2', ['operator']);
    await person('supervisor', ['supervisor']);
    await person('admin2', ['admin']);
    await person('vidSpecialist', ['specialist'], ['VID']);
    await person('vsaaSpecialist', ['specialist'], ['VSAA']);
    await person('vidExpert', ['expert'], ['VID']);
    await person('vidExpert2', ['expert'], ['VID']);
    await person('vsaaExpert', ['expert'], ['VSAA']);
    // Every queue by hand to begin with; each test turns on the strategy it is about.
    await env.sql(`UPDATE queues SET strategy = 'manual'`);
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    // Everyone offline again, so the next test starts from a known state.
    await eventually(async () => (await env.sql(`SELECT count(*)::int AS n FROM agent_presence WHERE state <> 'offline'`))[0].n === 0);
  });
  afterAll(() => env.teardown());

  it('refuses a socket without a valid token', async () => {
    await expect(AgentSocket.connect(api1, undefined)).rejects.toMatchObject({ message: 'unauthorized' });
    await expect(AgentSocket.connect(api2, 'not-a-token')).rejects.toMatchObject({ message: 'unauthorized' });
  });

  it('realtime rooms follow the same scope rule as the REST API, for every role and own/other institution', async () => {
    // Manual queues here: this test is about who hears of a ticket, not about who gets it.
    await request(api1.getHttpServer())
      .patch('/v1/admin/queues/VID')
      .set('Authorization', `Bearer ${await admin()}`)
      .send({ strategy: 'manual' })
      .expect(200);
    const names = ['operator', 'supervisor', 'admin2', 'vidSpecialist', 'vsaaSpecialist', 'vidExpert', 'vsaaExpert'];
    const byName: Record<string, AgentSocket> = {};
    for (const [i, name] of names.entries()) byName[name] = await connect(i % 2 ? api2 : api1, name);

    const res = await signedSubmission(api1, webformSubmission({ institution: 'VID' })).expect(202);
    const reference: string = res.body.reference;
    const level1 = ['operator', 'supervisor', 'admin2', 'vidSpecialist'];
    await eventually(async () => level1.every((n) => byName[n].about(reference).some((e) => e.event === 'ticket.created')));

    // Escalated to level 3 of VID: the VID expert now hears of it too; the other institution's staff never do.
    await request(api2.getHttpServer())
      .post(`/v1/tickets/${reference}/escalations`)
      .set('Authorization', `Bearer ${tokens.operator}`)
      .send({ toLevel: 3, institution: 'VID', reason: 'sarežģīts gadījums', summary: 'vajag ekspertu' })
      .expect(201);
    await eventually(async () =>
      [...level1, 'vidExpert'].every((n) => byName[n].about(reference).some((e) => e.event === 'ticket.changed' && e.payload.level === 3)),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(byName.vsaaSpecialist.about(reference)).toEqual([]);
    expect(byName.vsaaExpert.about(reference)).toEqual([]);
    expect(byName.vidExpert.about(reference).map((e) => e.event)).not.toContain('ticket.created'); // level 1 was not theirs

    // Joining a ticket's room is checked the same way: outsiders get the same answer as for a missing ticket.
    for (const outsider of ['vsaaSpecialist', 'vsaaExpert']) {
      expect(await byName[outsider].request('ticket.view', { reference })).toMatchObject({ ok: false, status: 404 });
    }
    expect(await byName.vidExpert.request('ticket.view', { reference })).toMatchObject({ ok: true });
    // No personal data travels in ticket events.
    expect(JSON.stringify(byName.operator.about(reference))).not.toMatch(/Bērziņš|121282|example\.lv/);
  });

  it('shows who is viewing and who is replying, across instances, and forgets a viewer who leaves', async () => {
    const reference = await env.submitTicket(api1, { institution: 'VSAA' });
    const a = await connect(api1, 'operator');
    const b = await connect(api2, 'operator2');
    expect(await a.request('ticket.view', { reference })).toMatchObject({
      ok: true,
      viewers: [{ agentId: ids.operator, replying: false }],
    });
    const seen = await b.request('ticket.view', { reference });
    expect(seen.viewers.map((v: any) => v.agentId).sort()).toEqual([ids.operator, ids.operator2].sort());
    await b.request('ticket.replying', { reference, replying: true });
    await eventually(async () =>
      a.events.some((e) => e.event === 'ticket.viewers' && e.payload.viewers.some((v: any) => v.agentId === ids.operator2 && v.replying)),
    );
    b.close();
    await eventually(async () => {
      const last = a.events.filter((e) => e.event === 'ticket.viewers').pop();
      return last && last.payload.viewers.length === 1 && last.payload.viewers[0].agentId === ids.operator;
    });
    expect(await a.request('ticket.replying', { reference: 'VP-2000-000001', replying: true })).toMatchObject({
      ok: false,
      code: 'not-viewing',
    });
  });

  it('presence: a socket brings the agent online, a closed one offline, a silent one offline by timeout', async () => {
    const since = new Date();
    const watcher = await connect(api2, 'supervisor');
    const s = await connect(api1, 'operator2');
    expect(await presenceOf('operator2')).toBe('online');
    const board = await request(api2.getHttpServer()).get('/v1/presence').set('Authorization', `Bearer ${tokens.supervisor}`).expect(200);
    expect(board.body.find((p: any) => p.agentId === ids.operator2)).toMatchObject({ state: 'online' });
    expect(await s.request('heartbeat', { state: 'away' })).toEqual({ ok: true, state: 'away' });
    expect(await presenceOf('operator2')).toBe('away');
    s.close();
    await eventually(async () => (await presenceOf('operator2')) === 'offline');

    // A laptop lid closed: the socket stays open but nothing is sent; the sweep puts the agent offline.
    const silent = await connect(api2, 'operator2', { heartbeat: false });
    expect(await presenceOf('operator2')).toBe('online');
    await eventually(async () => (await presenceOf('operator2')) === 'offline', { timeoutMs: 10000 });
    // Supervisors watch it happen, with the reason.
    await eventually(async () =>
      watcher.events.some(
        (e) =>
          e.event === 'presence' && e.payload.agentId === ids.operator2 && e.payload.state === 'offline' && e.payload.cause === 'timeout',
      ),
    );
    expect(
      watcher.events.some((e) => e.event === 'presence' && e.payload.agentId === ids.operator2 && e.payload.cause === 'disconnect'),
    ).toBe(true);
    silent.close();
    // The history the funding report counts staffed hours from: online, away, then online until the timeout.
    const periods = await eventually(async () => {
      const rows = await env.sql(
        `SELECT state, ended_at IS NOT NULL AS ended FROM presence_periods WHERE agent_id = $1 AND started_at >= $2 ORDER BY started_at`,
        [ids.operator2, since],
      );
      return rows.length === 3 && rows.every((r) => r.ended) ? rows : null;
    });
    expect(periods.map((p) => p.state)).toEqual(['online', 'away', 'online']);
  });

  it('assigns waiting work automatically within capacity: no ticket twice, nobody over capacity, freed capacity refilled', async () => {
    const token = await admin();
    await request(api1.getHttpServer())
      .patch('/v1/admin/queues/VID')
      .set('Authorization', `Bearer ${token}`)
      .send({ strategy: 'least_loaded' })
      .expect(200);
    await env.sql(`UPDATE agents SET capacity = '{"webform": 2}' WHERE id = ANY($1::uuid[])`, [[ids.operator, ids.operator2]]);
    const references = await Promise.all(
      Array.from({ length: 7 }, () =>
        signedSubmission(api1, webformSubmission({ institution: 'VID' }))
          .expect(202)
          .then((r) => r.body.reference as string),
      ),
    );
    await eventually(
      async () => (await env.sql('SELECT count(*)::int AS n FROM tickets WHERE reference = ANY($1)', [references]))[0].n === 7,
    );
    // Both come online at once, on different instances: two offers race, and the lock keeps them honest.
    const [a, b] = await Promise.all([connect(api1, 'operator'), connect(api2, 'operator2')]);
    const held = async () =>
      env.sql<{ assignee_id: string; n: number }>(
        `SELECT assignee_id, count(*)::int AS n FROM tickets WHERE reference = ANY($1) AND assignee_id IS NOT NULL GROUP BY assignee_id`,
        [references],
      );
    await eventually(async () => (await held()).reduce((sum, r) => sum + r.n, 0) === 4);
    await new Promise((r) => setTimeout(r, 1500)); // a sweep or two later, still nobody over capacity
    expect((await held()).map((r) => r.n)).toEqual([2, 2]);
    const audit = await env.sql(`SELECT subject_id FROM audit_events WHERE action = 'ticket.auto_assigned'`);
    expect(new Set(audit.map((r) => r.subject_id)).size).toBe(audit.length);
    // The oldest work went first.
    const assigned = await env.sql(`SELECT reference FROM tickets WHERE reference = ANY($1) AND assignee_id IS NOT NULL`, [references]);
    const waiting = await env.sql(`SELECT min(created_at) AS oldest FROM tickets WHERE reference = ANY($1) AND assignee_id IS NULL`, [
      references,
    ]);
    const newestAssigned = await env.sql(
      `SELECT max(created_at) AS newest FROM tickets WHERE reference = ANY($1) AND assignee_id IS NOT NULL`,
      [references],
    );
    expect(assigned).toHaveLength(4);
    expect(new Date(newestAssigned[0].newest).getTime()).toBeLessThanOrEqual(new Date(waiting[0].oldest).getTime());
    // The agent heard of it on their own socket.
    await eventually(async () => a.events.some((e) => e.event === 'assignment') && b.events.some((e) => e.event === 'assignment'));

    // Resolving one frees a place: the oldest waiting ticket goes to that agent.
    const mine = (
      await env.sql(`SELECT reference FROM tickets WHERE assignee_id = $1 AND reference = ANY($2) ORDER BY created_at LIMIT 1`, [
        ids.operator,
        references,
      ])
    )[0];
    await request(api2.getHttpServer())
      .patch(`/v1/tickets/${mine.reference}`)
      .set('Authorization', `Bearer ${tokens.operator}`)
      .send({ status: 'resolved' })
      .expect(200);
    await eventually(
      async () =>
        (await env.sql(`SELECT count(*)::int AS n FROM tickets WHERE assignee_id = $1 AND status = 'assigned'`, [ids.operator]))[0].n === 2,
    );

    // Going offline gives unanswered work back; answered work stays with its agent.
    const answered = (
      await env.sql(`SELECT reference FROM tickets WHERE assignee_id = $1 AND status = 'assigned' LIMIT 1`, [ids.operator2])
    )[0].reference;
    await request(api1.getHttpServer())
      .post(`/v1/tickets/${answered}/replies`)
      .set('Authorization', `Bearer ${tokens.operator2}`)
      .send({ text: 'Labdien! Atbildam.' })
      .expect(202);
    b.close();
    await eventually(async () => (await presenceOf('operator2')) === 'offline');
    // Operator 2 held two: the answered one stays theirs, the other goes back to the queue (and on to operator 1
    // only if they had room, which they do not).
    await eventually(
      async () =>
        (
          await env.sql(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'ticket.returned_to_queue' AND detail->>'from' = $1`, [
            ids.operator2,
          ])
        )[0].n === 1,
    );
    expect((await ticket(answered)).assignee_id).toBe(ids.operator2);
    await env.sql(`UPDATE agents SET capacity = DEFAULT WHERE id = ANY($1::uuid[])`, [[ids.operator, ids.operator2]]);
    await env.sql(`UPDATE queues SET strategy = 'manual'`);
  });

  it('skills-based queues give a topic only to agents who know it, in their language', async () => {
    const token = await admin();
    await request(api1.getHttpServer())
      .patch('/v1/admin/queues/VSAA')
      .set('Authorization', `Bearer ${token}`)
      .send({ strategy: 'skills' })
      .expect(200);
    await env.sql(`UPDATE agents SET skills = '{Pensijas}', languages = '{lv,ru}' WHERE id = $1`, [ids.operator2]);
    await connect(api1, 'operator');
    await connect(api2, 'operator2');
    const pensions = await env.submitTicket(api1, { institution: 'VSAA', topic: 'pensijas', language: 'ru' });
    const other = await env.submitTicket(api1, { institution: 'VSAA', topic: 'bezdarbs' });
    await eventually(async () => (await ticket(pensions)).assignee_id === ids.operator2);
    await new Promise((r) => setTimeout(r, 1200));
    expect((await ticket(other)).assignee_id).toBeNull();
  });

  it('routing rules as data send a contact to the queue its institution, language and topic call for', async () => {
    const token = await admin();
    const server = api1.getHttpServer();
    await request(server)
      .post('/v1/admin/queues')
      .set('Authorization', `Bearer ${token}`)
      .send({ code: 'VID-L1-RU', name: 'VID krieviski', institution: 'VID', level: 1 })
      .expect(201);
    await request(server)
      .post('/v1/admin/queues')
      .set('Authorization', `Bearer ${token}`)
      .send({ code: 'bad', name: 'x', level: 2 })
      .expect(422);
    const rule = await request(server)
      .post('/v1/admin/routing-rules')
      .set('Authorization', `Bearer ${token}`)
      .send({ position: 10, institution: 'VID', language: 'ru', queue: 'VID-L1-RU' })
      .expect(201);
    const bad = await request(server)
      .post('/v1/admin/routing-rules')
      .set('Authorization', `Bearer ${token}`)
      .send({ position: 1, queue: 'NOPE', channel: 'fax' })
      .expect(422);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['channel']);
    const unknownQueue = await request(server)
      .post('/v1/admin/routing-rules')
      .set('Authorization', `Bearer ${token}`)
      .send({ position: 1, queue: 'NOPE' })
      .expect(422);
    expect(unknownQueue.body.errors).toEqual([expect.objectContaining({ field: 'queue', code: 'unknown' })]);

    const ru = await env.submitTicket(api1, { institution: 'VID', language: 'ru' });
    const lv = await env.submitTicket(api1, { institution: 'VID', language: 'lv' });
    const queueOf = async (reference: string) =>
      (await env.sql('SELECT q.code FROM tickets t JOIN queues q ON q.id = t.queue_id WHERE t.reference = $1', [reference]))[0].code;
    expect(await queueOf(ru)).toBe('VID-L1-RU');
    expect(await queueOf(lv)).toBe('VID');

    await request(server)
      .patch(`/v1/admin/routing-rules/${rule.body.id}`)
      .set('Authorization', `Bearer ${token}`)
      .send({ active: false })
      .expect(200);
    expect(await queueOf(await env.submitTicket(api1, { institution: 'VID', language: 'ru' }))).toBe('VID');
    await request(server).delete(`/v1/admin/routing-rules/${rule.body.id}`).set('Authorization', `Bearer ${token}`).expect(204);
    const rules = await request(server).get('/v1/admin/routing-rules').set('Authorization', `Bearer ${token}`).expect(200);
    expect(rules.body).toEqual([]);
    const audit = await env.sql(`SELECT action FROM audit_events WHERE action LIKE 'routing_rule.%' OR action LIKE 'queue.%' ORDER BY id`);
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['queue.created', 'routing_rule.created', 'routing_rule.updated', 'routing_rule.deleted']),
    );
  });

  it('an expert (L3) sees only their own cases: level 3, assigned to them, or moved by them', async () => {
    const reference = await env.submitTicket(api1, { institution: 'VID' });
    const get = (name: string) =>
      request(api1.getHttpServer()).get(`/v1/tickets/${reference}`).set('Authorization', `Bearer ${tokens[name]}`);
    const listed = async (name: string) =>
      (await request(api2.getHttpServer()).get('/v1/tickets').set('Authorization', `Bearer ${tokens[name]}`).expect(200)).body.items.some(
        (t: any) => t.reference === reference,
      );
    await get('vidSpecialist').expect(200);
    await get('vidExpert').expect(404);
    expect(await listed('vidExpert')).toBe(false);

    await request(api1.getHttpServer())
      .post(`/v1/tickets/${reference}/escalations`)
      .set('Authorization', `Bearer ${tokens.vidSpecialist}`)
      .send({ toLevel: 3, reason: 'juridisks jautājums', summary: 'lūdzu eksperta viedokli' })
      .expect(201);
    await get('vidExpert').expect(200);
    await get('vidExpert2').expect(200);
    expect(await listed('vidExpert')).toBe(true);
    await get('vsaaExpert').expect(404);

    await request(api1.getHttpServer())
      .post(`/v1/tickets/${reference}/escalations`)
      .set('Authorization', `Bearer ${tokens.vidExpert}`)
      .send({ toLevel: 2, reason: 'atbilde sagatavota', summary: 'Atbilde: pieteikums jāiesniedz EDS.' })
      .expect(201);
    await get('vidExpert').expect(200); // they moved it: still their case
    await get('vidExpert2').expect(404); // never theirs
    expect(await listed('vidExpert2')).toBe(false);
  });
});

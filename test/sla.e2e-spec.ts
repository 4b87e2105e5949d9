import { INestApplication } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { BusinessCalendar, LATVIA_KNOWN_ADJUSTMENTS, rigaDate } from '@lib/business-calendar';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AgentsService } from '../src/agents/agents.service';
import { AgentSocket } from './support/agent-socket';
import { InboundService } from '../src/inbound/inbound.service';
import type { InboundMessage } from '../src/inbound/inbound-message';
import { JobName, QueueName } from '../src/queues';
import { SlaEngine } from '../src/sla/sla-engine.service';
import { SlaTimerBatch } from '../src/sla/sla-timer-batch';
import { SLA_SUMMARY_COLUMNS } from '../src/tickets/repositories/tickets.repository';
import { eventually, login, TestEnv } from './support/test-env';
import { PrivateRedis } from './support/private-services';
import { countRowUpdates } from './support/row-updates';

const VPPPD_HOURS = {
  mon: [['08:30', '17:00']],
  tue: [['08:30', '17:00']],
  wed: [['08:30', '17:00']],
  thu: [['08:30', '17:00']],
  fri: [['08:30', '15:30']],
  sat: [],
  sun: [],
} as const;

describe('SLA: policies, clocks that pause and resume, policy re-chosen with history, inbox state', () => {
  const env = new TestEnv();
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const call = (who: string, method: 'post' | 'patch' | 'get', url: string, body?: object) => {
    const req = request(app.getHttpServer())[method](url).set('Authorization', `Bearer ${tokens[who]}`);
    return body ? req.send(body) : req;
  };
  const ticket = async (reference: string) => (await env.sql('SELECT * FROM tickets WHERE reference = $1', [reference]))[0];
  const clock = async (reference: string, metric: string) =>
    (
      await env.sql('SELECT c.* FROM sla_clocks c JOIN tickets t ON t.id = c.ticket_id WHERE t.reference = $1 AND c.metric = $2', [
        reference,
        metric,
      ])
    )[0];
  const history = async (reference: string, metric: string) =>
    env.sql(
      `SELECT e.kind, p.name AS policy, e.detail FROM sla_clock_events e JOIN tickets t ON t.id = e.ticket_id
       LEFT JOIN sla_policies p ON p.id = e.policy_id WHERE t.reference = $1 AND e.metric = $2 ORDER BY e.id`,
      [reference, metric],
    );

  /** A customer writing again on the ticket, through the same pipeline an e-mail takes. */
  const customerWrites = async (reference: string) => {
    const t = await ticket(reference);
    const [id] = await env.sql(`SELECT value FROM customer_identifiers WHERE customer_id = $1 AND kind = 'email'`, [t.customer_id]);
    const before = (await env.sql(`SELECT count(*)::int AS n FROM messages WHERE ticket_id = $1`, [t.id]))[0].n;
    await app.get(InboundService).accept({
      channel: 'email',
      externalId: `<${randomUUID()}@example.lv>`,
      from: { address: id.value, identifiers: [{ kind: 'email', value: id.value, provenance: 'channel' }] },
      threadHints: { reference },
      subject: `Re: [${reference}]`,
      text: 'Te ir prasītā informācija.',
    });
    await eventually(async () => (await env.sql(`SELECT count(*)::int AS n FROM messages WHERE ticket_id = $1`, [t.id]))[0].n > before);
  };

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all', SLA_SWEEP_INTERVAL_MS: '1000' });
    const agents = app.get(AgentsService);
    for (const [name, roles, institutionCodes] of [
      ['anna', ['operator']],
      ['sandra', ['supervisor']],
      ['vid', ['specialist'], ['VID']],
    ] as Array<[string, any, string[]?]>) {
      await agents.upsert({ email: `${name}@sla.test`, displayName: name, password: 'a-long-enough-password', roles, institutionCodes });
      tokens[name] = await login(app, `${name}@sla.test`, 'a-long-enough-password');
    }
    tokens.admin = await login(app);
  });
  afterAll(() => env.teardown());

  it('seeds the Submissions Law and service-level defaults, readable by supervisors and changed only by admins', async () => {
    const res = await call('sandra', 'get', '/v1/admin/sla-policies').expect(200);
    const byName = Object.fromEntries(res.body.items.map((p: any) => [p.name, p]));
    expect(byName['Iesniegums (Latvija.lv forma)']).toMatchObject({
      channel: 'webform',
      resolution: { value: 10, unit: 'working_days' },
      resolutionExtension: { value: 1, unit: 'months' },
      warningPercent: 80,
    });
    expect(byName['Pāradresācija citai iestādei']).toMatchObject({ scope: 'referral', resolution: { value: 5, unit: 'working_days' } });
    expect(byName['Zvans']).toMatchObject({ channel: 'voice', firstResponse: { value: 20, unit: 'calendar_seconds' }, goalPercent: 80 });
    expect(byName['Tērzēšana']).toMatchObject({ channel: 'chat', firstResponse: { value: 60, unit: 'calendar_seconds' }, goalPercent: 80 });
    await call('sandra', 'post', '/v1/admin/sla-policies', { name: 'x', channel: 'chat' }).expect(403);
    await call('anna', 'get', '/v1/admin/sla-policies').expect(403);

    const bad = await call('admin', 'post', '/v1/admin/sla-policies', {
      name: 'bad',
      resolution: { value: 0, unit: 'fortnights' },
      breachActions: [{ type: 'reroute' }],
    }).expect(422);
    const fields = bad.body.errors.map((e: any) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['resolution.value', 'resolution.unit', 'breachActions[0].queue']));
    await call('admin', 'post', '/v1/admin/sla-policies', { name: 'dup', channel: 'webform' }).expect(409);
  });

  it('gives a web-form submission its 10-working-day answer deadline at the close of business, in the inbox too', async () => {
    const reference = await env.submitTicket(app, { institution: 'VSAA' });
    const t = await ticket(reference);
    const calendar = new BusinessCalendar({ hours: VPPPD_HOURS, adjustments: LATVIA_KNOWN_ADJUSTMENTS });
    const expected = calendar.closingTime(calendar.addWorkingDays(rigaDate(t.created_at), 10));
    expect(t.resolution_due_at.toISOString()).toBe(expected.toISOString());
    expect(t.first_response_due_at.toISOString()).toBe(expected.toISOString());
    expect(t.sla_state).toBe('ok');

    const item = (await call('anna', 'get', `/v1/tickets?q=${reference}`).expect(200)).body.items[0];
    expect(item.sla).toMatchObject({ state: 'ok', policy: 'Iesniegums (Latvija.lv forma)', resolutionDueAt: expected.toISOString() });
    const detail = (await call('anna', 'get', `/v1/tickets/${reference}`).expect(200)).body;
    expect(detail.sla.dueAt).toBe(expected.toISOString());
  });

  it("writes a new ticket's row once, with the summary of clocks that start at its arrival, as a later change would decide them", async () => {
    const updates = await countRowUpdates(env, 'tickets', 'id');
    let t: Record<string, any>;
    try {
      t = await ticket(await env.submitTicket(app, { institution: 'VSAA' }));
      expect(await updates.of(t.id)).toBe(0);
    } finally {
      await updates.stop();
    }
    expect(t.sla_state).toBe('ok');
    expect(t.sla_policy_id).not.toBeNull();

    // Routed as it arrived: the escalation from level 0 and both clocks date from the contact's arrival, not from when
    // the worker got to it.
    const [routed] = await env.sql(`SELECT created_at FROM escalations WHERE ticket_id = $1 AND from_level = 0`, [t.id]);
    expect(routed.created_at.toISOString()).toBe(t.created_at.toISOString());
    const clocks = await env.sql(`SELECT metric, started_at, version, due_at FROM sla_clocks WHERE ticket_id = $1 ORDER BY metric`, [t.id]);
    expect(clocks.map((c) => [c.metric, c.started_at.toISOString()])).toEqual([
      ['first_response', t.created_at.toISOString()],
      ['resolution', t.created_at.toISOString()],
    ]);
    expect(await history(t.reference, 'resolution')).toEqual([{ kind: 'started', policy: 'Iesniegums (Latvija.lv forma)', detail: {} }]);

    // The engine's general path, reading the ticket and its clocks back, decides nothing different.
    await app
      .get(DataSource)
      .transaction((m) =>
        app.get(SlaEngine).apply(m, [{ ticketId: t.id, trigger: { type: 'changed', at: new Date() } }], new SlaTimerBatch()),
      );
    const again = await ticket(t.reference);
    const summary = (row: Record<string, any>) => Object.fromEntries(SLA_SUMMARY_COLUMNS.map((k) => [k, row[k]]));
    expect(summary(again)).toEqual(summary(t));
    expect(
      await env.sql(`SELECT metric, started_at, version, due_at FROM sla_clocks WHERE ticket_id = $1 ORDER BY metric`, [t.id]),
    ).toEqual(clocks);
  });

  it('pauses the clocks while waiting on the customer and resumes them when the customer answers', async () => {
    await call('admin', 'post', '/v1/admin/sla-policies', {
      name: 'VID e-pasts stundā',
      channel: 'webform',
      institution: 'VID',
      firstResponse: { value: 3600, unit: 'calendar_seconds' },
      resolution: { value: 7200, unit: 'calendar_seconds' },
      remindOutsideHours: true,
    }).expect(201);
    const reference = await env.submitTicket(app, { institution: 'VID' });
    const before = await clock(reference, 'resolution');
    expect(before).toMatchObject({ status: 'running', measure: 'calendar' });

    await call('anna', 'patch', `/v1/tickets/${reference}`, { status: 'pending_customer' }).expect(200);
    const paused = await clock(reference, 'resolution');
    expect(paused).toMatchObject({ status: 'paused', running_since: null, due_at: null });
    expect((await ticket(reference)).sla_state).toBe('paused');
    expect((await call('anna', 'get', `/v1/tickets?sla=paused&q=${reference}`).expect(200)).body.items).toHaveLength(1);

    await new Promise((r) => setTimeout(r, 1500));
    await customerWrites(reference);
    const resumed = await eventually(async () => {
      const c = await clock(reference, 'resolution');
      return c.status === 'running' ? c : null;
    });
    // The due time moved by exactly the time the clock stood still, and that time is not counted as used.
    const stood = resumed.running_since.getTime() - (before.started_at.getTime() + Number(paused.consumed_ms));
    expect(resumed.due_at.getTime() - before.due_at.getTime()).toBe(stood);
    expect(stood).toBeGreaterThanOrEqual(1500);
    expect((await ticket(reference)).status).toBe('queued');
    expect((await history(reference, 'resolution')).map((e) => e.kind)).toEqual(['started', 'paused', 'resumed']);
    expect(Number(resumed.version)).toBe(Number(before.version) + 2);
  });

  it('meets the first response with the first staff reply, restarts next response on the customer message, meets resolution on resolve', async () => {
    await call('admin', 'post', '/v1/admin/sla-policies', {
      name: 'VID e-pasts ar nākamo atbildi',
      channel: 'email',
      institution: 'VID',
      firstResponse: { value: 3600, unit: 'calendar_seconds' },
      nextResponse: { value: 1800, unit: 'calendar_seconds' },
      resolution: { value: 7200, unit: 'calendar_seconds' },
      remindOutsideHours: true,
    }).expect(201);
    const reference = await env.submitTicket(app, { institution: 'VID' });
    await env.sql(`UPDATE tickets SET channel = 'email' WHERE reference = $1`, [reference]);
    await call('anna', 'patch', `/v1/tickets/${reference}`, { priority: 'high' }).expect(200); // a change: the e-mail policy applies
    expect((await ticket(reference)).sla_policy_id).not.toBeNull();

    await call('anna', 'post', `/v1/tickets/${reference}/replies`, { text: 'Labdien! Lūdzu, atsūtiet iesnieguma kopiju.' }).expect(202);
    expect(await clock(reference, 'first_response')).toMatchObject({ status: 'met' });
    await customerWrites(reference);
    const next = await eventually(() => clock(reference, 'next_response'));
    expect(next).toMatchObject({ status: 'running', cycle: 1, measure: 'calendar', budget_ms: '1800000' });
    await call('anna', 'post', `/v1/tickets/${reference}/replies`, { text: 'Paldies, saņemts.', force: true }).expect(202);
    expect(await clock(reference, 'next_response')).toMatchObject({ status: 'met' });
    await customerWrites(reference);
    expect(
      await eventually(async () => ((await clock(reference, 'next_response')).cycle === 2 ? clock(reference, 'next_response') : null)),
    ).toMatchObject({
      status: 'running',
    });

    await call('anna', 'patch', `/v1/tickets/${reference}`, { status: 'resolved' }).expect(200);
    expect(await clock(reference, 'resolution')).toMatchObject({ status: 'met' });
    expect(await clock(reference, 'next_response')).toMatchObject({ status: 'stopped' });
    const t = await ticket(reference);
    expect(t).toMatchObject({ sla_state: 'met', sla_due_at: null });
    expect(
      (await call('anna', 'get', `/v1/tickets/${reference}/sla`).expect(200)).body.clocks.map((c: any) => [c.metric, c.status]),
    ).toEqual([
      ['first_response', 'met'],
      ['next_response', 'stopped'],
      ['resolution', 'met'],
    ]);
  });

  it('chooses the policy again when the ticket moves to level 2, keeping the clock history', async () => {
    const l2 = await call('admin', 'post', '/v1/admin/sla-policies', {
      name: 'VSAA 2. līmenis',
      channel: 'webform',
      level: 2,
      firstResponse: { value: 15, unit: 'working_days' },
      resolution: { value: 20, unit: 'working_days' },
    }).expect(201);
    const reference = await env.submitTicket(app, { institution: 'VSAA' });
    const t = await ticket(reference);
    const before = await clock(reference, 'resolution');
    await call('anna', 'post', `/v1/tickets/${reference}/escalations`, {
      toLevel: 2,
      institution: 'VSAA',
      reason: 'vajag ierakstus',
      summary: 'Pārbaudīt stāžu',
    }).expect(201);
    const after = await ticket(reference);
    expect(after.sla_policy_id).toBe(l2.body.id);
    const calendar = new BusinessCalendar({ hours: VPPPD_HOURS, adjustments: LATVIA_KNOWN_ADJUSTMENTS });
    // The clock keeps its start (the day of receipt): the new target counts from there.
    expect(after.resolution_due_at.toISOString()).toBe(
      calendar.closingTime(calendar.addWorkingDays(rigaDate(t.created_at), 20)).toISOString(),
    );
    const events = await history(reference, 'resolution');
    expect(events.map((e) => [e.kind, e.policy])).toEqual([
      ['started', 'Iesniegums (Latvija.lv forma)'],
      ['policy_changed', 'VSAA 2. līmenis'],
    ]);
    expect(events[1].detail).toMatchObject({ from: before.policy_id, to: l2.body.id });
    const view = (await call('anna', 'get', `/v1/tickets/${reference}/sla`).expect(200)).body;
    expect(view.history.filter((h: any) => h.metric === 'resolution').map((h: any) => h.kind)).toEqual(['started', 'policy_changed']);
  });

  it("starts a handed-over chat's clocks at the hand-over: the time with the assistant is nobody's wait", async () => {
    const session = randomUUID();
    const chat = (key: string, extra: Partial<InboundMessage>) =>
      app.get(InboundService).accept(
        {
          channel: 'chat',
          externalId: `${session}:${key}`,
          from: { address: `chat:${session}`, identifiers: [{ kind: 'chat_session', value: session, provenance: 'channel' }] },
          kind: 'consultation',
          language: 'lv',
          text: 'Labdien',
          ...extra,
        },
        { reserveReference: key === 'hello' },
      );
    const { reference } = await chat('hello', { atLevelZero: true });
    await eventually(async () => (await ticket(reference!))?.status === 'bot');
    expect(await clock(reference!, 'first_response')).toBeUndefined();
    // A couple of seconds with the assistant (the SLA sweep, every second here, leaves the conversation alone),
    // then the visitor asks for a person.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await clock(reference!, 'first_response')).toBeUndefined();
    const askedAt = Date.now();
    await chat('person', {
      text: 'Gribu runāt ar operatoru',
      threadHints: { externalIds: [`${session}:hello`] },
      handOver: { summary: 'Apmeklētājs lūdz operatoru', comment: 'asked for a person' },
    });
    await eventually(async () => (await ticket(reference!))?.level === 1);
    const first = await eventually(() => clock(reference!, 'first_response'));
    const t = await ticket(reference!);
    expect(new Date(first.started_at).getTime()).toBeGreaterThanOrEqual(askedAt - 1000);
    expect(new Date(first.started_at).getTime()).toBeGreaterThan(new Date(t.created_at).getTime() + 1500);
    expect(Number(first.consumed_ms)).toBeLessThan(1500);
  });

  it('applies the one-month extension with a reason, once', async () => {
    const reference = await env.submitTicket(app, { institution: 'VSAA' });
    const t = await ticket(reference);
    await call('anna', 'post', `/v1/tickets/${reference}/sla/extension`, { reason: 'Jāprasa informācija VID' }).expect(200);
    const after = await ticket(reference);
    expect(after.resolution_due_at.getTime()).toBeGreaterThan(t.resolution_due_at.getTime());
    await call('anna', 'post', `/v1/tickets/${reference}/sla/extension`, { reason: 'vēlreiz' }).expect(409);
    const [audit] = await env.sql(`SELECT detail FROM audit_events WHERE action = 'sla.extended' AND subject_id = $1`, [t.id]);
    expect(audit.detail).toMatchObject({ reason: 'Jāprasa informācija VID' });
  });

  it('keeps reminders for business hours unless the policy allows any hour', async () => {
    await call('admin', 'post', '/v1/admin/sla-policies', {
      name: 'NVA ātri, tikai darba laikā',
      channel: 'webform',
      institution: 'NVA',
      firstResponse: { value: 2, unit: 'calendar_seconds' },
      remindOutsideHours: false,
    }).expect(201);
    const reference = await env.submitTicket(app, { institution: 'NVA' });
    const c = await clock(reference, 'first_response');
    const calendar = new BusinessCalendar({ hours: VPPPD_HOURS, adjustments: LATVIA_KNOWN_ADJUSTMENTS });
    // The breach happens at the due time (the inbox shows it then); the notice waits for the next opening.
    expect(c.breach_fire_at.toISOString()).toBe(calendar.nextOpening(c.due_at).toISOString());
    expect(c.warning_fire_at.toISOString()).toBe(calendar.nextOpening(c.warning_at).toISOString());
    await new Promise((r) => setTimeout(r, 2500));
    const item = (await call('anna', 'get', `/v1/tickets?q=${reference}`).expect(200)).body.items[0];
    expect(item.sla.state).toBe('breached');
    const events = await env.sql('SELECT e.kind, e.at FROM sla_events e JOIN tickets t ON t.id = e.ticket_id WHERE t.reference = $1', [
      reference,
    ]);
    if (calendar.isOpen(new Date())) {
      expect(
        await eventually(
          async () =>
            (
              await env.sql('SELECT 1 FROM sla_events e JOIN tickets t ON t.id = e.ticket_id WHERE t.reference = $1 AND e.kind = $2', [
                reference,
                'breached',
              ])
            ).length === 1,
        ),
      ).toBe(true);
    } else {
      expect(events).toEqual([]); // outside business hours: nothing is pushed to anyone tonight
    }
  });

  it('starts the clocks of open tickets that have none (written before SLA existed)', async () => {
    const reference = await env.submitTicket(app, { institution: 'VSAA' });
    const t = await ticket(reference);
    await env.sql(`DELETE FROM sla_clock_events WHERE ticket_id = $1`, [t.id]);
    await env.sql(`DELETE FROM sla_clocks WHERE ticket_id = $1`, [t.id]);
    await env.sql(
      `UPDATE tickets SET sla_policy_id = NULL, sla_state = NULL, sla_due_at = NULL, first_response_due_at = NULL, resolution_due_at = NULL WHERE id = $1`,
      [t.id],
    );
    const adopted = await eventually(async () => {
      const row = await ticket(reference);
      return row.sla_state ? row : null;
    });
    expect(adopted.sla_state).toBe('ok');
    expect(adopted.resolution_due_at.toISOString()).toBe(t.resolution_due_at.toISOString()); // from the ticket's creation, as before
    expect((await history(reference, 'resolution')).map((e) => e.kind)).toEqual(['started']);
  });

  it('lists by SLA due time with keyset pagination, and filters by state', async () => {
    const all: any[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await call('anna', 'get', `/v1/tickets?sort=sla_due&limit=2${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      all.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    const [{ n }] = await env.sql('SELECT count(*)::int AS n FROM tickets');
    expect(all).toHaveLength(n);
    expect(new Set(all.map((i) => i.id)).size).toBe(n);
    const dues = all.map((i) => i.sla.dueAt).filter(Boolean);
    expect(dues).toEqual([...dues].sort());
    expect(all.findIndex((i) => !i.sla.dueAt)).toBe(dues.length); // the ones without a running clock come last
    // Each state filter finds exactly the tickets listed with that state (ok and warning also seek past the due ones).
    for (const state of ['ok', 'warning', 'breached', 'paused', 'met']) {
      const res: any = await call('anna', 'get', `/v1/tickets?sort=sla_due&sla=${state}&limit=200`).expect(200);
      expect(res.body.items.map((i: any) => i.id).sort()).toEqual(
        all
          .filter((i) => i.sla.state === state)
          .map((i) => i.id)
          .sort(),
      );
    }
    await call('anna', 'get', '/v1/tickets?sla=late').expect(422);
  });
});

describe('SLA timers: a breach fires once, also after Redis lost its data', () => {
  let redis: PrivateRedis;
  let env: TestEnv;
  let app: INestApplication;
  let admin: string;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    env = new TestEnv({ redisUrl: redis.url });
    app = await env.startApi({ APP_ROLE: 'all', SLA_SWEEP_INTERVAL_MS: '1000', INBOUND_SWEEP_INTERVAL_MS: '1000' });
    admin = await login(app);
    await request(app.getHttpServer())
      .post('/v1/admin/sla-policies')
      .set('Authorization', `Bearer ${admin}`)
      .send({
        name: 'VID ātri',
        channel: 'webform',
        institution: 'VID',
        firstResponse: { value: 4, unit: 'calendar_seconds' },
        warningPercent: 50,
        remindOutsideHours: true,
        breachActions: [
          { type: 'raise_priority', to: 'urgent' },
          { type: 'reroute', queue: 'GENERAL' },
        ],
      })
      .expect(201);
  });
  afterAll(async () => {
    await env.teardown();
    await redis.kill();
  });

  const events = (ticketId: string) =>
    env.sql('SELECT kind, metric, cycle, at, fired_at, actions FROM sla_events WHERE ticket_id = $1 ORDER BY id', [ticketId]);

  it('warns, then breaches at the due time, applies the breach actions, and records each once', async () => {
    // A supervisor watching live hears of both as they are recorded.
    await app
      .get(AgentsService)
      .upsert({ email: 'boss@sla.test', displayName: 'boss', password: 'a long enough passphrase', roles: ['supervisor'] });
    const watcher = await AgentSocket.connect(app, await login(app, 'boss@sla.test', 'a long enough passphrase'), { heartbeatMs: 500 });
    const reference = await env.submitTicket(app, { institution: 'VID' });
    const [t] = await env.sql('SELECT * FROM tickets WHERE reference = $1', [reference]);
    expect(t.sla_state).toBe('ok');
    const recorded = await eventually(async () => {
      const e = await events(t.id);
      return e.length === 2 ? e : null;
    });
    expect(recorded.map((e) => e.kind)).toEqual(['warning', 'breached']);
    await eventually(async () => watcher.events.filter((e) => e.event === 'sla' && e.payload.reference === reference).length === 2);
    expect(
      watcher.events.filter((e) => e.event === 'sla' && e.payload.reference === reference).map((e) => [e.payload.metric, e.payload.kind]),
    ).toEqual([
      ['first_response', 'warning'],
      ['first_response', 'breached'],
    ]);
    watcher.close();
    expect(recorded[1].at.toISOString()).toBe(t.first_response_due_at.toISOString());
    // Fired close to the due time (the timer is a BullMQ delayed job, not a poll).
    expect(recorded[1].fired_at.getTime() - recorded[1].at.getTime()).toBeLessThan(1500);
    expect(recorded[1].actions.map((a: any) => [a.type, a.applied])).toEqual([
      ['raise_priority', true],
      ['reroute', true],
    ]);
    const [after] = await env.sql(
      `SELECT t.priority, t.sla_state, t.sla_breached_at, q.code FROM tickets t JOIN queues q ON q.id = t.queue_id WHERE t.id = $1`,
      [t.id],
    );
    expect(after).toMatchObject({ priority: 'urgent', sla_state: 'breached', code: 'GENERAL' });
    const audit = await env.sql(`SELECT action FROM audit_events WHERE subject_id = $1 AND action LIKE 'sla.%' ORDER BY created_at`, [
      t.id,
    ]);
    expect(audit.map((a) => a.action)).toEqual(['sla.warning', 'sla.breached']);
    const res = await request(app.getHttpServer())
      .get(`/v1/tickets?sla=breached&q=${reference}`)
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    expect(res.body.items).toHaveLength(1);

    // The same timer again (a stalled job run twice, or the sweep's copy): nothing more is recorded.
    const [c] = await env.sql(`SELECT version FROM sla_clocks WHERE ticket_id = $1 AND metric = 'first_response'`, [t.id]);
    const queue = app.get<Queue>(getQueueToken(QueueName.Sla));
    for (const kind of ['breach', 'warning']) {
      const job = await queue.add(
        JobName.SlaTimer,
        { ticketId: t.id, metric: 'first_response', kind, version: c.version },
        { jobId: `again-${kind}-${randomUUID()}` },
      );
      await eventually(async () => (await job.getState()) === 'completed' || (await queue.getJob(job.id!)) === undefined);
    }
    await new Promise((r) => setTimeout(r, 1500)); // a sweep or two
    expect(await events(t.id)).toHaveLength(2);
  });

  it("escalates to the institution's level 2 on a breach, and the level-2 policy then applies", async () => {
    const policies = (await request(app.getHttpServer()).get('/v1/admin/sla-policies').set('Authorization', `Bearer ${admin}`).expect(200))
      .body.items;
    const fast = policies.find((p: any) => p.name === 'VID ātri');
    await request(app.getHttpServer())
      .patch(`/v1/admin/sla-policies/${fast.id}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ breachActions: [{ type: 'escalate', level: 2 }] })
      .expect(200);
    const l2 = await request(app.getHttpServer())
      .post('/v1/admin/sla-policies')
      .set('Authorization', `Bearer ${admin}`)
      .send({ name: 'VID 2. līmenis', channel: 'webform', institution: 'VID', level: 2, firstResponse: { value: 5, unit: 'working_days' } })
      .expect(201);
    const reference = await env.submitTicket(app, { institution: 'VID' });
    const [t] = await env.sql('SELECT id FROM tickets WHERE reference = $1', [reference]);
    await eventually(async () => (await events(t.id)).some((e) => e.kind === 'breached'));
    const [after] = await env.sql(
      `SELECT t.level, q.code, t.sla_policy_id, t.first_response_due_at FROM tickets t JOIN queues q ON q.id = t.queue_id WHERE t.id = $1`,
      [t.id],
    );
    expect(after).toMatchObject({ level: 2, code: 'VID-L2', sla_policy_id: l2.body.id });
    const [move] = await env.sql(
      `SELECT reason, comment, to_level, actor_agent_id FROM escalations WHERE ticket_id = $1 ORDER BY created_at DESC LIMIT 1`,
      [t.id],
    );
    expect(move).toEqual({ reason: 'escalated', comment: 'SLA first_response target passed', to_level: 2, actor_agent_id: null });
    // The breach stays on record; the clock runs on under the level-2 target, and its new timers exist.
    const [c] = await env.sql(`SELECT status, breached_at, version FROM sla_clocks WHERE ticket_id = $1 AND metric = 'first_response'`, [
      t.id,
    ]);
    expect(c.status).toBe('running');
    expect(c.breached_at).not.toBeNull();
    await request(app.getHttpServer())
      .patch(`/v1/admin/sla-policies/${fast.id}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ breachActions: [] })
      .expect(200);
  });

  it('lists warnings and breaches for supervisors in the order recorded, to catch up from the last one seen', async () => {
    const all = (await request(app.getHttpServer()).get('/v1/sla/events').set('Authorization', `Bearer ${admin}`).expect(200)).body;
    const [{ n }] = await env.sql('SELECT count(*)::int AS n FROM sla_events');
    expect(all.items).toHaveLength(n);
    expect(all.items.map((e: any) => Number(e.id))).toEqual([...all.items.map((e: any) => Number(e.id))].sort((a, b) => a - b));
    expect(all.items[0]).toMatchObject({ policy: 'VID ātri', metric: 'first_response', kind: 'warning' });
    const page = (
      await request(app.getHttpServer()).get('/v1/sla/events?kind=breached&limit=1').set('Authorization', `Bearer ${admin}`).expect(200)
    ).body;
    expect(page.items).toHaveLength(1);
    const rest = (
      await request(app.getHttpServer())
        .get(`/v1/sla/events?kind=breached&after=${page.nextCursor}`)
        .set('Authorization', `Bearer ${admin}`)
        .expect(200)
    ).body;
    expect([...page.items, ...rest.items].map((e: any) => e.kind)).toEqual(
      all.items.filter((e: any) => e.kind === 'breached').map((e: any) => e.kind),
    );
    await request(app.getHttpServer()).get('/v1/sla/events?after=x').set('Authorization', `Bearer ${admin}`).expect(422);

    // A feed opened fresh: the latest first, and the page before them by the cursor.
    const ids = all.items.map((e: any) => e.id);
    const latest = (
      await request(app.getHttpServer()).get('/v1/sla/events?order=newest&limit=1').set('Authorization', `Bearer ${admin}`).expect(200)
    ).body;
    expect(latest.items.map((e: any) => e.id)).toEqual([ids[ids.length - 1]]);
    const earlier = (
      await request(app.getHttpServer())
        .get(`/v1/sla/events?order=newest&before=${latest.nextCursor}`)
        .set('Authorization', `Bearer ${admin}`)
        .expect(200)
    ).body;
    expect(earlier.items.map((e: any) => e.id)).toEqual(ids.slice(0, -1).reverse());
    const bad = await request(app.getHttpServer()).get('/v1/sla/events?order=sideways').set('Authorization', `Bearer ${admin}`).expect(422);
    expect(bad.body.errors.map((e: any) => e.field)).toContain('order');
  });

  /** A VID web form whose first response falls due 8 s after it is made, with no breach actions. */
  const ticketDueInEightSeconds = async () => {
    await request(app.getHttpServer())
      .patch(`/v1/admin/sla-policies/${(await env.sql(`SELECT id FROM sla_policies WHERE name = 'VID ātri'`))[0].id}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ firstResponse: { value: 8, unit: 'calendar_seconds' }, breachActions: [] })
      .expect(200);
    const reference = await env.submitTicket(app, { institution: 'VID' });
    return (await env.sql('SELECT * FROM tickets WHERE reference = $1', [reference]))[0];
  };

  it('repairs a breach timer lost with Redis (restarted empty) and still records it once', async () => {
    const t = await ticketDueInEightSeconds();
    const queue = app.get<Queue>(getQueueToken(QueueName.Sla));
    const [c] = await env.sql(`SELECT version FROM sla_clocks WHERE ticket_id = $1 AND metric = 'first_response'`, [t.id]);
    // Added once it is due within two sweep intervals (the test that follows shows that path).
    await eventually(async () => Boolean(await queue.getJob(`${t.id}.first_response.breach.${c.version}`)), { timeoutMs: 10000 });

    await redis.kill();
    await redis.start(); // empty: the delayed job is gone
    const breached = await eventually(
      async () => {
        const e = (await events(t.id)).filter((x) => x.kind === 'breached');
        return e.length === 1 ? e : null;
      },
      { timeoutMs: 30000 },
    );
    expect(breached[0].at.toISOString()).toBe(t.first_response_due_at.toISOString());
    await new Promise((r) => setTimeout(r, 2500)); // more sweeps: still once
    expect((await events(t.id)).filter((x) => x.kind === 'breached')).toHaveLength(1);
  });

  it('leaves a timer due beyond two sweep intervals in PostgreSQL; the sweep adds it in time and it fires at its due time', async () => {
    const t = await ticketDueInEightSeconds();
    const [c] = await env.sql(`SELECT version, breach_fire_at FROM sla_clocks WHERE ticket_id = $1 AND metric = 'first_response'`, [t.id]);
    const queue = app.get<Queue>(getQueueToken(QueueName.Sla));
    const breachJob = `${t.id}.first_response.breach.${c.version}`;
    // Due in 8 s, sweeps every second add what is due within 2 s: not in Redis yet.
    expect(c.breach_fire_at.getTime() - Date.now()).toBeGreaterThan(4000);
    expect(await queue.getJob(breachJob)).toBeUndefined();

    const added = await eventually(async () => ((await queue.getJob(breachJob)) ? Date.now() : null), { timeoutMs: 10000 });
    expect(c.breach_fire_at.getTime() - added).toBeGreaterThan(0);
    const breached = await eventually(async () => {
      const e = (await events(t.id)).filter((x) => x.kind === 'breached');
      return e.length === 1 ? e : null;
    });
    expect(breached[0].at.toISOString()).toBe(t.first_response_due_at.toISOString());
    expect(breached[0].fired_at.getTime() - breached[0].at.getTime()).toBeLessThan(1500);
  });
});

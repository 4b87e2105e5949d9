import { INestApplication } from '@nestjs/common';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { RealtimePublisher } from '../src/realtime/realtime.publisher';
import { RoutingSignals } from '../src/routing/routing-signals';
import { SlaTimersService } from '../src/sla/sla-timers.service';
import { TicketsRepository } from '../src/tickets/repositories/tickets.repository';
import { TicketChanges } from '../src/tickets/ticket-changes.service';
import { TicketEffectsPublisher } from '../src/tickets/ticket-effects.publisher';
import { TicketIngestService } from '../src/tickets/ticket-ingest.service';
import { WebhooksService } from '../src/webhooks/webhooks.service';
import { AgentSocket } from './support/agent-socket';
import { freePort } from './support/private-services';
import { eventually, login, TestEnv } from './support/test-env';

const PASSWORD = 'a long enough passphrase';

/**
 * One writer for ticket changes: whoever changes a ticket — a person, the SLA clock, the router, presence — the
 * change writes its history, audit event and webhook delivery the same way, and its effects leave after commit.
 */
describe('ticket changes: one writer, effects after commit', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let receiver: Server;
  let port: number;
  const received: Array<{ path: string; event: string; body: any }> = [];
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  const http = () => request(app.getHttpServer());
  const as = (who: string) => ({
    post: (url: string, body: object) => http().post(url).set('Authorization', `Bearer ${tokens[who]}`).send(body),
    patch: (url: string, body: object) => http().patch(url).set('Authorization', `Bearer ${tokens[who]}`).send(body),
  });
  const ticket = async (reference: string) =>
    (
      await env.sql('SELECT t.*, q.code AS queue FROM tickets t LEFT JOIN queues q ON q.id = t.queue_id WHERE t.reference = $1', [
        reference,
      ])
    )[0];

  async function person(
    name: string,
    roles: Array<'operator' | 'specialist' | 'expert' | 'supervisor' | 'admin'>,
    institutionCodes: string[] = [],
  ) {
    ids[name] = await app
      .get(AgentsService)
      .upsert({ email: `${name}@changes.test`, displayName: name, password: PASSWORD, roles, institutionCodes });
    tokens[name] = await login(app, `${name}@changes.test`, PASSWORD);
  }

  beforeAll(async () => {
    port = await freePort();
    receiver = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', event: String(req.headers['x-webhook-event']), body: JSON.parse(body) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(port, '127.0.0.1', r));
    // No routing sweep within the test's time: a ticket offered at once was offered by the change itself.
    app = await env.startApi({
      APP_ROLE: 'all',
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
      ROUTING_SWEEP_SECONDS: '600',
      SLA_SWEEP_INTERVAL_MS: '1000',
    });
    tokens.admin = await login(app);
    await person('operator', ['operator']);
    await person('vidSpecialist', ['specialist'], ['VID']);
    // Nobody is given work automatically except at VID's level 2, where the specialist works.
    await env.sql(`UPDATE queues SET strategy = 'manual'`);
    await as('admin').patch('/v1/admin/queues/VID-L2', { strategy: 'least_loaded' }).expect(200);
    await as('admin')
      .post('/v1/admin/webhooks', {
        institution: 'VID',
        url: `http://127.0.0.1:${port}/vid`,
        secret: 'vid-shared-webhook-secret-0123456789abcdef',
        events: ['ticket.escalated', 'ticket.handed_back', 'ticket.closed'],
      })
      .expect(201);
  });
  afterAll(async () => {
    await env.teardown();
    await new Promise((r) => receiver.close(r));
  });
  afterEach(() => jest.restoreAllMocks());

  /** What the change left behind, for comparison between a person's move and the clock's. */
  async function trail(reference: string) {
    const t = await ticket(reference);
    const moves = await env.sql(
      `SELECT reason, from_level, to_level, actor_agent_id FROM escalations WHERE ticket_id = $1 AND from_level > 0 ORDER BY created_at`,
      [t.id],
    );
    const audit = await env.sql(
      `SELECT action FROM audit_events WHERE subject_id = $1::text AND action LIKE 'ticket.%' ORDER BY created_at`,
      [t.id],
    );
    return { t, moves, audit: audit.map((a) => a.action) };
  }

  it('an SLA breach that escalates tells the institution and offers the ticket at once, as a manual move does', async () => {
    const specialist = await AgentSocket.connect(app, tokens.vidSpecialist, { heartbeatMs: 300 });
    try {
      // The person's move first: the ticket reaches VID's level 2, VID's system hears, the specialist gets it.
      const manual = await env.submitTicket(app, { institution: 'VID' });
      await as('operator').post(`/v1/tickets/${manual}/escalations`, { toLevel: 2, reason: 'VID dati' }).expect(201);
      await eventually(async () => (await ticket(manual)).assignee_id === ids.vidSpecialist, { timeoutMs: 15000 });
      await eventually(async () => received.some((r) => r.event === 'ticket.escalated' && r.body.reference === manual), {
        timeoutMs: 20000,
      });

      // The clock's move: a policy whose breach escalates to level 2.
      await as('admin')
        .post('/v1/admin/sla-policies', {
          name: 'VID tūlīt',
          channel: 'webform',
          institution: 'VID',
          level: 1,
          firstResponse: { value: 2, unit: 'calendar_seconds' },
          remindOutsideHours: true,
          breachActions: [{ type: 'escalate', level: 2 }],
        })
        .expect(201);
      const clocked = await env.submitTicket(app, { institution: 'VID' });
      await eventually(async () => (await ticket(clocked)).assignee_id === ids.vidSpecialist, { timeoutMs: 20000 });
      await eventually(async () => received.some((r) => r.event === 'ticket.escalated' && r.body.reference === clocked), {
        timeoutMs: 20000,
      });
      // The specialist heard of it as their assignment.
      await eventually(async () => specialist.events.some((e) => e.event === 'assignment' && e.payload.reference === clocked));

      const [a, b] = [await trail(manual), await trail(clocked)];
      for (const x of [a, b]) {
        expect(x.t).toMatchObject({ level: 2, queue: 'VID-L2', status: 'assigned' });
        expect(x.moves).toEqual([expect.objectContaining({ reason: 'escalated', from_level: 1, to_level: 2 })]);
        expect([...x.audit].sort()).toEqual(['ticket.auto_assigned', 'ticket.escalated']);
      }
      expect(a.moves[0].actor_agent_id).toBe(ids.operator);
      expect(b.moves[0].actor_agent_id).toBeNull();
      const payload = (reference: string) => received.find((r) => r.event === 'ticket.escalated' && r.body.reference === reference)!.body;
      expect(Object.keys(payload(clocked)).sort()).toEqual(Object.keys(payload(manual)).sort());
      expect(payload(clocked)).toMatchObject({ fromLevel: 1, toLevel: 2, queue: 'VID-L2' });
    } finally {
      specialist.close();
      // Later tests make VID tickets of their own: no clock moves them behind the test's back.
      const [p] = await env.sql(`SELECT id FROM sla_policies WHERE name = 'VID tūlīt'`);
      if (p)
        await as('admin')
          .patch(`/v1/admin/sla-policies/${p.id}`, { firstResponse: { value: 5, unit: 'working_days' }, breachActions: [] })
          .expect(200);
    }
  });

  /**
   * Every kind of change, made through the writer as its callers make it: each writes the audit event it names,
   * an escalation row exactly when it moves the ticket, the institution's webhook exactly for the events
   * institutions subscribe to, and publishes the ticket's new state after commit.
   */
  it('every kind of change writes history, audit and webhook the same way', async () => {
    // Nobody takes work automatically here: each step's trail is its own.
    await env.sql(`UPDATE queues SET strategy = 'manual'`);
    const changes = app.get(TicketChanges);
    const effects = app.get(TicketEffectsPublisher);
    const tickets = app.get(TicketsRepository);
    const published = jest.spyOn(app.get(RealtimePublisher), 'ticketsChanged');
    const actor = { agentId: ids.operator };
    const queue = async (code: string) => (await env.sql('SELECT id, code, level, institution_id FROM queues WHERE code = $1', [code]))[0];
    const [vidL1, vidL2, general] = [await queue('VID'), await queue('VID-L2'), await queue('GENERAL')];
    const to = (q: any) => ({ level: q.level, queueId: q.id, queueCode: q.code, institutionId: q.institution_id ?? null });

    type Kind = {
      name: string;
      audit: string;
      moves: boolean;
      webhook: string | null;
      setup?: () => Promise<unknown>;
      run: (m: any, fx: any, t: any) => Promise<unknown>;
    };
    const kinds: Kind[] = [
      {
        name: 'escalate',
        audit: 'ticket.escalated',
        moves: true,
        webhook: 'ticket.escalated',
        run: (m, fx, t) => changes.move(m, fx, t, to(vidL2), { actor, requeue: true }),
      },
      {
        name: 'hand back',
        audit: 'ticket.handed_back',
        moves: true,
        webhook: 'ticket.handed_back',
        run: (m, fx, t) => changes.move(m, fx, t, to(vidL1), { actor, summary: 'Atbilde', requeue: true }),
      },
      {
        name: 'reroute (the clock)',
        audit: 'ticket.transferred',
        moves: true,
        webhook: null,
        run: (m, fx, t) =>
          changes.move(
            m,
            fx,
            t,
            { ...to(general), institutionId: t.institution_id },
            { actor: { agentId: null, cause: 'sla:resolution' }, requeue: false },
          ),
      },
      {
        name: 'assign',
        audit: 'ticket.assigned',
        moves: false,
        webhook: null,
        run: (m, fx, t) => changes.assign(m, fx, t, ids.vidSpecialist, actor),
      },
      {
        name: 'claim',
        audit: 'ticket.claimed',
        moves: false,
        webhook: null,
        run: (m, fx, t) => changes.assign(m, fx, t, ids.operator, actor),
      },
      {
        name: 'auto-assign',
        audit: 'ticket.auto_assigned',
        moves: false,
        webhook: null,
        run: (m, fx, t) =>
          changes.autoAssign(m, fx, [{ ticketId: t.id, reference: t.reference, agentId: ids.operator, strategy: 'least_loaded' }]),
      },
      {
        name: 'priority',
        audit: 'ticket.updated',
        moves: false,
        webhook: null,
        run: (m, fx, t) => changes.update(m, fx, t, { priority: 'high' }, actor),
      },
      {
        name: 'kind',
        audit: 'ticket.updated',
        moves: false,
        webhook: null,
        run: (m, fx, t) => changes.update(m, fx, t, { kind: 'complaint' }, actor),
      },
      {
        name: 'topic',
        audit: 'ticket.updated',
        moves: false,
        webhook: null,
        run: (m, fx, t) => changes.update(m, fx, t, { topic: 'nodokļi' }, actor),
      },
      {
        name: 'status',
        audit: 'ticket.updated',
        moves: false,
        webhook: null,
        run: (m, fx, t) => changes.update(m, fx, t, { status: 'pending_customer' }, actor),
      },
      {
        name: 'close',
        audit: 'ticket.updated',
        moves: false,
        webhook: 'ticket.closed',
        run: (m, fx, t) => changes.update(m, fx, t, { status: 'closed' }, actor),
      },
      {
        name: 'reopen',
        audit: 'ticket.updated',
        moves: false,
        webhook: null,
        run: (m, fx, t) => changes.update(m, fx, t, { status: 'queued' }, actor),
      },
      {
        name: 'link customer',
        audit: 'ticket.customer_linked',
        moves: false,
        webhook: null,
        run: (m, fx, t) => changes.linkCustomer(m, fx, t, t.customer_id, actor),
      },
      {
        name: 'return to queue (presence)',
        audit: 'ticket.returned_to_queue',
        moves: false,
        webhook: null,
        // Unanswered work of an agent gone offline returns only from a queue that assigns automatically.
        setup: async () => {
          await effects.transaction(async (m, fx) => changes.assign(m, fx, (await tickets.lock(m, [id]))[0], ids.operator, actor));
          await env.sql(`UPDATE queues SET strategy = 'least_loaded' WHERE id = (SELECT queue_id FROM tickets WHERE id = $1)`, [id]);
        },
        run: (m, fx) => changes.returnToQueue(m, fx, [ids.operator], 'timeout'),
      },
    ];

    const reference = await env.submitTicket(app, { institution: 'VID' });
    const id = (await ticket(reference)).id;
    const count = async (sql: string) => (await env.sql(sql, [id]))[0].n as number;
    for (const kind of kinds) {
      await kind.setup?.();
      const before = {
        moves: await count('SELECT count(*)::int AS n FROM escalations WHERE ticket_id = $1'),
        audit: await count(`SELECT count(*)::int AS n FROM audit_events WHERE subject_id = $1::text AND action = '${kind.audit}'`),
        hooks: await env.sql(
          `SELECT d.event FROM webhook_deliveries d WHERE d.payload->>'reference' = (SELECT reference FROM tickets WHERE id = $1) ORDER BY d.created_at, d.id`,
          [id],
        ),
      };
      published.mockClear();
      await effects.transaction(async (m, fx) => kind.run(m, fx, (await tickets.lock(m, [id]))[0]));
      const after = {
        moves: await count('SELECT count(*)::int AS n FROM escalations WHERE ticket_id = $1'),
        audit: await count(`SELECT count(*)::int AS n FROM audit_events WHERE subject_id = $1::text AND action = '${kind.audit}'`),
        hooks: await env.sql(
          `SELECT d.event FROM webhook_deliveries d WHERE d.payload->>'reference' = (SELECT reference FROM tickets WHERE id = $1) ORDER BY d.created_at, d.id`,
          [id],
        ),
      };
      expect({ kind: kind.name, audit: after.audit - before.audit }).toEqual({ kind: kind.name, audit: 1 });
      expect({ kind: kind.name, moves: after.moves - before.moves }).toEqual({ kind: kind.name, moves: kind.moves ? 1 : 0 });
      expect({ kind: kind.name, hooks: after.hooks.slice(before.hooks.length).map((h) => h.event) }).toEqual({
        kind: kind.name,
        hooks: kind.webhook ? [kind.webhook] : [],
      });
      expect({ kind: kind.name, published: published.mock.calls.some(([ticketIds]) => ticketIds.includes(id)) }).toEqual({
        kind: kind.name,
        published: true,
      });
    }
    expect(await ticket((await env.sql('SELECT reference FROM tickets WHERE id = $1', [id]))[0].reference)).toMatchObject({
      status: 'queued',
      assignee_id: null,
    });
    await env.sql(`UPDATE queues SET strategy = 'manual'`);

    // Merging: the source closes (its institution hears), both are published, the target notes where it came from.
    const [source, target] = [await env.submitTicket(app, { institution: 'VID' }), await env.submitTicket(app, { institution: 'VID' })];
    await env.sql(`UPDATE tickets SET customer_id = (SELECT customer_id FROM tickets WHERE reference = $1) WHERE reference = $2`, [
      target,
      source,
    ]);
    published.mockClear();
    await as('operator').post(`/v1/tickets/${source}/merge`, { into: target }).expect(200);
    const [s, t] = [await ticket(source), await ticket(target)];
    expect(s).toMatchObject({ status: 'closed', merged_into_id: t.id });
    expect((await env.sql(`SELECT action FROM audit_events WHERE subject_id = $1::text AND action = 'ticket.merged'`, [s.id])).length).toBe(
      1,
    );
    expect((await env.sql(`SELECT event FROM webhook_deliveries WHERE payload->>'reference' = $1`, [source])).map((d) => d.event)).toEqual([
      'ticket.closed',
    ]);
    expect(published.mock.calls.flatMap(([ticketIds]) => ticketIds)).toEqual(expect.arrayContaining([s.id, t.id]));
  });

  it('a change whose transaction rolls back publishes nothing and schedules nothing; the same change committed does', async () => {
    const spies = {
      timers: jest.spyOn(app.get(SlaTimersService), 'schedule'),
      webhooks: jest.spyOn(app.get(WebhooksService), 'enqueue'),
      realtime: jest.spyOn(app.get(RealtimePublisher), 'ticketsChanged'),
      routing: jest.spyOn(app.get(RoutingSignals), 'offerWork'),
    };
    const reference = await env.submitTicket(app, { institution: 'VID' });
    const before = await ticket(reference);
    const [vidL2] = await env.sql(`SELECT id, code, level, institution_id FROM queues WHERE code = 'VID-L2'`);
    const changes = app.get(TicketChanges);
    const tickets = app.get(TicketsRepository);
    const escalate = (m: any, fx: any) =>
      tickets
        .lock(m, [before.id])
        .then(([t]) =>
          changes.move(
            m,
            fx,
            t,
            { level: 2, queueId: vidL2.id, queueCode: 'VID-L2', institutionId: vidL2.institution_id },
            { actor: { agentId: ids.operator }, requeue: true },
          ),
        );
    // Other work of the running app (sweeps, other tickets) may use the same services; only this ticket counts.
    const touched = () => ({
      timers: spies.timers.mock.calls.some(([batch]) => batch.tickets.has(before.id)),
      webhooks: spies.webhooks.mock.calls.some(([deliveries]) => deliveries.length > 0),
      realtime: spies.realtime.mock.calls.some(([ticketIds]) => ticketIds.includes(before.id)),
      routing: spies.routing.mock.calls.some(([reason]) => reason.includes('ticket-moved')),
    });
    for (const spy of Object.values(spies)) spy.mockClear();

    await expect(
      app.get(TicketEffectsPublisher).transaction(async (m, fx) => {
        await escalate(m, fx);
        expect(fx.empty).toBe(false); // the change did collect effects...
        throw new Error('the caller changed its mind');
      }),
    ).rejects.toThrow('the caller changed its mind');
    // ...and none of them left: no timers, no webhook job, no realtime event, no routing pass; nothing written.
    expect(touched()).toEqual({ timers: false, webhooks: false, realtime: false, routing: false });
    expect(await ticket(reference)).toMatchObject({ level: before.level, queue_id: before.queue_id, status: before.status });
    expect(await env.sql('SELECT 1 FROM escalations WHERE ticket_id = $1 AND from_level = 1', [before.id])).toEqual([]);
    expect(await env.sql(`SELECT 1 FROM audit_events WHERE subject_id = $1::text AND action = 'ticket.escalated'`, [before.id])).toEqual(
      [],
    );
    expect(await env.sql(`SELECT 1 FROM webhook_deliveries WHERE payload->>'reference' = $1`, [reference])).toEqual([]);

    // The control: committed, every effect goes out once.
    await app.get(TicketEffectsPublisher).transaction((m, fx) => escalate(m, fx));
    expect(touched()).toEqual({ timers: true, webhooks: true, realtime: true, routing: true });
  });

  it('an inbound batch locks the tickets it writes to before writing, in id order, so a change on them cannot deadlock with it', async () => {
    const references = [await env.submitTicket(app), await env.submitTicket(app)];
    const [low, high] = (await Promise.all(references.map(ticket))).sort((a, b) => (a.id < b.id ? -1 : 1));
    const tickets = app.get(TicketsRepository);
    // Both orders of the batch's messages: whichever ticket's row the batch would have touched first.
    for (const order of [
      [low, high],
      [high, low],
    ]) {
      const batch = await Promise.all(order.map((t) => env.customerReply(t.reference, { text: 'Papildinu savu iesniegumu.' })));
      let ingested: Promise<Array<{ outcome: string; ticketId: string | null }>> = Promise.resolve([]);
      // A change in progress (a reply, an SLA firing) holds the lower ticket, then takes the higher one, in id order.
      await app.get(TicketEffectsPublisher).transaction(async (m) => {
        await tickets.lock(m, [low.id]);
        const [{ pid }] = await m.query('SELECT pg_backend_pid() AS pid');
        ingested = app.get(TicketIngestService).ingest(batch);
        ingested.catch(() => undefined); // awaited below
        await eventually(
          async () => (await env.sql(`SELECT 1 FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, [pid])).length > 0,
        );
        // The batch waits for the lower ticket holding nothing of the higher one.
        await m.query(`SET LOCAL lock_timeout = '3s'`);
        await tickets.lock(m, [high.id]);
      });
      expect((await ingested).map((r) => [r.outcome, r.ticketId])).toEqual(order.map((t) => ['threaded', t.id]));
      const stored = await env.sql(`SELECT ticket_id FROM messages WHERE external_id = ANY($1::text[])`, [
        batch.map((e) => e.message.externalId),
      ]);
      expect(stored.map((r) => r.ticket_id).sort()).toEqual([low.id, high.id]);
    }
  });
});

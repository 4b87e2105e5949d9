import { INestApplication } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { simpleParser } from 'mailparser';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { AutoCloseService } from '../src/followups/auto-close.service';
import { InboundService } from '../src/inbound/inbound.service';
import { QueueName } from '../src/queues';
import { TicketIngestService } from '../src/tickets/ticket-ingest.service';
import { AgentSocket } from './support/agent-socket';
import { openAroundTheClock } from './support/calendar';
import { mailServers, uniqueMailbox, waitForMessages } from './support/mail-servers';
import { eventually, login, TestEnv } from './support/test-env';

describe('Follow-ups: snooze, reminders, auto-close on the Latvian calendar', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let token: string;
  let admin: string;
  let socket: AgentSocket;
  const http = () => request(app.getHttpServer());
  const as = (t: string) => ({ Authorization: `Bearer ${t}` });
  const ticket = async (reference: string) => (await env.sql('SELECT * FROM tickets WHERE reference = $1', [reference]))[0];
  const inbox = async (query = '') =>
    (await http().get(`/v1/tickets?limit=100${query}`).set(as(token)).expect(200)).body.items.map((t: any) => t.reference);
  const timeline = async (reference: string) =>
    (
      await env.sql(
        `SELECT m.text FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE t.reference = $1 AND m.internal ORDER BY m.created_at, m.id`,
        [reference],
      )
    ).map((r) => r.text);
  const audit = async (reference: string, action: string) =>
    env.sql(`SELECT detail FROM audit_events WHERE action = $1 AND detail->>'reference' = $2 ORDER BY created_at`, [action, reference]);

  const wokenEvents = (reference: string) => socket.events.filter((e) => e.event === 'ticket.woken' && e.payload.reference === reference);

  const reply = (reference: string, eventId?: string) => env.customerReply(reference, { eventId });

  /** The customer writes again on the ticket, through the pipeline an e-mail takes. */
  const customerWrites = async (reference: string) => {
    const t = await ticket(reference);
    const [id] = await env.sql(`SELECT value FROM customer_identifiers WHERE customer_id = $1 AND kind = 'email'`, [t.customer_id]);
    const before = (await env.sql(`SELECT count(*)::int AS n FROM messages WHERE ticket_id = $1 AND direction = 'inbound'`, [t.id]))[0].n;
    await app.get(InboundService).accept({
      channel: 'email',
      externalId: `<${randomUUID()}@example.lv>`,
      from: { address: id.value, identifiers: [{ kind: 'email', value: id.value, provenance: 'channel' }] },
      threadHints: { reference },
      subject: `Re: [${reference}]`,
      text: 'Te ir prasītā informācija.',
    });
    await eventually(
      async () =>
        (await env.sql(`SELECT count(*)::int AS n FROM messages WHERE ticket_id = $1 AND direction = 'inbound'`, [t.id]))[0].n > before,
    );
  };

  beforeAll(async () => {
    const servers = await mailServers();
    app = await env.startApi({
      APP_ROLE: 'all',
      FOLLOW_UP_SWEEP_INTERVAL_MS: '300',
      SMTP_HOST: servers.smtp.host,
      SMTP_PORT: String(servers.smtp.port),
      SMTP_TLS: 'false',
      MAIL_FROM: `VPPPD <${uniqueMailbox('centre')}>`,
    });
    await openAroundTheClock(env);
    await app
      .get(AgentsService)
      .upsert({ email: 'op@followups.test', displayName: 'Operatore', password: 'operator-password-1', roles: ['operator'] });
    token = await login(app, 'op@followups.test', 'operator-password-1');
    admin = await login(app);
    socket = await AgentSocket.connect(app, token);
  }, 180_000);
  afterAll(async () => {
    socket?.close();
    await env.teardown();
  });

  it('refuses a snooze without a time or untilReply, with a past or malformed time, field by field', async () => {
    const reference = await env.submitTicket(app);
    const refused = async (body: object, field: string, code?: string) => {
      const res = await http().post(`/v1/tickets/${reference}/snooze`).set(as(token)).send(body);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, ...(code ? { code } : {}) })]));
    };
    await refused({}, 'until', 'required');
    await refused({ untilReply: false, note: 'x' }, 'until', 'required');
    await refused({ until: new Date(Date.now() - 60_000).toISOString() }, 'until', 'past');
    await refused({ until: 'next tuesday' }, 'until');
    await refused({ untilReply: 'yes' }, 'untilReply');
    await http().post('/v1/tickets/VP-2000-999999/snooze').set(as(token)).send({ untilReply: true }).expect(404);
    expect((await ticket(reference)).snoozed_at).toBeNull();
  });

  it('a snoozed ticket leaves the inbox and comes back live when its time comes, with history and audit', async () => {
    const reference = await env.submitTicket(app);
    expect(await inbox()).toContain(reference);
    const until = new Date(Date.now() + 2500).toISOString();
    const res = await http().post(`/v1/tickets/${reference}/snooze`).set(as(token)).send({ until, note: 'Gaidām VID' }).expect(200);
    expect(res.body.snooze).toMatchObject({ untilReply: false, note: 'Gaidām VID' });

    expect(await inbox()).not.toContain(reference);
    expect(await inbox('&snoozed=only')).toContain(reference);
    expect(await inbox('&snoozed=include')).toContain(reference);
    const shown = (await http().get(`/v1/tickets/${reference}`).set(as(token)).expect(200)).body;
    expect(shown.snooze ?? shown.ticket?.snooze).toMatchObject({ note: 'Gaidām VID', untilReply: false });

    const eventsBefore = socket.about(reference).length;
    await eventually(async () => (await inbox()).includes(reference), { timeoutMs: 15000 });
    expect(Date.now()).toBeGreaterThanOrEqual(new Date(until).getTime());
    expect(await inbox('&snoozed=only')).not.toContain(reference);
    // It reappears live: the socket names the ticket again after it woke.
    await eventually(async () => socket.about(reference).length > eventsBefore);
    expect(await timeline(reference)).toEqual([
      expect.stringMatching(/^Snoozed until .*: Gaidām VID$/),
      'Awake again: the snooze time came',
    ]);
    expect(await audit(reference, 'ticket.woken')).toEqual([{ detail: expect.objectContaining({ why: 'time', untilReply: false }) }]);
  });

  it("a ticket snoozed until the customer's reply wakes when they write, not before; a person may wake one by hand", async () => {
    const reference = await env.submitTicket(app);
    await http().post(`/v1/tickets/${reference}/snooze`).set(as(token)).send({ untilReply: true }).expect(200);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await inbox()).not.toContain(reference);

    await customerWrites(reference);
    expect(await inbox()).toContain(reference);
    expect((await ticket(reference)).snoozed_at).toBeNull();
    expect(await audit(reference, 'ticket.woken')).toEqual([{ detail: expect.objectContaining({ why: 'reply', untilReply: true }) }]);
    // The agent who snoozed it is told why it is back, as when the snooze time comes.
    await eventually(async () => wokenEvents(reference).length > 0);
    expect(wokenEvents(reference)).toEqual([{ event: 'ticket.woken', payload: { reference, why: 'reply', note: null } }]);

    await http()
      .post(`/v1/tickets/${reference}/snooze`)
      .set(as(token))
      .send({ until: new Date(Date.now() + 3_600_000).toISOString() })
      .expect(200);
    expect(await inbox()).not.toContain(reference);
    expect((await http().delete(`/v1/tickets/${reference}/snooze`).set(as(token)).expect(200)).body).toEqual({ reference, woken: true });
    expect((await http().delete(`/v1/tickets/${reference}/snooze`).set(as(token)).expect(200)).body).toEqual({ reference, woken: false });
    expect(await inbox()).toContain(reference);
    // Woken by the one who snoozed it: nobody needs telling.
    expect(wokenEvents(reference)).toHaveLength(1);
  });

  it('a batch of replies tells each snoozer once, after commit; a batch that rolls back tells nobody', async () => {
    const [first, second] = [await env.submitTicket(app), await env.submitTicket(app)];
    for (const reference of [first, second])
      await http().post(`/v1/tickets/${reference}/snooze`).set(as(token)).send({ untilReply: true, note: 'Gaidām izziņu' }).expect(200);
    const ingest = app.get(TicketIngestService);

    // Handed straight to the writer as one batch, as the inbound processor's batcher does. This one fails at its last
    // statement (an event id that is no uuid), after the wake: the rollback must take the announcement with it.
    await expect(ingest.ingest([await reply(first, 'not-a-uuid')])).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 1000));
    expect((await ticket(first)).snoozed_at).not.toBeNull();
    expect(wokenEvents(first)).toEqual([]);

    // Two replies on one ticket and one on the other in a single batch: one statement wakes both, each snoozer hears once.
    await ingest.ingest([await reply(first), await reply(first), await reply(second)]);
    for (const reference of [first, second]) await eventually(async () => wokenEvents(reference).length > 0);
    await new Promise((r) => setTimeout(r, 1000));
    for (const reference of [first, second]) {
      expect(wokenEvents(reference)).toEqual([{ event: 'ticket.woken', payload: { reference, why: 'reply', note: 'Gaidām izziņu' } }]);
      expect((await ticket(reference)).snoozed_at).toBeNull();
      expect(await audit(reference, 'ticket.woken')).toHaveLength(1);
    }
  });

  it("a reminder arrives on the agent's socket at its time and shows as due in their list", async () => {
    const reference = await env.submitTicket(app);
    await http()
      .post(`/v1/tickets/${reference}/reminders`)
      .set(as(token))
      .send({ at: new Date(Date.now() - 1000).toISOString(), note: 'x' })
      .expect(422);
    await http()
      .post(`/v1/tickets/${reference}/reminders`)
      .set(as(token))
      .send({ at: new Date(Date.now() + 60_000).toISOString() })
      .expect(422);
    const at = new Date(Date.now() + 1500).toISOString();
    const created = (
      await http().post(`/v1/tickets/${reference}/reminders`).set(as(token)).send({ at, note: 'Piezvanīt klientam' }).expect(201)
    ).body;
    expect(created).toMatchObject({ reference, note: 'Piezvanīt klientam', due: false });
    const upcoming = (await http().get('/v1/reminders').set(as(token)).expect(200)).body;
    expect(upcoming.items.find((r: any) => r.id === created.id)).toMatchObject({ due: false });

    const event = await eventually(async () => socket.events.find((e) => e.event === 'reminder.due' && e.payload.id === created.id), {
      timeoutMs: 15000,
    });
    expect(event.payload).toMatchObject({ reference, note: 'Piezvanīt klientam' });
    expect(Date.now()).toBeGreaterThanOrEqual(new Date(at).getTime());
    const listed = (await http().get('/v1/reminders').set(as(token)).expect(200)).body;
    expect(listed.items.find((r: any) => r.id === created.id)).toMatchObject({ due: true, reference });
    expect(listed.due).toBeGreaterThanOrEqual(1);
    // Announced once, whatever the sweeps after.
    await new Promise((r) => setTimeout(r, 1000));
    expect(socket.events.filter((e) => e.event === 'reminder.due' && e.payload.id === created.id)).toHaveLength(1);
    await http().delete(`/v1/reminders/${created.id}`).set(as(token)).expect(204);
    expect((await http().get('/v1/reminders').set(as(token)).expect(200)).body.items.find((r: any) => r.id === created.id)).toBeUndefined();
  });

  it('auto-close policies: a seeded default, read by supervisors, set by admins, checked field by field', async () => {
    const list = (await http().get('/v1/admin/auto-close-policies').set(as(admin)).expect(200)).body.items;
    expect(list).toEqual([expect.objectContaining({ institutionId: null, enabled: true, workingDays: 10 })]);
    await http().put('/v1/admin/auto-close-policies').set(as(token)).send({ enabled: true, workingDays: 2 }).expect(403);
    const bad = await http().put('/v1/admin/auto-close-policies').set(as(admin)).send({ enabled: true, workingDays: 0 });
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'workingDays' })]);
    await http().put('/v1/admin/auto-close-policies').set(as(admin)).send({ enabled: true, workingDays: 2 }).expect(200);
  });

  it('closes a ticket pending the customer after 2 working days over 18 November, not before, the citizen told first', async () => {
    const customer = uniqueMailbox('klients');
    const reference = await env.submitTicket(app, { applicant: { firstName: 'Ilze', lastName: 'Ozola', email: customer } });
    await http().patch(`/v1/tickets/${reference}`).set(as(token)).send({ status: 'pending_customer' }).expect(200);
    // Kept in whole milliseconds: read back into JavaScript it is still the key of its notice.
    const [since] = await env.sql(
      `SELECT pending_customer_since = date_trunc('milliseconds', pending_customer_since) AS whole FROM tickets WHERE reference = $1`,
      [reference],
    );
    expect(since.whole).toBe(true);
    // The wait began on Monday 16 November 2026 (Riga noon): Tue 17 counts, Wed 18 (Proclamation Day) does not, Thu 19 counts.
    await env.sql(`UPDATE tickets SET pending_customer_since = '2026-11-16T10:00:00Z' WHERE reference = $1`, [reference]);
    const autoClose = app.get(AutoCloseService);

    // Thursday 19 November, the last day: still open, nothing sent. (Without the holiday it would have been due.)
    expect(await autoClose.run(new Date('2026-11-19T20:00:00Z'))).toEqual({ noticed: 0, closed: 0, cancelled: 0 });
    expect((await ticket(reference)).status).toBe('pending_customer');

    // Friday 20 November: the notice first, then the close once it has gone.
    expect((await autoClose.run(new Date('2026-11-20T08:00:00Z'))).noticed).toBe(1);
    await eventually(async () => (await ticket(reference)).status === 'closed', { timeoutMs: 20000 });
    const [notice] = await env.sql(
      `SELECT m.created_at, m.sent_at, m.delivery_status, m.text, m.channel FROM messages m JOIN tickets t ON t.id = m.ticket_id
       WHERE t.reference = $1 AND m.meta->>'kind' = 'auto_close'`,
      [reference],
    );
    const closed = await ticket(reference);
    expect(notice).toMatchObject({ delivery_status: 'sent', channel: 'email' });
    expect(notice.text).toContain(`slēdzām jūsu pieprasījumu ${reference}`);
    expect(notice.sent_at.getTime()).toBeLessThanOrEqual(closed.closed_at.getTime());
    const trail = await env.sql(
      `SELECT action, detail FROM audit_events WHERE detail->>'reference' = $1 AND action IN ('ticket.auto_close_noticed', 'ticket.updated') ORDER BY created_at, id`,
      [reference],
    );
    expect(trail.map((a) => [a.action, a.detail.status ?? null, a.detail.cause ?? null])).toEqual([
      ['ticket.updated', 'pending_customer', null],
      ['ticket.auto_close_noticed', null, null],
      ['ticket.updated', 'closed', 'auto-close'],
    ]);
    // What the citizen received, read from their mailbox.
    const mails = await waitForMessages(customer, 1, { timeoutMs: 15000 });
    const subjects = await Promise.all(mails.map(async (m) => (await simpleParser(m.source)).subject));
    expect(subjects.some((s) => s?.includes(`Jūsu pieprasījums ${reference} ir slēgts`))).toBe(true);

    // Run again (a retried job, a second worker): nothing is sent twice.
    expect(await autoClose.run(new Date('2026-11-21T08:00:00Z'))).toEqual({ noticed: 0, closed: 0, cancelled: 0 });
    expect(
      (
        await env.sql(
          `SELECT count(*)::int AS n FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.meta->>'kind' = 'auto_close' AND t.reference = $1`,
          [reference],
        )
      )[0].n,
    ).toBe(1);
  });

  it('a crash between notice and close neither sends twice nor leaves the ticket open; a reply in between keeps it open', async () => {
    const waiting = await env.submitTicket(app);
    const replied = await env.submitTicket(app);
    for (const r of [waiting, replied]) {
      await http().patch(`/v1/tickets/${r}`).set(as(token)).send({ status: 'pending_customer' }).expect(200);
      await env.sql(`UPDATE tickets SET pending_customer_since = '2026-12-22T10:00:00Z', language = 'en' WHERE reference = $1`, [r]);
    }
    const autoClose = app.get(AutoCloseService);
    // The scheduled sweep stands still, as if the worker died after the notices went out.
    const followUps = app.get<Queue>(getQueueToken(QueueName.FollowUps));
    await followUps.pause();
    try {
      // Tue 22 December: Wed 23 counts, 24-26 are holidays, Mon 28 counts. Due from Tuesday 29 December.
      expect(await autoClose.sendNotices(new Date('2026-12-28T12:00:00Z'))).toBe(0);
      expect(await autoClose.sendNotices(new Date('2026-12-29T08:00:00Z'))).toBe(2);
      const notices = () =>
        env.sql(
          `SELECT t.reference, t.status, m.delivery_status, m.text, n.closed_at, n.cancelled_at FROM auto_close_notices n JOIN tickets t ON t.id = n.ticket_id
           JOIN messages m ON m.id = n.message_id WHERE t.reference = ANY($1) ORDER BY t.reference = $2 DESC`,
          [[waiting, replied], waiting],
        );
      await eventually(async () => (await notices()).every((n) => n.delivery_status === 'sent'));
      expect((await ticket(waiting)).status).toBe('pending_customer');
      await customerWrites(replied);

      // The next pass, however late: nothing sent again, the one still waiting closes, the one answered stays open.
      expect(await autoClose.run(new Date('2026-12-30T08:00:00Z'))).toEqual({ noticed: 0, closed: 1, cancelled: 1 });
      const [w, r] = await notices();
      expect(w).toMatchObject({ reference: waiting, status: 'closed', cancelled_at: null });
      expect(w.text).toContain(`We closed your case ${waiting}`);
      expect(r).toMatchObject({ reference: replied, status: 'queued', closed_at: null });
      expect(await autoClose.run(new Date('2026-12-31T08:00:00Z'))).toEqual({ noticed: 0, closed: 0, cancelled: 0 });
      const sent = await env.sql(
        `SELECT count(*)::int AS n FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.meta->>'kind' = 'auto_close' AND t.reference = ANY($1)`,
        [[waiting, replied]],
      );
      expect(sent[0].n).toBe(2);
    } finally {
      await followUps.resume();
    }
  });
});

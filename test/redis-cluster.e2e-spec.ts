import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { AgentSocket } from './support/agent-socket';
import { openAroundTheClock } from './support/calendar';
import { ChatVisitor } from './support/chat-visitor';
import { VALID_PERSONAL_CODE, webformSubmission } from './support/factories';
import { inParallel, TelegramCounter, untilAccepted } from './support/fault-clients';
import { appendMessage, MAIL_PASSWORD, mailServers, uniqueMailbox } from './support/mail-servers';
import { RedisCluster } from './support/redis-cluster';
import { Caller, TwilioPlayer, voiceConfig } from './support/twilio-player';
import { eventually, login, signedSubmission, TestEnv } from './support/test-env';

const TELEGRAM_SECRET = 'cluster-test-secret-token';
const BOT_TOKEN = '123456:cluster-test-bot';
const PASSWORD = 'a long enough passphrase';
/** REDIS_FAULTS_LONG=1 runs more traffic through the failover; the short variant always runs. */
const PER_PHASE = process.env.REDIS_FAULTS_LONG ? 300 : 40;

/**
 * The service on a real Redis Cluster of three primaries, each with a replica (started here, torn down after): two
 * API instances and a worker connected through REDIS_CLUSTER_NODES only. Every channel's smoke runs through it —
 * the queues (hash-tagged prefix), the chat's scripts and rate limits, presence, leases, and socket.io through the
 * sharded adapter (a visitor on one API instance, the operator on the other, the operator's reply sent by the
 * worker) — and each contact lands as exactly one ticket. Then the primary holding the queues is killed while web
 * forms come in and replies go out: what BullMQ lost in the failover comes back from PostgreSQL through the sweeps.
 */
describe('Redis Cluster: every channel end to end on three primaries', () => {
  let cluster: RedisCluster;
  let telegram: TelegramCounter;
  let env: TestEnv;
  let api: INestApplication;
  let otherApi: INestApplication;
  let adminToken: string;
  let operatorId: string;
  let operatorToken: string;
  let centreMailbox: string;
  const sockets: Array<{ close(): void }> = [];
  const http = (app = api) => request(app.getHttpServer());

  beforeAll(async () => {
    cluster = await RedisCluster.start(3, 1);
    telegram = await TelegramCounter.start();
    const mail = await mailServers();
    centreMailbox = uniqueMailbox('cluster-centre');
    // The first node only for the teardown's key cleanup; the service itself is given the cluster's nodes.
    env = new TestEnv({ redisUrl: `redis://127.0.0.1:${cluster.ports[0]}` });
    const overrides = {
      REDIS_URL: '',
      REDIS_CLUSTER_NODES: cluster.nodes,
      TELEGRAM_SECRET_TOKEN: TELEGRAM_SECRET,
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_API_BASE_URL: telegram.base,
      ...voiceConfig(),
      IMAP_HOST: mail.imap.host,
      IMAP_PORT: String(mail.imap.port),
      IMAP_TLS: 'false',
      IMAP_USER: centreMailbox,
      IMAP_PASSWORD: MAIL_PASSWORD,
      IMAP_POLL_INTERVAL_MS: '1000',
      SMTP_HOST: mail.smtp.host,
      SMTP_PORT: String(mail.smtp.port),
      SMTP_TLS: 'false',
      MAIL_FROM: `VPPPD <${centreMailbox}>`,
      INBOUND_SWEEP_INTERVAL_MS: '2000',
      OUTBOUND_SWEEP_INTERVAL_MS: '2000',
    };
    api = await env.startApi(overrides);
    otherApi = await env.startApi(overrides);
    await openAroundTheClock(env);
    await env.startWorker(overrides);
    adminToken = await login(api);
    operatorId = await api
      .get(AgentsService)
      .upsert({ email: 'anna@cluster.test', displayName: 'Anna', password: PASSWORD, roles: ['operator'], institutionCodes: [] });
    operatorToken = await login(api, 'anna@cluster.test', PASSWORD);
  }, 180000);
  afterAll(async () => {
    sockets.splice(0).forEach((s) => s.close());
    await env?.teardown();
    await telegram?.close();
    await cluster?.stop();
    // Two API processes and a worker close their Cluster clients after a primary was killed: more than jest's 60 s.
  }, 180000);

  const ticketOfEvent = (channel: string, externalId: string) =>
    eventually(
      async () => {
        const [row] = await env.sql(
          `SELECT t.* FROM inbound_events e JOIN tickets t ON t.id = e.ticket_id WHERE e.channel = $1 AND e.external_id = $2`,
          [channel, externalId],
        );
        return row ?? null;
      },
      { timeoutMs: 30000 },
    );

  it('takes a web form, a counter contact, an IVR call, a Telegram message, an e-mail and a chat, one ticket each', async () => {
    // Web form: the portal resends the same submission after a lost answer; it is one ticket.
    const form = webformSubmission();
    const accepted = await signedSubmission(api, form).expect(202);
    await signedSubmission(otherApi, form).expect((res) => expect([200, 202]).toContain(res.status));
    await eventually(async () => (await env.sql(`SELECT 1 FROM tickets WHERE reference = $1`, [accepted.body.reference])).length === 1);

    // Counter: logged by staff, retried with the same Idempotency-Key.
    const contact = {
      channel: 'counter',
      institution: 'VSAA',
      kind: 'application',
      subject: 'Iesniegums vecuma pensijai',
      text: 'Palīdzēju aizpildīt iesniegumu.',
      customer: { firstName: 'Jānis', lastName: 'Bērziņš', personalCode: VALID_PERSONAL_CODE },
      location: 'VPVKAC Rīga',
    };
    const logged = await http()
      .post('/v1/contacts')
      .set('Authorization', `Bearer ${operatorToken}`)
      .set('Idempotency-Key', 'cluster-counter-1')
      .send(contact)
      .expect(202);
    await http(otherApi)
      .post('/v1/contacts')
      .set('Authorization', `Bearer ${operatorToken}`)
      .set('Idempotency-Key', 'cluster-counter-1')
      .send(contact)
      .expect(202);
    expect(logged.body.reference).toMatch(/^VP-\d{4}-\d{6}$/);

    // IVR: language, institution, an answer, hang up.
    const caller = new Caller(new TwilioPlayer(api), '+37120000071');
    await caller.dial();
    await caller.press('1');
    await caller.press('2');
    await caller.press('2');
    expect((await caller.hangUp()).status).toBe(204);
    expect(await ticketOfEvent('voice', caller.callSid)).toMatchObject({ channel: 'voice', level: 0 });

    // Telegram: the platform delivers the same update twice (it retries until it hears 200).
    const update = {
      update_id: 920001,
      message: {
        message_id: 1,
        from: { id: 7_100_001, is_bot: false, first_name: 'Anna' },
        chat: { id: 7_100_001, type: 'private' },
        date: Math.floor(Date.now() / 1000),
        text: 'Labdien, jautājums',
      },
    };
    for (const app of [api, otherApi]) {
      await http(app)
        .post('/v1/channels/social/telegram/webhook')
        .set('X-Telegram-Bot-Api-Secret-Token', TELEGRAM_SECRET)
        .send(update)
        .expect(200);
    }
    const [social] = await eventually(
      () =>
        env
          .sql(
            `SELECT t.reference FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.channel = 'social' AND m.external_id = 'telegram:920001'`,
          )
          .then((r) => (r.length ? r : null)),
      { timeoutMs: 30000 },
    );

    // E-mail: read over IMAP by the worker holding the mailbox's lease.
    const messageId = `cluster-${Date.now()}@customer.test`;
    await appendMessage(
      centreMailbox,
      [
        `From: Jānis <janis@customer.test>`,
        `To: ${centreMailbox}`,
        'Subject: Jautājums',
        `Message-ID: <${messageId}>`,
        `Date: ${new Date().toUTCString()}`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Labdien, lūdzu palīdziet.',
        '',
      ].join('\r\n'),
    );
    const [mailTicket] = await eventually(
      () =>
        env
          .sql(`SELECT t.reference FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.channel = 'email' AND m.external_id = $1`, [
            messageId,
          ])
          .then((r) => (r.length ? r : null)),
      { timeoutMs: 45000 },
    );
    expect(mailTicket.reference).toMatch(/^VP-/);

    // Chat: the visitor on one API instance, the operator on the other; the operator's reply goes out through the
    // worker. Every event between them crosses the cluster's sharded pub/sub.
    const visitor = await ChatVisitor.connect(api);
    sockets.push(visitor);
    expect(await visitor.start({ language: 'lv', name: 'Jānis' })).toMatchObject({ ok: true, mode: 'bot' });
    const first = await visitor.say('Kā saņemt bezdarbnieka pabalstu?', 'cluster-first');
    expect(first).toMatchObject({ ok: true, duplicate: false });
    const reference: string = first.reference;
    // The widget resends a line whose acknowledgement it missed: the session's script knows the id already.
    expect(await visitor.say('Kā saņemt bezdarbnieka pabalstu?', 'cluster-first')).toMatchObject({ ok: true, duplicate: true });
    const agent = await AgentSocket.connect(otherApi, operatorToken);
    sockets.push(agent);
    expect(await visitor.say('Paldies, bet gribu runāt ar operatoru')).toMatchObject({ ok: true, reference });
    await eventually(
      async () => (await env.sql(`SELECT assignee_id FROM tickets WHERE reference = $1`, [reference]))[0]?.assignee_id === operatorId,
      { timeoutMs: 30000 },
    );
    await eventually(async () => agent.about(reference).some((e) => e.event === 'ticket.changed' || e.event === 'ticket.assigned'), {
      timeoutMs: 15000,
    });
    await http(otherApi).post(`/v1/tickets/${reference}/claim`).set('Authorization', `Bearer ${operatorToken}`).send({}).expect(200);
    expect(await agent.request('chat.join', { reference })).toMatchObject({ ok: true, session: { mode: 'operator', operatorId } });
    await eventually(async () => visitor.messages('system').some((m) => m.text === 'Anna pievienojās sarunai.'));
    await visitor.say('Man nav bezdarbnieka statusa, ko darīt?');
    await eventually(async () =>
      agent.events.some((e) => e.event === 'chat.message' && e.payload.message.text === 'Man nav bezdarbnieka statusa, ko darīt?'),
    );
    const chatReply = await http(otherApi)
      .post(`/v1/tickets/${reference}/replies`)
      .set('Authorization', `Bearer ${operatorToken}`)
      .send({ text: 'Vispirms reģistrējieties NVA.' })
      .expect(202);
    await eventually(async () => visitor.messages('agent').some((m) => m.text === 'Vispirms reģistrējieties NVA.'), { timeoutMs: 20000 });
    await eventually(
      async () => (await env.sql(`SELECT delivery_status FROM messages WHERE id = $1`, [chatReply.body.id]))[0].delivery_status === 'sent',
    );

    // An outbound reply on the social channel, retried by the console with the same key: sent once.
    const replyText = 'Labdien! Atbilde no klastera.';
    for (const app of [api, otherApi]) {
      await http(app)
        .post(`/v1/tickets/${social.reference}/replies`)
        .set('Authorization', `Bearer ${adminToken}`)
        .set('Idempotency-Key', 'cluster-reply-1')
        .send({ text: replyText, force: true })
        .expect(202);
    }
    await eventually(async () => telegram.sent.get(replyText) === 1, { timeoutMs: 30000 });

    // Exactly one ticket per contact, nothing doubled, nothing left behind.
    await eventually(async () => (await env.sql(`SELECT count(*)::int AS n FROM inbound_events WHERE status <> 'processed'`))[0].n === 0, {
      timeoutMs: 30000,
    });
    const perChannel = await env.sql(`SELECT channel, count(*)::int AS n FROM tickets GROUP BY channel ORDER BY channel`);
    expect(perChannel).toEqual(['chat', 'counter', 'email', 'social', 'voice', 'webform'].map((channel) => ({ channel, n: 1 })));
    const [{ doubled }] = await env.sql(
      `SELECT count(*)::int AS doubled FROM (SELECT 1 FROM messages WHERE direction = 'inbound' GROUP BY channel, external_id HAVING count(*) > 1) d`,
    );
    expect(doubled).toBe(0);
    await new Promise((r) => setTimeout(r, 1500)); // a second send would have come by now
    expect(telegram.sent.get(replyText)).toBe(1);
    expect(await env.sql(`SELECT delivery_status FROM messages WHERE direction = 'outbound' AND text = $1`, [replyText])).toEqual([
      { delivery_status: 'sent' },
    ]);

    // The service's keys really are spread over the shards, and the queues' keys carry the hash tag.
    const perNode = Object.values(cluster.keysPerNode());
    expect(perNode.filter((n) => n > 0).length).toBeGreaterThan(1);
    const queueKeys = Object.values(cluster.keysByNode(`{${env.name}}:*`)).filter((keys) => keys.length > 0);
    expect(queueKeys).toHaveLength(1); // one slot, so one primary
    expect(queueKeys[0]).toEqual(expect.arrayContaining([`{${env.name}}:inbound:meta`]));
    await http().get('/health').expect(200);
  }, 240000);

  it("loses and doubles nothing when the queues' primary is killed and its replica promoted", async () => {
    // Telegram conversations that are tickets already, so that replies can be sent to them during the fault.
    const references: string[] = [];
    for (let i = 0; i < PER_PHASE / 2; i++) {
      const chat = 7_200_000 + i;
      await http()
        .post('/v1/channels/social/telegram/webhook')
        .set('X-Telegram-Bot-Api-Secret-Token', TELEGRAM_SECRET)
        .send({
          update_id: 930000 + i,
          message: {
            message_id: 1,
            from: { id: chat, is_bot: false, first_name: 'Anna' },
            chat: { id: chat, type: 'private' },
            date: Math.floor(Date.now() / 1000),
            text: `Jautājums ${i}`,
          },
        })
        .expect(200);
    }
    for (let i = 0; i < PER_PHASE / 2; i++) {
      const [row] = await eventually(() =>
        env
          .sql(
            `SELECT t.reference FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.channel = 'social' AND m.external_id = $1`,
            [`telegram:${930000 + i}`],
          )
          .then((r) => (r.length ? r : null)),
      );
      references.push(row.reference);
    }

    // Web forms and replies at once, through both API instances; the queues' primary killed a third of the way in.
    // Clients retry what failed with the same identity (submissionId, Idempotency-Key), as the portal and the console do.
    const forms = Array.from({ length: PER_PHASE }, () => webformSubmission());
    const replies = references.map((ref, i) => ({ ref, text: `failover: atbilde ${i}`, key: `failover-reply-${i}` }));
    let started = 0;
    let killing: Promise<{ killed: number; promoted: number }> | null = null;
    const maybeKill = () => {
      if (++started === Math.ceil((forms.length + replies.length) / 3)) killing = cluster.killPrimaryOf(`{${env.name}}:inbound:meta`);
    };
    const submitted = inParallel(
      4,
      forms.map((form, i) => async () => {
        maybeKill();
        const res = await untilAccepted(
          () => signedSubmission(i % 2 ? api : otherApi, form),
          (r) => r.status === 202,
        );
        return res.body.reference as string;
      }),
    );
    const sent = inParallel(
      2,
      replies.map((r, i) => async () => {
        maybeKill();
        await untilAccepted(
          () =>
            http(i % 2 ? api : otherApi)
              .post(`/v1/tickets/${r.ref}/replies`)
              .set('Authorization', `Bearer ${adminToken}`)
              .set('Idempotency-Key', r.key)
              .send({ text: r.text, force: true }),
          (res) => res.status === 202,
        );
        return r.text;
      }),
    );
    const submittedRefs = await submitted;
    const texts = await sent;
    expect(killing).not.toBeNull();
    const { killed, promoted } = await killing!;
    expect(promoted).not.toBe(killed);

    // Every accepted form is a ticket exactly once; every queued reply was sent exactly once.
    await eventually(
      async () =>
        (await env.sql(`SELECT count(*)::int AS n FROM tickets WHERE reference = ANY($1)`, [submittedRefs]))[0].n === submittedRefs.length,
      { timeoutMs: 60000, everyMs: 250 },
    );
    await eventually(async () => (await env.sql(`SELECT count(*)::int AS n FROM inbound_events WHERE status <> 'processed'`))[0].n === 0, {
      timeoutMs: 30000,
    });
    const [{ doubled }] = await env.sql(
      `SELECT count(*)::int AS doubled FROM (SELECT 1 FROM messages WHERE direction = 'inbound' GROUP BY channel, external_id HAVING count(*) > 1) d`,
    );
    expect(doubled).toBe(0);
    const [{ tickets, events }] = await env.sql(
      `SELECT count(DISTINCT ticket_id)::int AS tickets, count(*)::int AS events FROM inbound_events WHERE channel = 'webform'`,
    );
    expect(tickets).toBe(events);
    await eventually(async () => texts.every((text) => telegram.sent.get(text) === 1) || null, { timeoutMs: 60000, everyMs: 250 }).catch(
      () => undefined,
    );
    expect(texts.filter((text) => telegram.sent.get(text) !== 1).map((text) => `${text}: ${telegram.sent.get(text) ?? 0}`)).toEqual([]);
    expect(
      await env.sql(`SELECT delivery_status, count(*)::int AS n FROM messages WHERE direction = 'outbound' AND text = ANY($1) GROUP BY 1`, [
        texts,
      ]),
    ).toEqual([{ delivery_status: 'sent', n: texts.length }]);
    await http().get('/health').expect(200);
    await http(otherApi).get('/health').expect(200);
  }, 240000);
});

import { INestApplication } from '@nestjs/common';
import { signTimestampedHmac } from '@lib/webhook-signature';
import type { Server } from 'node:http';
import type { Socket as NetSocket } from 'node:net';
import { io, Socket } from 'socket.io-client';
import { webformSubmission } from './support/factories';
import { inParallel, TelegramCounter, untilAccepted } from './support/fault-clients';
import { HaProxy } from './support/haproxy';
import { ADMIN_EMAIL, ADMIN_PASSWORD, eventually, TestEnv, WEBFORM_SECRET } from './support/test-env';

const TELEGRAM_SECRET = 'haproxy-test-secret-token';
const BOT_TOKEN = '123456:haproxy-test-bot';
/** LB_FAULTS_LONG=1 sends more through the fault; the short variant always runs. */
const FORMS = process.env.LB_FAULTS_LONG ? 1000 : 120;
const REPLIES = process.env.LB_FAULTS_LONG ? 100 : 16;

/**
 * Two API processes behind Debian's HAProxy running the committed deploy/haproxy/haproxy.cfg, one worker, and
 * clients that talk only to the proxy. One API process dies abruptly while they submit: its listener and every
 * open connection (websockets too) are destroyed at once, with requests in flight, as the proxy sees a process
 * killed with SIGKILL. Clients resend what failed with the same identity.
 */
describe('faults: one of two API processes killed behind HAProxy', () => {
  const env = new TestEnv();
  let telegram: TelegramCounter;
  let proxy: HaProxy;
  let apis: INestApplication[];
  let token: string;
  const sockets: Socket[] = [];

  const post = (path: string, body: string, headers: Record<string, string>) =>
    fetch(`${proxy.url}${path}`, { method: 'POST', body, headers: { 'Content-Type': 'application/json', ...headers } });
  const submit = (form: unknown) => {
    const raw = JSON.stringify(form);
    return post('/v1/channels/webform/submissions', raw, {
      'X-Signature': signTimestampedHmac(WEBFORM_SECRET, raw, Math.floor(Date.now() / 1000)),
    });
  };

  /** Every TCP connection each process accepted, websockets included (upgraded sockets leave the HTTP server's own list). */
  const connections = new Map<INestApplication, Set<NetSocket>>();
  function track(app: INestApplication): INestApplication {
    const open = new Set<NetSocket>();
    connections.set(app, open);
    (app.getHttpServer() as Server).on('connection', (socket: NetSocket) => {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
    });
    return app;
  }

  /** Destroys a process's network side at once: no new connections, every open one (requests in flight, websockets) reset. */
  function crash(app: INestApplication): void {
    (app.getHttpServer() as Server).close();
    for (const socket of connections.get(app) ?? []) socket.resetAndDestroy();
    void env.stop(app).catch(() => undefined);
  }

  beforeAll(async () => {
    telegram = await TelegramCounter.start();
    const overrides = {
      TELEGRAM_SECRET_TOKEN: TELEGRAM_SECRET,
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_API_BASE_URL: telegram.base,
      OUTBOUND_SWEEP_INTERVAL_MS: '2000',
      INBOUND_SWEEP_INTERVAL_MS: '2000',
      TRUST_PROXY: '127.0.0.1',
      // Every simulated client comes from loopback, through one proxy: the per-source limits would count them as one.
      RATE_LIMIT_WEBFORM_PER_MINUTE: '100000',
      RATE_LIMIT_WEBHOOKS_PER_MINUTE: '100000',
    };
    apis = [track(await env.startApi({ APP_ROLE: 'api', ...overrides })), track(await env.startApi({ APP_ROLE: 'api', ...overrides }))];
    await env.startWorker(overrides);
    proxy = await HaProxy.start(apis.map((a) => a.getHttpServer().address().port) as [number, number]);
    const login = await post('/v1/auth/login', JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }), {});
    expect(login.status).toBe(200);
    token = ((await login.json()) as { accessToken: string }).accessToken;
  }, 120000);
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await proxy?.stop();
    await env.teardown();
    await telegram.close();
  });

  it("health-checks both processes and carries agents' websockets through the proxy", async () => {
    expect(await proxy.servers()).toEqual([
      { name: 'api1', status: 'UP' },
      { name: 'api2', status: 'UP' },
    ]);
    // Agents' sockets through the proxy: websocket only, no stickiness needed.
    for (let i = 0; i < 4; i++) {
      const socket = io(`${proxy.url}/agents`, {
        transports: ['websocket'],
        auth: { token },
        forceNew: true,
        reconnectionDelay: 200,
        reconnectionDelayMax: 1000,
      });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('ready', () => resolve());
        socket.once('connect_error', reject);
      });
    }
  });

  it('loses and doubles nothing when one process dies while clients submit and reply', async () => {
    // Telegram conversations to answer during the fault.
    const chats = Array.from({ length: REPLIES }, (_, i) => 920000 + i);
    for (const id of chats) {
      const res = await post(
        '/v1/channels/social/telegram/webhook',
        JSON.stringify({
          update_id: id,
          message: {
            message_id: 1,
            from: { id, is_bot: false, first_name: 'Pēteris' },
            chat: { id, type: 'private' },
            date: Math.floor(Date.now() / 1000),
            text: `Jautājums ${id}`,
          },
        }),
        { 'X-Telegram-Bot-Api-Secret-Token': TELEGRAM_SECRET },
      );
      expect(res.status).toBe(200);
    }
    const references = await Promise.all(
      chats.map(
        async (id) =>
          (
            await eventually(
              async () =>
                (
                  await env.sql(`SELECT t.reference FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.external_id = $1`, [
                    `telegram:${id}`,
                  ])
                )[0],
            )
          ).reference as string,
      ),
    );

    const forms = Array.from({ length: FORMS }, () => webformSubmission());
    const replies = references.map((ref, i) => ({ ref, text: `atbilde caur HAProxy ${i}`, key: `lb-reply-${i}` }));
    let started = 0;
    let crashed = false;
    const maybeCrash = () => {
      if (++started === Math.ceil((forms.length + replies.length) / 3)) {
        crash(apis[0]);
        crashed = true;
      }
    };
    const answered = new Map<string, Set<string>>(); // submissionId -> references the clients were given
    const submitting = inParallel(
      6,
      forms.map((form) => async () => {
        maybeCrash();
        const res = await untilAccepted(
          () => submit(form),
          (r) => r.status === 202,
        );
        const { reference } = (await res.json()) as { reference: string };
        answered.set(form.submissionId, (answered.get(form.submissionId) ?? new Set()).add(reference));
        return reference;
      }),
    );
    const replying = inParallel(
      2,
      replies.map((r) => async () => {
        maybeCrash();
        await untilAccepted(
          () =>
            post(`/v1/tickets/${r.ref}/replies`, JSON.stringify({ text: r.text, force: true }), {
              Authorization: `Bearer ${token}`,
              'Idempotency-Key': r.key,
            }),
          (res) => res.status === 202,
        );
      }),
    );
    const submitted = await submitting;
    await replying;
    expect(crashed).toBe(true);

    // The proxy took the dead process out by its health check; the other served everything since.
    await proxy.waitUntil((s) => s.find((x) => x.name === 'api1')?.status.startsWith('DOWN') === true, 'api1 DOWN');
    // Every client got one reference per submission, however often it had to resend.
    expect([...answered.values()].filter((refs) => refs.size !== 1)).toEqual([]);
    await eventually(
      async () => (await env.sql(`SELECT count(*)::int AS n FROM tickets WHERE reference = ANY($1)`, [submitted]))[0].n === FORMS,
      { timeoutMs: 60000, everyMs: 250 },
    );
    const [{ events, tickets, pending }] = await env.sql(
      `SELECT count(*)::int AS events, count(DISTINCT ticket_id)::int AS tickets, count(*) FILTER (WHERE status <> 'processed')::int AS pending FROM inbound_events WHERE channel = 'webform'`,
    );
    expect({ events, tickets, pending }).toEqual({ events: FORMS, tickets: FORMS, pending: 0 });

    await eventually(async () => replies.every((r) => telegram.sent.get(r.text) === 1) || null, { timeoutMs: 45000, everyMs: 250 }).catch(
      () => undefined,
    );
    expect(replies.filter((r) => telegram.sent.get(r.text) !== 1).map((r) => `${r.text}: ${telegram.sent.get(r.text) ?? 0}`)).toEqual([]);
    const [{ stored }] = await env.sql(`SELECT count(*)::int AS stored FROM messages WHERE direction = 'outbound' AND text = ANY($1)`, [
      replies.map((r) => r.text),
    ]);
    expect(stored).toBe(REPLIES);

    // Agents' websockets on the dead process reconnected through the proxy to the living one.
    await eventually(async () => sockets.every((s) => s.connected) || null, { timeoutMs: 15000 });
  }, 180000);
});

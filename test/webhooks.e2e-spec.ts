import { INestApplication } from '@nestjs/common';
import { verifyTimestampedHmac } from '@lib/webhook-signature';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { freePort } from './support/private-services';
import { eventually, login, TestEnv } from './support/test-env';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

describe("outbound webhooks for institutions' own systems", () => {
  const env = new TestEnv();
  let app: INestApplication;
  let receiver: Server;
  let elsewhere: Server; // the same receiver on another loopback address, outside the allow-list
  let port: number;
  const received: Received[] = [];
  const hits: string[] = []; // every request's host and path, whatever it was answered
  let failuresLeft = 1; // the first delivery is answered 500, to show the retry
  const secret = 'vid-shared-webhook-secret-0123456789abcdef';
  const tokens: Record<string, string> = {};
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    port = await freePort();
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        hits.push(`${req.socket.localAddress}${req.url}`);
        if (req.url === '/moved') return res.writeHead(302, { Location: `http://127.0.0.1:${port}/moved-here` }).end();
        if (failuresLeft-- > 0) return res.writeHead(500).end();
        received.push({ path: req.url ?? '', headers: req.headers, body });
        res.writeHead(204).end();
      });
    };
    receiver = createServer(handler);
    elsewhere = createServer(handler);
    await new Promise<void>((r) => receiver.listen(port, '127.0.0.1', r));
    await new Promise<void>((r) => elsewhere.listen(port, '127.0.0.2', r));
    // Only the recording server's address: every other internal one stays refused.
    app = await env.startApi({ APP_ROLE: 'all', WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32' });
    tokens.admin = await login(app);
    await app
      .get(AgentsService)
      .upsert({ email: 'op@staff.test', displayName: 'Op', password: 'a long enough passphrase', roles: ['operator'] });
    tokens.op = await login(app, 'op@staff.test', 'a long enough passphrase');
  });
  afterAll(async () => {
    await env.teardown();
    await new Promise((r) => receiver.close(r));
    await new Promise((r) => elsewhere.close(r));
  });

  it('signs and delivers escalations, answers and closing to the institution that subscribed, retrying on failure', async () => {
    const vid = await http()
      .post('/v1/admin/webhooks')
      .set('Authorization', `Bearer ${tokens.admin}`)
      .send({
        institution: 'VID',
        url: `http://127.0.0.1:${port}/vid`,
        secret,
        events: ['ticket.escalated', 'ticket.handed_back', 'ticket.closed'],
      })
      .expect(201);
    expect(JSON.stringify(vid.body)).not.toContain(secret);
    await http()
      .post('/v1/admin/webhooks')
      .set('Authorization', `Bearer ${tokens.admin}`)
      .send({ institution: 'VSAA', url: `http://127.0.0.1:${port}/vsaa`, secret, events: ['ticket.escalated'] })
      .expect(201);

    const reference = await env.submitTicket(app, { institution: 'VID' });

    await http()
      .post(`/v1/tickets/${reference}/escalations`)
      .set('Authorization', `Bearer ${tokens.op}`)
      .send({ toLevel: 2, reason: 'VID dati', summary: 'Pārmaksa' })
      .expect(201);
    await http()
      .post(`/v1/tickets/${reference}/escalations`)
      .set('Authorization', `Bearer ${tokens.op}`)
      .send({ toLevel: 1, reason: 'Atbildēts', summary: 'Atmaksās 30 dienās' })
      .expect(201);
    await http().patch(`/v1/tickets/${reference}`).set('Authorization', `Bearer ${tokens.op}`).send({ status: 'closed' }).expect(200);

    await eventually(async () => received.length === 3, { timeoutMs: 30000 });
    expect(received.map((r) => [r.path, r.headers['x-webhook-event']])).toEqual(
      expect.arrayContaining([
        ['/vid', 'ticket.escalated'],
        ['/vid', 'ticket.handed_back'],
        ['/vid', 'ticket.closed'],
      ]),
    );
    for (const r of received) {
      expect(verifyTimestampedHmac(secret, r.headers['x-signature'] as string, r.body, { maxSkewSeconds: 300 }).ok).toBe(true);
      const payload = JSON.parse(r.body);
      expect(payload.reference).toBe(reference);
      expect(r.body).not.toMatch(/@example\.lv|personal/); // no personal data in a webhook
    }

    const log = await http().get(`/v1/admin/webhooks/${vid.body.id}/deliveries`).set('Authorization', `Bearer ${tokens.admin}`).expect(200);
    expect(log.body.map((d: any) => d.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(Math.max(...log.body.map((d: any) => d.attempts))).toBe(2); // the one answered 500 first
    const bad = await http()
      .post('/v1/admin/webhooks')
      .set('Authorization', `Bearer ${tokens.admin}`)
      .send({ institution: 'VID', url: 'ftp://x', secret: 'short', events: ['ticket.exploded'] })
      .expect(422);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['events', 'secret', 'url']);
  });

  const admin = (method: 'get' | 'post' | 'patch' | 'delete', url: string, body?: object) => {
    const req = http()[method](url).set('Authorization', `Bearer ${tokens.admin}`);
    return body ? req.send(body) : req;
  };
  const escalateNew = async (institution: string) => {
    const reference = await env.submitTicket(app, { institution });
    await http()
      .post(`/v1/tickets/${reference}/escalations`)
      .set('Authorization', `Bearer ${tokens.op}`)
      .send({ toLevel: 2, reason: 'dati' })
      .expect(201);
    return reference;
  };
  const subscription = async (url: string) =>
    (await admin('post', '/v1/admin/webhooks', { institution: 'VSAA', url, secret, events: ['ticket.escalated'] }).expect(201)).body
      .id as string;

  it('refuses internal targets outside the allow-list, in every spelling, when subscribing and when changing the url', async () => {
    const internal = [
      `http://127.0.0.2:${port}/`,
      'http://169.254.169.254/latest/meta-data/',
      `http://[::1]:${port}/`,
      'http://[::ffff:127.0.0.2]/',
      'http://[::ffff:169.254.169.254]/',
      'http://10.1.2.3/',
      'http://192.168.0.1/',
      'http://[fe80::1]/',
      'http://[fd00::1]/',
      'http://0.0.0.0/',
    ];
    for (const url of internal) {
      const res = await admin('post', '/v1/admin/webhooks', { institution: 'VSAA', url, secret, events: ['ticket.escalated'] });
      expect([url, res.status, res.body.errors]).toEqual([url, 422, [expect.objectContaining({ field: 'url', code: 'internal' })]]);
    }
    const id = await subscription(`http://127.0.0.1:${port}/allowed`);
    const changed = await admin('patch', `/v1/admin/webhooks/${id}`, { url: 'http://169.254.169.254/' }).expect(422);
    expect(changed.body.errors).toEqual([expect.objectContaining({ field: 'url', code: 'internal' })]);
    expect((await admin('get', '/v1/admin/webhooks').expect(200)).body.map((s: any) => s.url)).not.toContain('http://169.254.169.254/');
    await admin('delete', `/v1/admin/webhooks/${id}`).expect(204);
  });

  it('checks the address again at delivery, so a target that has come to point inside is never reached', async () => {
    const id = await subscription(`http://127.0.0.1:${port}/rebound`);
    // What a name rebound to an internal address looks like by the time a delivery is sent.
    await env.sql('UPDATE webhook_subscriptions SET url = $2 WHERE id = $1', [id, `http://127.0.0.2:${port}/rebound`]);
    await escalateNew('VSAA');
    const [delivery] = await eventually(async () => {
      const log = (await admin('get', `/v1/admin/webhooks/${id}/deliveries`).expect(200)).body;
      return log[0]?.status === 'failed' ? log : null;
    });
    expect(delivery).toMatchObject({ attempts: 1, lastStatusCode: null, lastError: 'the address 127.0.0.2 is internal and not allowed' });
    expect(hits.filter((h) => h.includes('/rebound'))).toEqual([]);
    await admin('delete', `/v1/admin/webhooks/${id}`).expect(204);
  });

  it('does not follow redirects', async () => {
    const id = await subscription(`http://127.0.0.1:${port}/moved`);
    await escalateNew('VSAA');
    const [delivery] = await eventually(async () => {
      const log = (await admin('get', `/v1/admin/webhooks/${id}/deliveries`).expect(200)).body;
      return log[0]?.attempts >= 1 ? log : null;
    });
    expect(delivery).toMatchObject({ status: 'queued', lastStatusCode: 302, lastError: 'HTTP 302: redirects are not followed' }); // retried later, never followed
    expect(hits).toContain(`127.0.0.1/moved`);
    expect(hits.filter((h) => h.includes('/moved-here'))).toEqual([]);
    await admin('delete', `/v1/admin/webhooks/${id}`).expect(204);
  });

  it('disables, re-enables and deletes a subscription', async () => {
    const [vsaa] = (await admin('get', '/v1/admin/webhooks').expect(200)).body.filter(
      (s: any) => s.institution === 'VSAA' && s.url.endsWith('/vsaa'),
    );
    const off = await admin('patch', `/v1/admin/webhooks/${vsaa.id}`, { active: false }).expect(200);
    expect(off.body).toMatchObject({ id: vsaa.id, active: false, url: vsaa.url });
    const before = received.filter((r) => r.path === '/vsaa').length;
    const quiet = await escalateNew('VSAA');
    // Nothing is recorded for a disabled subscription.
    expect(
      (
        await env.sql(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE subscription_id = $1 AND payload->>'reference' = $2`, [
          vsaa.id,
          quiet,
        ])
      )[0].n,
    ).toBe(0);

    await admin('patch', `/v1/admin/webhooks/${vsaa.id}`, { active: true }).expect(200);
    const heard = await escalateNew('VSAA');
    await eventually(async () => received.some((r) => r.path === '/vsaa' && JSON.parse(r.body).reference === heard));
    expect(received.filter((r) => r.path === '/vsaa').length).toBe(before + 1);

    await admin('delete', `/v1/admin/webhooks/${vsaa.id}`).expect(204);
    await admin('delete', `/v1/admin/webhooks/${vsaa.id}`).expect(404);
    await admin('get', `/v1/admin/webhooks/${vsaa.id}/deliveries`).expect(404);
    await admin('patch', `/v1/admin/webhooks/${vsaa.id}`, { active: true }).expect(404);
    expect((await admin('get', '/v1/admin/webhooks').expect(200)).body.map((s: any) => s.id)).not.toContain(vsaa.id);
    const gone = await escalateNew('VSAA');
    expect((await env.sql(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE payload->>'reference' = $1`, [gone]))[0].n).toBe(0);
    await admin('patch', `/v1/admin/webhooks/${vsaa.id}`, { active: 'no' }).expect(422);
  });
});

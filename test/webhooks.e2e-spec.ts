import { INestApplication } from '@nestjs/common';
import { verifyTimestampedHmac } from '@lib/webhook-signature';
import { createServer, IncomingMessage, Server } from 'node:http';
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
  let port: number;
  const received: Received[] = [];
  let failuresLeft = 1; // the first delivery is answered 500, to show the retry
  const secret = 'vid-shared-webhook-secret-0123456789abcdef';
  const tokens: Record<string, string> = {};
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    port = await freePort();
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (failuresLeft-- > 0) return res.writeHead(500).end();
        received.push({ path: req.url ?? '', headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(port, '127.0.0.1', r));
    app = await env.startApi({ APP_ROLE: 'all' });
    tokens.admin = await login(app);
    await app.get(AgentsService).upsert({ email: 'op@staff.test', displayName: 'Op', password: 'a long enough passphrase', roles: ['operator'] });
    tokens.op = await login(app, 'op@staff.test', 'a long enough passphrase');
  });
  afterAll(async () => {
    await env.teardown();
    await new Promise((r) => receiver.close(r));
  });

  it('signs and delivers escalations, answers and closing to the institution that subscribed, retrying on failure', async () => {
    const vid = await http()
      .post('/v1/admin/webhooks')
      .set('Authorization', `Bearer ${tokens.admin}`)
      .send({ institution: 'VID', url: `http://127.0.0.1:${port}/vid`, secret, events: ['ticket.escalated', 'ticket.handed_back', 'ticket.closed'] })
      .expect(201);
    expect(JSON.stringify(vid.body)).not.toContain(secret);
    await http()
      .post('/v1/admin/webhooks')
      .set('Authorization', `Bearer ${tokens.admin}`)
      .send({ institution: 'VSAA', url: `http://127.0.0.1:${port}/vsaa`, secret, events: ['ticket.escalated'] })
      .expect(201);

    const reference = await env.submitTicket(app, { institution: 'VID' });

    await http().post(`/v1/tickets/${reference}/escalations`).set('Authorization', `Bearer ${tokens.op}`).send({ toLevel: 2, reason: 'VID dati', summary: 'Pārmaksa' }).expect(201);
    await http().post(`/v1/tickets/${reference}/escalations`).set('Authorization', `Bearer ${tokens.op}`).send({ toLevel: 1, reason: 'Atbildēts', summary: 'Atmaksās 30 dienās' }).expect(201);
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
    const bad = await http().post('/v1/admin/webhooks').set('Authorization', `Bearer ${tokens.admin}`).send({ institution: 'VID', url: 'ftp://x', secret: 'short', events: ['ticket.exploded'] }).expect(422);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['events', 'secret', 'url']);
  });
});

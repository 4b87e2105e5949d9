import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ChatVisitor } from './support/chat-visitor';
import { ADMIN_EMAIL, ADMIN_PASSWORD, TestEnv } from './support/test-env';

/**
 * Per-source limits across two API instances sharing one Redis, the per-account-and-source login limit that keeps an
 * attacker from locking anyone out, and TRUST_PROXY: behind a trusted proxy each forwarded client is its own
 * source; from an untrusted peer X-Forwarded-For changes nothing.
 */
describe('per-source limits (Redis, across instances) and the trusted proxy', () => {
  const env = new TestEnv();
  let behindProxy1: INestApplication;
  let behindProxy2: INestApplication;
  let direct: INestApplication;
  const sockets: ChatVisitor[] = [];

  const limits = { RATE_LIMIT_LOGIN_PER_MINUTE: '6', RATE_LIMIT_WEBHOOKS_PER_MINUTE: '3', CHAT_SESSIONS_PER_HOUR: '1' };
  const http = (app: INestApplication) => request(app.getHttpServer());
  // A new e-mail each time unless one is given, so that only the per-source budget is tested, not the per-account one.
  let guesses = 0;
  const loginFrom = (
    app: INestApplication,
    client: string | null,
    email = `nobody${++guesses}@staff.test`,
    password = 'not the password at all',
  ) => {
    const req = http(app).post('/v1/auth/login');
    if (client) req.set('X-Forwarded-For', client);
    return req.send({ email, password });
  };
  const visitorFrom = async (app: INestApplication, client: string | null) => {
    const v = await ChatVisitor.connect(app, client ? { 'X-Forwarded-For': client } : {});
    sockets.push(v);
    return v;
  };

  beforeAll(async () => {
    // The tests connect over loopback, so loopback is the load balancer here.
    behindProxy1 = await env.startApi({ ...limits, TRUST_PROXY: 'loopback' });
    behindProxy2 = await env.startApi({ ...limits, TRUST_PROXY: 'loopback' });
    direct = await env.startApi(limits);
  });
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));
  afterAll(() => env.teardown());

  it('limits logins per source across instances: 429 problem+json with Retry-After', async () => {
    for (const app of [behindProxy1, behindProxy2, behindProxy1, behindProxy2, behindProxy1, behindProxy2])
      await loginFrom(app, '203.0.113.10').expect(401);
    const refused = await loginFrom(behindProxy1, '203.0.113.10').expect(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ type: 'urn:vpppd:problem:rate-limited', status: 429 });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    await loginFrom(behindProxy2, '203.0.113.10', ADMIN_EMAIL, ADMIN_PASSWORD).expect(429);
  });

  it('limits a channel webhook per source across instances', async () => {
    const hook = (app: INestApplication) =>
      http(app).post('/v1/channels/social/telegram/webhook').set('X-Forwarded-For', '203.0.113.20').send({ update_id: 1 });
    await hook(behindProxy1).expect(403);
    await hook(behindProxy2).expect(403);
    await hook(behindProxy1).expect(403);
    const refused = await hook(behindProxy2).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.body).toMatchObject({ type: 'urn:vpppd:problem:rate-limited' });
  });

  it('an attacker from one source cannot lock the administrator out: that source is refused, the account stays open', async () => {
    for (let i = 0; i < 5; i++) await loginFrom(behindProxy1, '198.51.100.66', ADMIN_EMAIL, `wrong guess ${i}`).expect(401);
    // The next try from there is refused before its password is checked, even with the right one.
    const refused = await loginFrom(behindProxy2, '198.51.100.66', ADMIN_EMAIL, ADMIN_PASSWORD).expect(429);
    expect(refused.body.detail).toMatch(/this account/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(60);
    // The owner, from anywhere else, signs in; the account was never locked.
    await loginFrom(behindProxy1, '192.0.2.44', ADMIN_EMAIL, ADMIN_PASSWORD).expect(200);
    const [row] = await env.sql(`SELECT locked_until FROM agents WHERE email = $1`, [ADMIN_EMAIL]);
    expect(row.locked_until).toBeNull();
  });

  it('behind a trusted proxy, two forwarded clients have separate budgets; the direct instance ignores X-Forwarded-For', async () => {
    for (let i = 0; i < 6; i++) await loginFrom(behindProxy1, '203.0.113.31').expect(401);
    await loginFrom(behindProxy1, '203.0.113.31').expect(429);
    await loginFrom(behindProxy2, '203.0.113.32').expect(401);

    // Not trusted: the forwarded address is the client's own claim, so every request counts against 127.0.0.1.
    for (let i = 0; i < 6; i++) await loginFrom(direct, `203.0.113.${40 + i}`).expect(401);
    await loginFrom(direct, '203.0.113.99').expect(429);
    await loginFrom(direct, null).expect(429);
  });

  it("the chat's per-address limit counts the forwarded client behind a trusted proxy, and the connection otherwise", async () => {
    expect(await (await visitorFrom(behindProxy1, '203.0.113.50')).start({ language: 'lv' })).toMatchObject({ ok: true });
    expect(await (await visitorFrom(behindProxy2, '203.0.113.50')).start({ language: 'lv' })).toMatchObject({
      ok: false,
      status: 429,
      code: 'rate-limited',
    });
    // Another visitor behind the same load balancer still starts a chat.
    expect(await (await visitorFrom(behindProxy2, '203.0.113.51')).start({ language: 'lv' })).toMatchObject({ ok: true });

    expect(await (await visitorFrom(direct, '203.0.113.52')).start({ language: 'lv' })).toMatchObject({ ok: true });
    expect(await (await visitorFrom(direct, '203.0.113.53')).start({ language: 'lv' })).toMatchObject({ ok: false, status: 429 });
  });
});

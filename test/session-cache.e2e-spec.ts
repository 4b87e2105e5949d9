import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { Invalidations } from '../src/realtime/invalidations';
import { login, TestEnv } from './support/test-env';

/**
 * Two API instances on one database and one Redis prefix, as behind a load balancer. Each keeps its session checks
 * in memory for a while (SESSION_CACHE_TTL_MS, long here so that nothing in the test expires by itself); whatever
 * ends a session or changes an agent on one instance must still be refused by the other on the very next request.
 */
describe('session cache across API instances', () => {
  const env = new TestEnv();
  let a: INestApplication;
  let b: INestApplication;
  const password = 'a long enough passphrase';
  const asAdmin = (app: INestApplication, token: string) =>
    request(app.getHttpServer()).get('/v1/admin/agents').set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    a = await env.startApi({ SESSION_CACHE_TTL_MS: '60000' });
    b = await env.startApi({ SESSION_CACHE_TTL_MS: '60000' });
    const agents = a.get(AgentsService);
    for (const name of ['liga', 'dana', 'juris', 'maris'])
      await agents.upsert({ email: `${name}@staff.test`, displayName: name, password, roles: ['admin'] });
    // Both instances must be subscribed before the cache is trusted; until then every check goes to PostgreSQL.
    for (const app of [a, b]) while (!app.get(Invalidations).live) await new Promise((r) => setTimeout(r, 20));
  });
  afterAll(() => env.teardown());

  it('serves a repeated check from memory: a change written behind its back is not seen until something publishes it', async () => {
    const token = await login(a, 'liga@staff.test', password);
    await asAdmin(b, token).expect(200);
    await env.sql(`UPDATE agents SET roles = '{operator}' WHERE email = 'liga@staff.test'`);
    await asAdmin(b, token).expect(200);
    // A logout on A is refused on B by the next request, cached or not.
    await request(a.getHttpServer()).post('/v1/auth/logout').set('Authorization', `Bearer ${token}`).expect(204);
    await asAdmin(b, token).expect(401);
    await asAdmin(a, token).expect(401);
  });

  it('a logout on one instance is effective on the other within the same request cycle', async () => {
    const token = await login(a, 'maris@staff.test', password);
    const other = await login(b, 'maris@staff.test', password);
    await asAdmin(b, token).expect(200);
    await asAdmin(b, other).expect(200);
    await request(a.getHttpServer()).post('/v1/auth/logout').set('Authorization', `Bearer ${token}`).expect(204);
    await asAdmin(b, token).expect(401);
    // Only that session ended.
    await asAdmin(b, other).expect(200);
  });

  it('disabling an agent on one instance refuses their cached session on the other at once, and so does a narrowed role', async () => {
    const admin = await login(a);
    const dana = await login(a, 'dana@staff.test', password);
    const juris = await login(a, 'juris@staff.test', password);
    await asAdmin(b, dana).expect(200);
    await asAdmin(b, juris).expect(200);
    const ids = Object.fromEntries(
      (await env.sql(`SELECT email, id FROM agents WHERE email IN ('dana@staff.test', 'juris@staff.test')`)).map((r) => [r.email, r.id]),
    );

    await request(a.getHttpServer())
      .patch(`/v1/admin/agents/${ids['dana@staff.test']}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ active: false })
      .expect(200);
    await asAdmin(b, dana).expect(401);

    await request(a.getHttpServer())
      .patch(`/v1/admin/agents/${ids['juris@staff.test']}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ roles: ['operator'] })
      .expect(200);
    await asAdmin(b, juris).expect(403);
  });

  it('does not trust the cache while its subscription is down: every check goes to PostgreSQL', async () => {
    const token = await login(a);
    await asAdmin(b, token).expect(200);
    // B loses its subscription (a Redis restart would do the same); a revocation it cannot hear of must still count.
    const bus = b.get(Invalidations);
    (bus as unknown as { subscriber: { disconnect(): void } }).subscriber.disconnect();
    while (bus.live) await new Promise((r) => setTimeout(r, 10));
    await env.sql(
      `UPDATE sessions SET revoked_at = now() WHERE revoked_at IS NULL AND agent_id = (SELECT id FROM agents WHERE email = 'admin@vpppd.test')`,
    );
    await asAdmin(b, token).expect(401);
  });
});

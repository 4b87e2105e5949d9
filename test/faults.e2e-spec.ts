import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { PrivatePostgres, PrivateRedis } from './support/private-services';
import { eventually, signedSubmission, TestEnv } from './support/test-env';
import { webformSubmission } from './support/factories';

/** Faults on private servers of this file's own, so stopping them disturbs no other test. */
describe('faults: Redis and PostgreSQL restarted mid-run', () => {
  describe('Redis restarted without its data', () => {
    let redis: PrivateRedis;
    let env: TestEnv;
    let app: INestApplication;

    beforeAll(async () => {
      redis = await PrivateRedis.start();
      env = new TestEnv({ redisUrl: redis.url });
      app = await env.startApi({ APP_ROLE: 'all', INBOUND_SWEEP_INTERVAL_MS: '1000' });
    });
    afterAll(async () => {
      await env.teardown();
      await redis.kill();
    });

    it('keeps accepting while Redis is down, and every accepted submission becomes exactly one ticket', async () => {
      const before = Array.from({ length: 10 }, () => webformSubmission());
      for (const b of before) await signedSubmission(app, b).expect(202);
      await eventually(async () => (await env.sql('SELECT count(*)::int AS n FROM tickets'))[0].n === 10);

      await redis.kill();
      const during = Array.from({ length: 10 }, () => webformSubmission());
      const answers = await Promise.all(during.map((b) => signedSubmission(app, b)));
      // Acceptance is durable in PostgreSQL, so the portal gets its reference although the queue is away.
      answers.forEach((a) => expect(a.status).toBe(202));

      await redis.start(); // empty: every job of the outage is gone
      await eventually(async () => (await env.sql('SELECT count(*)::int AS n FROM tickets'))[0].n === 20, { timeoutMs: 45000 });
      const [{ dupes }] = await env.sql(
        `SELECT count(*)::int AS dupes FROM (SELECT external_id FROM messages GROUP BY channel, external_id HAVING count(*) > 1) d`,
      );
      expect(dupes).toBe(0);
      const refs = (await env.sql('SELECT reference FROM tickets')).map((r) => r.reference).sort();
      expect(refs).toEqual(expect.arrayContaining(answers.map((a) => a.body.reference)));
    });
  });

  describe('PostgreSQL restarted', () => {
    let pg: PrivatePostgres;
    let env: TestEnv;
    let app: INestApplication;

    beforeAll(async () => {
      pg = await PrivatePostgres.start();
      env = new TestEnv({ databaseUrl: pg.url });
      app = await env.startApi({ APP_ROLE: 'all' });
    });
    afterAll(async () => {
      await env.teardown();
      await pg.destroy();
    });

    it('answers 503 while PostgreSQL is down, loses nothing it accepted, and recovers by itself', async () => {
      const first = Array.from({ length: 10 }, () => webformSubmission());
      for (const b of first) await signedSubmission(app, b).expect(202);

      await pg.stop();
      const refused = await signedSubmission(app, webformSubmission());
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.body.type).toBe('urn:vpppd:problem:unavailable');
      await request(app.getHttpServer()).get('/health').expect(503);

      await pg.start();
      const second = Array.from({ length: 10 }, () => webformSubmission());
      await eventually(async () => (await signedSubmission(app, second[0])).status === 202, { timeoutMs: 20000, everyMs: 250 });
      for (const b of second.slice(1)) await signedSubmission(app, b).expect(202);

      // Jobs that failed while the database was away are retried with backoff.
      await eventually(async () => (await env.sql('SELECT count(*)::int AS n FROM tickets'))[0].n === 20, { timeoutMs: 45000 });
      const [{ pending }] = await env.sql(`SELECT count(*)::int AS pending FROM inbound_events WHERE status <> 'processed'`);
      expect(pending).toBe(0);
      await request(app.getHttpServer()).get('/health').expect(200);
    });
  });
});

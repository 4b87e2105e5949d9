import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { PrivatePostgres } from './support/private-services';
import { eventually, login, TestEnv } from './support/test-env';

/**
 * Reads that tolerate a second of lag on a real streaming replica (pg_basebackup of a private primary, a hot
 * standby on its own port). Pausing the replica's WAL replay makes it visibly behind, which shows which server
 * answered: reports and the board lag, the ticket list (primary) does not.
 */
describe('PostgreSQL streaming replica for reports, the board and the knowledge search', () => {
  let primary: PrivatePostgres;
  let replica: PrivatePostgres;
  let env: TestEnv;
  let app: INestApplication;
  let token: string;
  const get = (path: string) => request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`);
  const month = new Date().toISOString().slice(0, 7);
  /** Web-form tickets this month, as the volumes report (a replica read) counts them. */
  const reported = async () => {
    const res = await get(`/v1/reports/volumes?from=${month}&format=json`).expect(200);
    return (res.body.items as Array<{ channel: string; tickets: number }>)
      .filter((r) => r.channel === 'webform')
      .reduce((n, r) => n + r.tickets, 0);
  };
  const waitingOnBoard = async () => (await get('/v1/supervisor/board').expect(200)).body.totals.waiting as number;
  const onPrimary = async () => (await env.sql(`SELECT count(*)::int AS n FROM tickets WHERE channel = 'webform'`))[0].n as number;

  beforeAll(async () => {
    primary = await PrivatePostgres.start();
    replica = await primary.startReplica();
    env = new TestEnv({ databaseUrl: primary.url });
    // Every request checks its session on the primary here (no per-instance session cache), so what the primary's
    // absence does to a signed-in request is seen on each one, not only once a cached check has expired.
    app = await env.startApi({
      APP_ROLE: 'all',
      DATABASE_REPLICA_URLS: `${replica.url}?application_name=vp-replica-reads`,
      SESSION_CACHE_TTL_MS: '0',
    });
    token = await login(app);
  }, 120000);
  afterAll(async () => {
    await env.teardown();
    await replica.destroy();
    await primary.destroy();
  });

  it('reads reports and the board from the replica, and everything else from the primary', async () => {
    for (let i = 0; i < 3; i++) await env.submitTicket(app);
    await eventually(async () => (await reported()) === 3);
    const waiting = await eventually(async () => ((await waitingOnBoard()) === 3 ? 3 : null));

    await replica.sql('SELECT pg_wal_replay_pause()');
    for (let i = 0; i < 2; i++) await env.submitTicket(app);
    expect(await onPrimary()).toBe(5);
    // The ticket list reads the primary: it has them at once.
    const listed = await get('/v1/tickets?limit=50').expect(200);
    expect(listed.body.items.filter((t: any) => t.channel === 'webform')).toHaveLength(5);
    // Reports and the board read the replica, which is behind while replay is paused.
    expect(await reported()).toBe(3);
    expect(await waitingOnBoard()).toBe(waiting);
    // The knowledge search runs its read-only transaction there too.
    await get('/v1/knowledge/search?q=pase').expect(200);
    const [{ readers }] = await replica.sql(
      `SELECT count(*)::int AS readers FROM pg_stat_activity WHERE application_name = 'vp-replica-reads'`,
    );
    expect(readers).toBeGreaterThan(0);

    await replica.sql('SELECT pg_wal_replay_resume()');
    await eventually(async () => (await reported()) === 5);
  }, 60000);

  it('reads from the primary while the replica is away, and from the replica again when it is back', async () => {
    await replica.stop();
    await env.submitTicket(app);
    // Not an outage: the same reads answer, from the primary, with what the primary has.
    expect(await reported()).toBe(6);
    expect(await waitingOnBoard()).toBe(6);
    await get('/v1/knowledge/search?q=pase').expect(200);
    await get(`/v1/reports/volumes?from=${month}&format=csv`)
      .expect(200)
      .expect('Content-Type', /text\/csv/);
    // A process starting while the replica is away starts on the primary alone, rather than not at all.
    const late = await env.startApi({ APP_ROLE: 'api', DATABASE_REPLICA_URLS: `${replica.url}?application_name=vp-replica-reads` });
    await request(late.getHttpServer()).get(`/v1/reports/volumes?from=${month}`).set('Authorization', `Bearer ${token}`).expect(200);
    await env.stop(late);

    await replica.start();
    await eventually(
      async () => (await replica.sql(`SELECT count(*)::int AS n FROM pg_stat_wal_receiver WHERE status = 'streaming'`))[0].n === 1,
      { timeoutMs: 30000 },
    );
    await replica.sql('SELECT pg_wal_replay_pause()');
    await env.submitTicket(app);
    // Once the back-off has passed, reports read the replica again: it is paused at 6 while the primary has 7.
    await eventually(async () => (await reported()) === 6, { timeoutMs: 30000, everyMs: 500 });
    expect(await onPrimary()).toBe(7);
    await replica.sql('SELECT pg_wal_replay_resume()');
    await eventually(async () => (await reported()) === 7);
  }, 90000);

  it('survives the primary restarting: 503 while it is down, then reads and writes again, the replica streaming', async () => {
    await primary.stop();
    // Signed-in requests check the session on the primary, so they wait for it; nothing crashes.
    await get(`/v1/reports/volumes?from=${month}`).expect(503);
    await primary.start();
    await eventually(async () => (await request(app.getHttpServer()).get('/health')).status === 200, { timeoutMs: 30000, everyMs: 250 });
    await eventually(
      async () => {
        try {
          await env.submitTicket(app);
          return true;
        } catch {
          return false;
        }
      },
      { timeoutMs: 30000, everyMs: 500 },
    );
    // The replica reconnects to the restarted primary by itself and catches up.
    await eventually(async () => (await reported()) === 8, { timeoutMs: 30000, everyMs: 500 });
  }, 90000);
});

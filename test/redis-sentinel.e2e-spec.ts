import { INestApplication } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import request from 'supertest';
import { inboundJobIdOf } from '../src/inbound/inbound.service';
import { QueueName } from '../src/queues';
import { webformSubmission } from './support/factories';
import { inParallel, TelegramCounter, untilAccepted } from './support/fault-clients';
import { SENTINEL_MASTER_NAME, SentinelRedis } from './support/redis-sentinel';
import { eventually, login, signedSubmission, TestEnv } from './support/test-env';

const TELEGRAM_SECRET = 'sentinel-test-secret-token';
const BOT_TOKEN = '123456:sentinel-test-bot';
/** REDIS_FAULTS_LONG=1 runs more traffic through each failover; the short variant always runs. */
const PER_PHASE = process.env.REDIS_FAULTS_LONG ? 300 : 40;
/** A stalled job's lock (10 s) and a pass of BullMQ's stalled-job check (5 s), with room for a loaded machine. */
const RECOVERED_WITHIN_MS = 60_000;

/**
 * Redis Sentinel failover with real engines: a primary, a replica and three sentinels of our own, an API and a
 * worker process connected through the sentinels only. The primary is killed while web forms come in and
 * operators' replies go out; a replica is promoted; then the old primary returns as a replica and the new one is
 * killed too. What BullMQ lost in the seconds of each failover comes back from PostgreSQL through the sweeps.
 */
describe('faults: Redis Sentinel failover during ingest and outbound sends', () => {
  let redis: SentinelRedis;
  let telegram: TelegramCounter;
  let env: TestEnv;
  let api: INestApplication;
  let token: string;
  const http = () => request(api.getHttpServer());

  beforeAll(async () => {
    redis = await SentinelRedis.start();
    telegram = await TelegramCounter.start();
    env = new TestEnv({ redisUrl: `redis://127.0.0.1:${redis.primaryPort()}` });
    const overrides = {
      REDIS_URL: '', // not needed: the sentinels name the primary
      REDIS_SENTINELS: redis.sentinels,
      REDIS_SENTINEL_NAME: SENTINEL_MASTER_NAME,
      INBOUND_SWEEP_INTERVAL_MS: '2000',
      OUTBOUND_SWEEP_INTERVAL_MS: '2000',
      TELEGRAM_SECRET_TOKEN: TELEGRAM_SECRET,
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_API_BASE_URL: telegram.base,
    };
    api = await env.startApi(overrides);
    await env.startWorker(overrides);
    token = await login(api);
  }, 90000);
  afterAll(async () => {
    await env.teardown();
    await telegram.close();
    await redis.stop();
  });

  /** Telegram conversations that are tickets already, so that replies can be sent to them during the fault. */
  async function telegramTickets(count: number, firstUpdate: number): Promise<string[]> {
    const refs: string[] = [];
    for (let i = 0; i < count; i++) {
      const chat = 6_000_000 + firstUpdate + i;
      await http()
        .post('/v1/channels/social/telegram/webhook')
        .set('X-Telegram-Bot-Api-Secret-Token', TELEGRAM_SECRET)
        .send({
          update_id: firstUpdate + i,
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
    for (let i = 0; i < count; i++) {
      const [row] = await eventually(() =>
        env
          .sql(
            `SELECT t.reference FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.channel = 'social' AND m.external_id = $1`,
            [`telegram:${firstUpdate + i}`],
          )
          .then((r) => (r.length ? r : null)),
      );
      refs.push(row.reference);
    }
    return refs;
  }

  /**
   * Web forms and replies at the same time, the primary killed once a third of each is in. Clients retry what
   * failed with the same identity (submissionId, Idempotency-Key), as the portal and the console do.
   */
  async function trafficThroughFailover(phase: string, references: string[]): Promise<{ submitted: string[]; replies: string[] }> {
    const forms = Array.from({ length: PER_PHASE }, () => webformSubmission());
    const replies = references.map((ref, i) => ({ ref, text: `${phase}: atbilde ${i}`, key: `${phase}-reply-${i}` }));
    let started = 0;
    // Asserted, not annotated: assigned in a callback, it would otherwise stay narrowed to null below.
    let killing = null as Promise<unknown> | null;
    const maybeKill = () => {
      if (++started === Math.ceil((forms.length + replies.length) / 3)) killing = redis.killPrimary();
    };
    const submitted = inParallel(
      4,
      forms.map((form) => async () => {
        maybeKill();
        const res = await untilAccepted(
          () => signedSubmission(api, form),
          (r) => r.status === 202,
        );
        return res.body.reference as string;
      }),
    );
    const sent = inParallel(
      2,
      replies.map((r) => async () => {
        maybeKill();
        await untilAccepted(
          () =>
            http()
              .post(`/v1/tickets/${r.ref}/replies`)
              .set('Authorization', `Bearer ${token}`)
              .set('Idempotency-Key', r.key)
              .send({ text: r.text, force: true }),
          (res) => res.status === 202,
        );
        return r.text;
      }),
    );
    const result = { submitted: await submitted, replies: await sent };
    expect(killing).not.toBeNull();
    await killing;
    return result;
  }

  /** What a failure needs to be understood: each accepted event without its ticket, and where its job is. */
  async function notTickets(submitted: string[]): Promise<unknown[]> {
    const rows = await env.sql(
      `SELECT e.channel, e.external_id, e.batch_id, e.reference, e.status, e.attempts, e.last_error, e.received_at FROM inbound_events e
        WHERE e.reference = ANY($1) AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.reference = e.reference)`,
      [submitted],
    );
    const queue = api.get<Queue>(getQueueToken(QueueName.Inbound));
    return Promise.all(
      rows.map(async (row) => {
        const job = await queue
          .getJob(inboundJobIdOf({ batchId: row.batch_id, channel: row.channel, externalId: row.external_id }))
          .catch((e: Error) => e);
        const where =
          job instanceof Error
            ? job.message
            : job
              ? { state: await job.getState(), attempts: job.attemptsMade, failed: job.failedReason }
              : 'no job';
        return { ...row, job: where };
      }),
    );
  }

  /**
   * Every accepted event is a ticket exactly once, every queued reply was sent exactly once. Within a bound that
   * allows for BullMQ's own repair: a job whose completion died with the primary, after the replica had it as
   * active, is still active on the new primary under a lock nobody renews. The pending sweep cannot queue it again
   * (its id is taken); the stalled-job check returns it to the queue once the lock has run out (QUICK_RECOVERY:
   * a 10 s lock, a check every 5 s).
   */
  async function expectNothingLostOrDoubled(submitted: string[], replies: string[]): Promise<void> {
    await eventually(
      async () => {
        const [{ n }] = await env.sql(`SELECT count(*)::int AS n FROM tickets WHERE reference = ANY($1)`, [submitted]);
        return n === submitted.length;
      },
      { timeoutMs: RECOVERED_WITHIN_MS, everyMs: 250 },
    ).catch(async (error: Error) => {
      throw new Error(
        `${error.message}\nevents that are no ticket yet, with their jobs:\n${JSON.stringify(await notTickets(submitted), null, 1)}`,
      );
    });
    const [{ pending }] = await env.sql(`SELECT count(*)::int AS pending FROM inbound_events WHERE status <> 'processed'`);
    expect(pending).toBe(0);
    const [{ doubled }] = await env.sql(
      `SELECT count(*)::int AS doubled FROM (SELECT 1 FROM messages WHERE direction = 'inbound' GROUP BY channel, external_id HAVING count(*) > 1) d`,
    );
    expect(doubled).toBe(0);
    const [{ tickets }] = await env.sql(`SELECT count(DISTINCT ticket_id)::int AS tickets FROM inbound_events WHERE channel = 'webform'`);
    const [{ events }] = await env.sql(`SELECT count(*)::int AS events FROM inbound_events WHERE channel = 'webform'`);
    expect(tickets).toBe(events); // one ticket per accepted form, none twice

    await eventually(async () => replies.every((text) => telegram.sent.get(text) === 1) || null, {
      timeoutMs: RECOVERED_WITHIN_MS,
      everyMs: 250,
    }).catch(() => undefined);
    expect(replies.filter((text) => telegram.sent.get(text) !== 1).map((text) => `${text}: ${telegram.sent.get(text) ?? 0}`)).toEqual([]);
    const statuses = await env.sql(
      `SELECT delivery_status, count(*)::int AS n FROM messages WHERE direction = 'outbound' AND text = ANY($1) GROUP BY 1`,
      [replies],
    );
    expect(statuses).toEqual([{ delivery_status: 'sent', n: replies.length }]);
  }

  it('loses and doubles nothing when the primary is killed and a replica promoted, twice', async () => {
    const references = await telegramTickets(Math.ceil(PER_PHASE / 2), 810000);

    const first = await trafficThroughFailover('first', references);
    await expectNothingLostOrDoubled(first.submitted, first.replies);
    await http().get('/health').expect(200);

    // The killed server comes back as a replica; then the new primary dies and the sentinels switch back.
    const firstKilled = redis.dataPorts.find((p) => p !== redis.primaryPort())!;
    await redis.restartAsReplica(firstKilled);
    const second = await trafficThroughFailover('second', references);
    expect(redis.primaryPort()).toBe(firstKilled);
    await expectNothingLostOrDoubled([...first.submitted, ...second.submitted], [...first.replies, ...second.replies]);
    await http().get('/health').expect(200);
  }, 360000);
});

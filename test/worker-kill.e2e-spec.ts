import { INestApplication } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import request from 'supertest';
import { JobName, QueueName } from '../src/queues';
import { webformSubmission } from './support/factories';
import { inParallel, TelegramCounter } from './support/fault-clients';
import { eventually, signedSubmission, TestEnv } from './support/test-env';
import { ServiceProcess } from './support/worker-process';

const TELEGRAM_SECRET = 'worker-kill-test-secret-token';
/** WORKER_FAULTS_LONG=1 (or FAULTS_LONG=1, every fault test's long variant) ingests 10,000 events through the crash. */
const LONG = Boolean(process.env.WORKER_FAULTS_LONG || process.env.FAULTS_LONG);
const EVENTS = LONG ? 10_000 : 1_500;
/** How long one step (ingesting a fifth, then the rest) may take on a loaded machine. */
const STEP_MS = LONG ? 40 * 60_000 : 240_000;
/** Every fifth event arrives by a webhook (Telegram), the rest by the web form. */
const isWebhook = (i: number) => i % 5 === 4;

/**
 * The worker runs in a process of its own and is killed with SIGKILL while it is writing batches: no shutdown
 * hook runs, the jobs it holds stay active in Redis under a lock nobody renews, and its open transactions are
 * rolled back by PostgreSQL. A new worker started afterwards must turn every accepted event into exactly one
 * ticket, and leave nothing waiting, active or failed.
 */
describe('faults: the worker killed with SIGKILL mid-batch while events are ingested', () => {
  const env = new TestEnv();
  let api: INestApplication;
  let telegram: TelegramCounter;
  const workers: ServiceProcess[] = [];
  let overrides: Record<string, string>;

  beforeAll(async () => {
    telegram = await TelegramCounter.start();
    overrides = {
      TELEGRAM_SECRET_TOKEN: TELEGRAM_SECRET,
      TELEGRAM_BOT_TOKEN: '123456:worker-kill-test-bot',
      TELEGRAM_API_BASE_URL: telegram.base,
      INBOUND_SWEEP_INTERVAL_MS: '2000',
      INBOUND_BATCH_WAIT_MS: '20',
      // Every simulated client is on loopback: the per-source limits would count them as one.
      RATE_LIMIT_WEBFORM_PER_MINUTE: '1000000',
      RATE_LIMIT_WEBHOOKS_PER_MINUTE: '1000000',
    };
    api = await env.startApi({ APP_ROLE: 'api', ...overrides });
    workers.push(await ServiceProcess.start(env, overrides));
  }, 300_000);
  afterAll(async () => {
    for (const w of workers) await w.kill();
    await env.teardown();
    await telegram.close();
  }, 120_000);

  const processed = async () => (await env.sql(`SELECT count(*)::int AS n FROM inbound_events WHERE status = 'processed'`))[0].n as number;

  it(
    'turns every accepted event into exactly one ticket after the worker is killed and started again',
    async () => {
      const send = (i: number) => {
        if (!isWebhook(i)) return signedSubmission(api, webformSubmission());
        const id = 7_000_000 + i; // one chat per update, so each is a conversation of its own
        return request(api.getHttpServer())
          .post('/v1/channels/social/telegram/webhook')
          .set('X-Telegram-Bot-Api-Secret-Token', TELEGRAM_SECRET)
          .send({
            update_id: id,
            message: {
              message_id: 1,
              from: { id, is_bot: false, first_name: 'Ilze' },
              chat: { id, type: 'private' },
              date: Math.floor(Date.now() / 1000),
              text: `Jautājums ${id}`,
            },
          });
      };

      // The worker is killed once it has written a fifth of the events, while the rest are still arriving.
      const queue = api.get<Queue>(getQueueToken(QueueName.Inbound));
      let killedAt = -1;
      let heldAtKill = 0;
      const killer = (async () => {
        await eventually(async () => (await processed()) >= EVENTS / 5, { timeoutMs: STEP_MS, everyMs: 100 });
        killedAt = await processed();
        await workers[0].kill();
        heldAtKill = (await queue.getJobCounts('active')).active;
      })();
      const answers = await inParallel(
        8,
        Array.from({ length: EVENTS }, (_, i) => () => send(i)),
      );
      await killer;
      expect(answers.map((a, i) => (a.status === (isWebhook(i) ? 200 : 202) ? null : `${i}: HTTP ${a.status}`)).filter(Boolean)).toEqual(
        [],
      );
      expect(killedAt).toBeLessThan(EVENTS);
      // It died with jobs in hand: a batch being written, or events waiting for the next one.
      expect(heldAtKill).toBeGreaterThan(0);
      // Nobody is working now: what the dead worker held is active in Redis, or accepted and not yet taken.
      expect(await processed()).toBeLessThan(EVENTS);

      workers.push(await ServiceProcess.start(env, overrides));
      await eventually(async () => (await processed()) === EVENTS || null, { timeoutMs: STEP_MS, everyMs: 500 }).catch(() => undefined);

      const [counts] = await env.sql(
        `SELECT count(*)::int AS events, count(DISTINCT ticket_id)::int AS tickets,
              count(*) FILTER (WHERE status <> 'processed')::int AS pending FROM inbound_events`,
      );
      expect(counts).toEqual({ events: EVENTS, tickets: EVENTS, pending: 0 });
      const [{ tickets }] = await env.sql(`SELECT count(*)::int AS tickets FROM tickets`);
      expect(tickets).toBe(EVENTS);
      const [{ dupes }] = await env.sql(
        `SELECT count(*)::int AS dupes FROM (SELECT 1 FROM messages WHERE direction = 'inbound' GROUP BY channel, external_id HAVING count(*) > 1) d`,
      );
      expect(dupes).toBe(0);
      // Each web-form client's reference is a ticket of its own.
      const references = answers.filter((_, i) => !isWebhook(i)).map((a) => a.body.reference as string);
      expect(new Set(references).size).toBe(references.length);
      const [{ found }] = await env.sql(`SELECT count(*)::int AS found FROM tickets WHERE reference = ANY($1)`, [references]);
      expect(found).toBe(references.length);

      // Nothing stuck in the queue: no event's job left waiting, delayed (the periodic sweep's next run is, by design)
      // or failed, and the jobs the dead worker held (active under a lock nobody renews) taken back by BullMQ's
      // stalled-job check once their lock (10 s, QUICK_RECOVERY) has run out.
      let left: Record<string, number> = {};
      await eventually(
        async () => {
          const [waiting, active, delayed, failed] = await Promise.all(
            (['waiting', 'active', 'delayed', 'failed'] as const).map((state) => queue.getJobs([state])),
          );
          const events = (jobs: Array<{ name: string }>) =>
            jobs.filter((j) => j.name === JobName.InboundEvents || j.name === JobName.InboundMessage).length;
          left = { waiting: events(waiting), active: events(active), delayed: events(delayed), failed: events(failed) };
          return Object.values(left).every((n) => n === 0) || null;
        },
        { timeoutMs: 120_000, everyMs: 1000 },
      ).catch(() => undefined);
      expect(left).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
    },
    (LONG ? 120 : 10) * 60_000,
  );
});

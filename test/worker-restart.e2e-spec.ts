import { getQueueToken } from '@nestjs/bullmq';
import { INestApplication } from '@nestjs/common';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { QueueName } from '../src/queues';
import { eventually, REDIS_URL, signedSubmission, TestEnv } from './support/test-env';
import { webformSubmission } from './support/factories';

describe('nothing accepted is lost: worker down, worker restarted, Redis emptied', () => {
  const env = new TestEnv();
  let api: INestApplication;

  beforeAll(async () => {
    api = await env.startApi({ APP_ROLE: 'api' });
  });
  afterAll(() => env.teardown());

  const ticketCount = async () => (await env.sql('SELECT count(*)::int AS n FROM tickets'))[0].n;

  it('accepts while no worker runs, and a worker started later turns every accepted submission into a ticket', async () => {
    const bodies = Array.from({ length: 40 }, () => webformSubmission());
    const answers = await Promise.all(bodies.map((b) => signedSubmission(api, b)));
    answers.forEach((a) => expect(a.status).toBe(202));
    await new Promise((r) => setTimeout(r, 300));
    expect(await ticketCount()).toBe(0);

    const worker = await env.startWorker();
    await eventually(async () => (await ticketCount()) === 40);
    const refs = await env.sql('SELECT reference FROM tickets ORDER BY reference');
    expect(refs.map((r) => r.reference).sort()).toEqual(answers.map((a) => a.body.reference).sort());
    await env.stop(worker);
  });

  it('a worker stopped mid-stream finishes what it holds, and the next one takes the rest', async () => {
    const before = await ticketCount();
    const worker = await env.startWorker();
    const bodies = Array.from({ length: 60 }, () => webformSubmission());
    const sending = Promise.all(bodies.map((b, i) => new Promise((r) => setTimeout(r, i * 5)).then(() => signedSubmission(api, b))));
    await new Promise((r) => setTimeout(r, 100));
    await env.stop(worker); // graceful: jobs in hand are finished
    const answers = await sending;
    answers.forEach((a) => expect(a.status).toBe(202));

    const next = await env.startWorker();
    await eventually(async () => (await ticketCount()) === before + 60);
    const [{ pending }] = await env.sql(`SELECT count(*)::int AS pending FROM inbound_events WHERE status <> 'processed'`);
    expect(pending).toBe(0);
    await env.stop(next);
  });

  it('events whose jobs Redis lost are found in PostgreSQL and processed when a worker starts', async () => {
    const before = await ticketCount();
    const bodies = Array.from({ length: 10 }, () => webformSubmission());
    for (const b of bodies) await signedSubmission(api, b).expect(202);

    // Redis restarted without its data: every key of this installation is gone.
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${env.name}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();

    const worker = await env.startWorker();
    await eventually(async () => (await ticketCount()) === before + 10);
    await env.stop(worker);
  });

  it('events whose job BullMQ failed for stalling are tried again by the sweep, not left accepted for ever', async () => {
    const before = await ticketCount();
    const bodies = Array.from({ length: 3 }, () => webformSubmission());
    for (const b of bodies) await signedSubmission(api, b).expect(202);

    // What BullMQ does to a job whose workers died holding it twice: it fails it with this reason. Here a worker of
    // the test's own takes the jobs and fails them so, without our failure handler (as when PostgreSQL is away).
    const queue = api.get<Queue>(getQueueToken(QueueName.Inbound));
    const failing = new Worker(
      QueueName.Inbound,
      async () => {
        throw new UnrecoverableError('job stalled more than allowable limit');
      },
      { connection: queue.opts.connection, prefix: queue.opts.prefix },
    );
    await eventually(async () => (await queue.getJobCounts('failed')).failed === 3 || null);
    await failing.close();
    const [{ accepted }] = await env.sql(`SELECT count(*)::int AS accepted FROM inbound_events WHERE status = 'accepted'`);
    expect(accepted).toBe(3);

    const worker = await env.startWorker(); // its sweep at start checks every pending event
    await eventually(async () => (await ticketCount()) === before + 3);
    const [{ pending }] = await env.sql(`SELECT count(*)::int AS pending FROM inbound_events WHERE status <> 'processed'`);
    expect(pending).toBe(0);
    expect((await queue.getJobCounts('failed')).failed).toBe(0);
    await env.stop(worker);
  });

  it('events whose jobs a failover lost are queued again as soon as the worker is connected again, not at the next sweep', async () => {
    const before = await ticketCount();
    const worker = await env.startWorker(); // the periodic sweep: once a minute, for events a minute old
    const queue = worker.get<Queue>(getQueueToken(QueueName.Inbound));
    await queue.pause();
    const bodies = Array.from({ length: 5 }, () => webformSubmission());
    for (const b of bodies) await signedSubmission(api, b).expect(202);
    // The jobs were on the primary that died; the promoted replica never had them.
    const waiting = async () => Object.values(await queue.getJobCounts('wait', 'paused')).reduce((a, b) => a + b, 0);
    await eventually(async () => (await waiting()) === 5);
    await queue.drain();
    expect(await waiting()).toBe(0);
    await queue.resume();

    // The worker's connection to Redis breaks and is made again, as in a failover.
    (await queue.client).disconnect(true);
    await eventually(async () => (await ticketCount()) === before + 5, { timeoutMs: 15_000, everyMs: 100 });
    await env.stop(worker);
  });
});

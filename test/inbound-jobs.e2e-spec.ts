import { getQueueToken } from '@nestjs/bullmq';
import { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { inboundJobId, inboundJobIdOf, InboundService } from '../src/inbound/inbound.service';
import { anonymiseTickets } from '../src/privacy/erasure';
import { JobName, QueueName } from '../src/queues';
import { VALID_PERSONAL_CODE, webformSubmission } from './support/factories';
import { dumpRedis } from './support/redis-dump';
import { eventually, signedSubmission, TestEnv } from './support/test-env';

describe('inbound jobs carry ids: what a citizen wrote stays in PostgreSQL', () => {
  const env = new TestEnv();
  let api: INestApplication;
  let queue: Queue;

  beforeAll(async () => {
    api = await env.startApi({ APP_ROLE: 'api' });
    queue = api.get<Queue>(getQueueToken(QueueName.Inbound));
  });
  afterAll(() => env.teardown());

  const eventOf = async (submissionId: string) =>
    (
      await env.sql(
        `SELECT id, status, ticket_id, payload, batch_id, last_error FROM inbound_events WHERE channel = 'webform' AND external_id = $1`,
        [submissionId],
      )
    )[0];
  const jobOf = (event: Record<string, string | null>, submissionId: string) =>
    inboundJobIdOf({ batchId: event.batch_id, channel: 'webform', externalId: submissionId });
  const finished = async (job: Job) => {
    await eventually(async () => ['completed', 'failed'].includes(await job.getState()));
    return (await queue.getJob(job.id!))!;
  };

  it('a waiting job holds the event id, and nothing of the form', async () => {
    const body = webformSubmission({
      applicant: {
        firstName: 'Ausma',
        lastName: 'Kalniņa-Jobless',
        personalCode: VALID_PERSONAL_CODE,
        email: 'ausma.kalnina@example.lv',
        phone: '+37129876543',
      },
      message: 'Lūdzu atsūtīt izziņu par manu deklarēto dzīvesvietu Ganību dambī 7',
    });
    await signedSubmission(api, body).expect(202);
    const event = await eventOf(body.submissionId);
    expect(event.status).toBe('accepted');

    const job = await queue.getJob(jobOf(event, body.submissionId));
    expect(job?.name).toBe(JobName.InboundEvents);
    expect(job?.data).toEqual({ eventIds: [event.id] });
    const redis = await dumpRedis(env);
    for (const secret of ['Kalniņa-Jobless', VALID_PERSONAL_CODE, '29876543', 'ausma.kalnina@example.lv', 'Ganību dambī', body.subject])
      expect([secret, redis.filter((r) => r.includes(secret))]).toEqual([secret, []]);

    // The worker reads the event from PostgreSQL and places it as before.
    const worker = await env.startWorker();
    const placed = await finished(job!);
    expect(placed.returnvalue).toEqual({ events: 1, outcomes: { created: 1 } });
    const [ticket] = await env.sql(
      `SELECT t.reference, c.last_name FROM tickets t JOIN customers c ON c.id = t.customer_id WHERE t.id = $1`,
      [(await eventOf(body.submissionId)).ticket_id],
    );
    expect(ticket).toEqual({ reference: expect.stringMatching(/^VP-/), last_name: 'Kalniņa-Jobless' });
    await env.stop(worker);
  });

  it('a job queued by an older version, with the message in it, is placed from the stored event', async () => {
    const body = webformSubmission();
    await signedSubmission(api, body).expect(202);
    const event = await eventOf(body.submissionId);
    expect(await queue.remove(jobOf(event, body.submissionId))).toBe(1);
    // The message in the old job is ignored: the stored event is what was accepted.
    const legacy = await queue.add(
      JobName.InboundMessage,
      { eventId: event.id, receivedAt: new Date().toISOString(), reference: null, message: { ...event.payload, text: 'not this' } },
      { jobId: inboundJobId('webform', body.submissionId) },
    );

    const worker = await env.startWorker();
    const placed = await finished(legacy);
    expect(placed.returnvalue).toMatchObject({ outcome: 'created' });
    const texts = await env.sql(`SELECT text FROM messages WHERE ticket_id = $1`, [placed.returnvalue.ticketId]);
    expect(texts).toEqual([{ text: body.message }]);
    await env.stop(worker);
  });

  it('a job run again after its ticket was erased answers with what the event became, and changes nothing', async () => {
    const body = webformSubmission();
    const accepted = await signedSubmission(api, body).expect(202);
    const worker = await env.startWorker();
    await eventually(async () => (await eventOf(body.submissionId)).status === 'processed');
    const event = await eventOf(body.submissionId);
    await worker.get<DataSource>(getDataSourceToken()).transaction((m) => anonymiseTickets(m, [event.ticket_id], []));
    expect((await eventOf(body.submissionId)).payload).toEqual({ erased: true, channel: 'webform' });
    const tickets = async () => (await env.sql(`SELECT count(*)::int AS n FROM tickets`))[0].n;
    const before = await tickets();

    // As after a worker that died between its commit and BullMQ's completion of the job.
    const again = await queue.add(JobName.InboundMessage, { eventId: event.id, channel: 'webform' }, { jobId: `${event.id}-again` });
    const done = await finished(again);
    expect(await done.getState()).toBe('completed');
    expect(done.returnvalue).toEqual({
      outcome: 'duplicate',
      ticketId: event.ticket_id,
      messageId: expect.any(String),
      reference: accepted.body.reference,
    });
    expect(await tickets()).toBe(before);
    expect((await eventOf(body.submissionId)).status).toBe('processed');
    await env.stop(worker);
  });

  it('a job whose event is not in the database fails, saying so', async () => {
    const worker = await env.startWorker();
    const orphan = await queue.add(
      JobName.InboundMessage,
      { eventId: '00000000-0000-4000-8000-000000000000', channel: 'webform' },
      { jobId: 'orphan', attempts: 1 },
    );
    const done = await finished(orphan);
    expect(await done.getState()).toBe('failed');
    expect(done.failedReason).toContain('is not in the database');
    await env.stop(worker);
  });

  describe('the events accepted together are one job', () => {
    const calls = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        channel: 'voice' as const,
        externalId: `CA${randomUUID().replace(/-/g, '')}`,
        from: { identifiers: [] },
        text: `call ${i}`,
      }));
    const rowsOf = (eventIds: string[]) =>
      env.sql(`SELECT id, status, batch_id, last_error FROM inbound_events WHERE id = ANY($1) ORDER BY id`, [eventIds]);
    const jobIdOfBatch = async (eventIds: string[]) => {
      const [row] = await rowsOf(eventIds);
      return inboundJobIdOf({ batchId: row.batch_id, channel: 'voice', externalId: '' });
    };

    it('holds the ids of all of them, and its run places each', async () => {
      const accepted = await api.get(InboundService).acceptMany(calls(3));
      const eventIds = accepted.map((a) => a.eventId);
      const rows = await rowsOf(eventIds);
      expect(new Set(rows.map((r) => r.batch_id)).size).toBe(1);
      const job = (await queue.getJob(await jobIdOfBatch(eventIds)))!;
      expect(job.data).toEqual({ eventIds });

      const worker = await env.startWorker();
      expect((await finished(job)).returnvalue).toEqual({ events: 3, outcomes: { created: 3 } });
      expect((await rowsOf(eventIds)).map((r) => r.status)).toEqual(['processed', 'processed', 'processed']);
      await env.stop(worker);
    });

    it("that Redis lost is made again with every waiting event of the batch, though the sweep's page held one", async () => {
      const eventIds = (await api.get(InboundService).acceptMany(calls(3))).map((a) => a.eventId);
      const jobId = await jobIdOfBatch(eventIds);
      expect(await queue.remove(jobId)).toBe(1);

      // A page of one: the batch's first event is on it, the others on pages after it, when the job exists again.
      expect(await api.get(InboundService).requeuePending(0, 1)).toBeGreaterThanOrEqual(3);
      const again = (await queue.getJob(jobId))!;
      expect([...again.data.eventIds].sort()).toEqual([...eventIds].sort());
      const waiting = (await queue.getJobs(['wait', 'paused', 'delayed'])).filter((j) => j.name === JobName.InboundEvents);
      expect(waiting.map((j) => j.id)).toEqual([jobId]);

      const worker = await env.startWorker();
      await finished(again);
      expect((await rowsOf(eventIds)).map((r) => r.status)).toEqual(['processed', 'processed', 'processed']);
      await env.stop(worker);
    });

    it('that Redis lost is made again with the whole batch when one of its waiting events is replayed', async () => {
      const events = calls(2);
      const eventIds = (await api.get(InboundService).acceptMany(events)).map((a) => a.eventId);
      const jobId = await jobIdOfBatch(eventIds);
      expect(await queue.remove(jobId)).toBe(1);

      const [replay] = await api.get(InboundService).acceptMany([events[1]]);
      expect(replay).toMatchObject({ eventId: eventIds[1], duplicate: true, status: 'accepted' });
      expect([...(await queue.getJob(jobId))!.data.eventIds].sort()).toEqual([...eventIds].sort());
      await queue.remove(jobId);
    });

    it('is not held back by an event of it that fails; when it gives up, that event alone is failed, with its own error', async () => {
      const eventIds = (await api.get(InboundService).acceptMany(calls(2))).map((a) => a.eventId);
      await queue.remove(await jobIdOfBatch(eventIds));
      // An event the pipeline cannot place: its payload lost the sender.
      const [broken, sound] = eventIds;
      await env.sql(`UPDATE inbound_events SET payload = payload - 'from' WHERE id = $1`, [broken]);
      const job = await queue.add(
        JobName.InboundEvents,
        { eventIds },
        { jobId: `events-${randomUUID()}`, attempts: 2, backoff: { type: 'fixed', delay: 100 } },
      );

      const worker = await env.startWorker();
      const done = await finished(job);
      expect(await done.getState()).toBe('failed');
      expect(done.attemptsMade).toBe(2);
      expect(done.failedReason).toMatch(/^1 of 2 inbound events failed; the first: /);
      const rows = new Map((await rowsOf(eventIds)).map((r) => [r.id, r]));
      expect(rows.get(sound)).toMatchObject({ status: 'processed', last_error: null });
      expect(rows.get(broken)).toMatchObject({ status: 'failed' });
      expect(done.failedReason).toContain(rows.get(broken)!.last_error);
      const [{ tickets }] = await env.sql(`SELECT count(*)::int AS tickets FROM inbound_events WHERE id = $1 AND ticket_id IS NOT NULL`, [
        sound,
      ]);
      expect(tickets).toBe(1);
      await env.stop(worker);
    });
  });
});

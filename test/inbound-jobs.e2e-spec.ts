import { getQueueToken } from '@nestjs/bullmq';
import { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { inboundJobId } from '../src/inbound/inbound.service';
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
      await env.sql(`SELECT id, status, ticket_id, payload FROM inbound_events WHERE channel = 'webform' AND external_id = $1`, [
        submissionId,
      ])
    )[0];
  const finished = async (job: Job) => {
    await eventually(async () => ['completed', 'failed'].includes(await job.getState()));
    return (await queue.getJob(job.id!))!;
  };

  it('a waiting job holds the event id and channel, and nothing of the form', async () => {
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

    const job = await queue.getJob(inboundJobId('webform', body.submissionId));
    expect(job?.data).toEqual({ eventId: event.id, channel: 'webform' });
    const redis = await dumpRedis(env);
    for (const secret of ['Kalniņa-Jobless', VALID_PERSONAL_CODE, '29876543', 'ausma.kalnina@example.lv', 'Ganību dambī', body.subject])
      expect([secret, redis.filter((r) => r.includes(secret))]).toEqual([secret, []]);

    // The worker reads the event from PostgreSQL and places it as before.
    const worker = await env.startWorker();
    const placed = await finished(job!);
    expect(placed.returnvalue).toMatchObject({ outcome: 'created', reference: expect.any(String) });
    const [ticket] = await env.sql(
      `SELECT t.reference, c.last_name FROM tickets t JOIN customers c ON c.id = t.customer_id WHERE t.id = $1`,
      [placed.returnvalue.ticketId],
    );
    expect(ticket).toEqual({ reference: placed.returnvalue.reference, last_name: 'Kalniņa-Jobless' });
    await env.stop(worker);
  });

  it('a job queued by an older version, with the message in it, is placed from the stored event', async () => {
    const body = webformSubmission();
    await signedSubmission(api, body).expect(202);
    const event = await eventOf(body.submissionId);
    const jobId = inboundJobId('webform', body.submissionId);
    await queue.remove(jobId);
    // The message in the old job is ignored: the stored event is what was accepted.
    const legacy = await queue.add(
      JobName.InboundMessage,
      { eventId: event.id, receivedAt: new Date().toISOString(), reference: null, message: { ...event.payload, text: 'not this' } },
      { jobId },
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
});

import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import request from 'supertest';
import { JobName, QueueName } from '../src/queues';
import { SlaFiringService } from '../src/sla/sla-firing.service';
import type { SlaTimerJobData } from '../src/sla/sla-timer-batch';
import { eventually, login, TestEnv } from './support/test-env';

/**
 * Timers due together are fired as one batch (one statement per step for the whole batch). Two workers given the
 * same due timers at the same moment must still record each breach, its ticket state and its breach actions once.
 */
describe('SLA firing in batches with two workers', () => {
  const env = new TestEnv();
  const N = 12;
  let api: INestApplication;
  let workers: INestApplicationContext[];

  beforeAll(async () => {
    api = await env.startApi({ APP_ROLE: 'api' });
    workers = [await env.startWorker(), await env.startWorker()];
    const admin = await login(api);
    await request(api.getHttpServer())
      .post('/v1/admin/sla-policies')
      .set('Authorization', `Bearer ${admin}`)
      // An hour: no timer falls due by itself during the test; the test moves the due times into the past.
      .send({
        name: 'VID stunda',
        channel: 'webform',
        institution: 'VID',
        firstResponse: { value: 3600, unit: 'calendar_seconds' },
        breachActions: [{ type: 'raise_priority', to: 'urgent' }],
      })
      .expect(201);
  });
  afterAll(() => env.teardown());

  /** N open tickets whose first-response clocks are past due now, and the breach timers that would fire them. */
  async function dueTickets(): Promise<SlaTimerJobData[]> {
    const references: string[] = [];
    for (let i = 0; i < N; i++) references.push(await env.submitTicket(api, { institution: 'VID' }));
    const rows = await env.sql(
      `UPDATE sla_clocks c SET due_at = now() - interval '2 seconds', warning_at = NULL FROM tickets t
       WHERE t.id = c.ticket_id AND c.metric = 'first_response' AND t.reference = ANY($1) RETURNING c.ticket_id, c.version`,
      [references],
    );
    expect(rows).toHaveLength(N);
    return rows.map((r) => ({ ticketId: r.ticket_id, metric: 'first_response', kind: 'breach', version: r.version }));
  }

  async function expectEachOnce(jobs: SlaTimerJobData[]): Promise<void> {
    const ids = jobs.map((j) => j.ticketId);
    const events = await env.sql(
      `SELECT ticket_id, count(*)::int AS n, min(actions::text) AS actions FROM sla_events WHERE kind = 'breached' AND ticket_id = ANY($1) GROUP BY 1`,
      [ids],
    );
    expect(events).toHaveLength(N);
    for (const e of events) {
      expect(e.n).toBe(1);
      expect(JSON.parse(e.actions)).toEqual([{ type: 'raise_priority', to: 'urgent', applied: true }]);
    }
    const tickets = await env.sql(`SELECT priority, sla_state FROM tickets WHERE id = ANY($1)`, [ids]);
    expect(tickets.every((t) => t.priority === 'urgent' && t.sla_state === 'breached')).toBe(true);
    const audit = await env.sql(
      `SELECT subject_id, count(*)::int AS n FROM audit_events WHERE action = 'sla.breached' AND subject_id = ANY($1) GROUP BY 1`,
      [ids],
    );
    expect(audit.map((a) => a.n)).toEqual(Array(N).fill(1));
  }

  it('records each of a batch once when both workers fire the same batch at the same moment', async () => {
    const jobs = await dueTickets();
    const [first, second] = await Promise.all(workers.map((w) => w.get(SlaFiringService, { strict: false }).fire(jobs)));
    const recorded = [...first, ...second].filter((o) => o === 'recorded');
    expect(recorded).toHaveLength(N);
    // Whichever worker lost the race saw the other's records: nothing twice, nothing missed.
    expect(jobs.map((_, i) => [first[i], second[i]].sort())).toEqual(Array(N).fill(['duplicate', 'recorded']));
    await expectEachOnce(jobs);
    // Run again (the raised priority may have moved the clocks on to a new version, making the timers stale): nothing more.
    expect((await workers[0].get(SlaFiringService, { strict: false }).fire(jobs)).filter((o) => o === 'recorded')).toEqual([]);
    await expectEachOnce(jobs);
  });

  it('records each once when two copies of every timer reach the two workers through the queue', async () => {
    const jobs = await dueTickets();
    const queue = api.get<Queue>(getQueueToken(QueueName.Sla));
    await queue.addBulk(
      jobs.flatMap((data, i) =>
        ['a', 'b'].map((copy) => ({ name: JobName.SlaTimer, data, opts: { jobId: `batch-${copy}-${i}-${data.ticketId}` } })),
      ),
    );
    await eventually(
      async () =>
        (await env.sql(`SELECT 1 FROM sla_events WHERE kind = 'breached' AND ticket_id = ANY($1)`, [jobs.map((j) => j.ticketId)]))
          .length === N,
    );
    await eventually(async () => (await queue.getJobCounts('waiting', 'active', 'delayed')).active === 0);
    await expectEachOnce(jobs);
  });
});

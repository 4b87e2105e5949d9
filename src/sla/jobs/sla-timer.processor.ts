import { InjectQueue, OnWorkerEvent, Processor } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job, Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { redisOf } from '../../common/redis';
import { AppConfig } from '../../config/app-config';
import { MetricsService } from '../../metrics/metrics.service';
import { RealtimePublisher } from '../../realtime/realtime.publisher';
import { PeriodicWork, QueueProcessor } from '../../common/queue-processor';
import { JobName, QueueName } from '../../queues';
import { batchOrOneByOne, MicroBatcher, Settled } from '@lib/micro-batcher';
import { SlaFiringService, SlaTimerOutcome } from '../sla-firing.service';
import { SlaTimerBatch, SlaTimerJobData } from '../sla-timer-batch';
import { SlaTimersService } from '../sla-timers.service';

/**
 * Runs the `sla` queue: timers are held concurrently and fired in batches (SlaFiringService: one transaction for
 * the timers due together, idempotent).
 *
 * A sweep on a job scheduler (and at start), run by one worker at a time under a lease in Redis (a slow sweep
 * must not overlap the next tick on this queue's many concurrent slots), re-adds the timers due soon from
 * PostgreSQL, so timers lost with Redis come back.
 */
@Processor(QueueName.Sla, { concurrency: 200 })
export class SlaTimerProcessor extends QueueProcessor {
  private readonly leaseToken = randomUUID();
  private readonly batcher = new MicroBatcher<SlaTimerJobData, Settled<SlaTimerOutcome>>((jobs) => this.fireBatch(jobs), { maxSize: 200, maxWaitMs: 5 });

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QueueName.Sla) private readonly queue: Queue,
    private readonly firing: SlaFiringService,
    private readonly timers: SlaTimersService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    private readonly realtime: RealtimePublisher,
  ) {
    super(QueueName.Sla, { queue });
  }

  override async onApplicationBootstrap(): Promise<void> {
    await super.onApplicationBootstrap();
    void this.sweep();
  }

  protected override periodic(): PeriodicWork[] {
    return [{ job: JobName.SlaSweep, everyMs: this.config.SLA_SWEEP_INTERVAL_MS, run: () => this.sweep() }];
  }

  protected override async handle(job: Job<SlaTimerJobData>): Promise<{ outcome: SlaTimerOutcome }> {
    const settled = await this.batcher.submit(job.data);
    if (!settled.ok) throw settled.error;
    this.metrics.slaTimers.inc({ kind: job.data.kind, outcome: settled.value });
    if (settled.value === 'recorded') this.metrics.slaEvents.inc({ metric: job.data.metric, kind: job.data.kind === 'breach' ? 'breached' : 'warning' });
    return { outcome: settled.value };
  }

  /** Timers due together are fired in one transaction; if that fails, one by one, so one bad timer holds back no other. */
  private async fireBatch(jobs: SlaTimerJobData[]): Promise<Array<Settled<SlaTimerOutcome>>> {
    const timers = new SlaTimerBatch();
    const results = await batchOrOneByOne(jobs, (batch) => this.firing.fire(batch, timers));
    await this.timers.schedule(timers);
    await this.announce(jobs.filter((_, i) => results[i]?.ok && (results[i] as { value: SlaTimerOutcome }).value === 'recorded'));
    return results;
  }

  /**
   * Supervisors hear of each warning and breach as it is recorded (an `sla` event; `GET /v1/sla/events` catches up
   * after a reconnect), and everyone who may see the ticket gets its new state.
   */
  private async announce(recorded: SlaTimerJobData[]): Promise<void> {
    if (recorded.length === 0) return;
    const rows: Array<{ id: string; reference: string }> = await this.dataSource
      .query('SELECT id, reference FROM tickets WHERE id = ANY($1::uuid[])', [recorded.map((j) => j.ticketId)])
      .catch(() => []);
    const referenceOf = new Map(rows.map((r) => [r.id, r.reference]));
    for (const job of recorded) {
      this.realtime.toSupervisors('sla', { reference: referenceOf.get(job.ticketId), metric: job.metric, kind: job.kind === 'breach' ? 'breached' : 'warning', at: new Date().toISOString() });
    }
    await this.realtime.ticketsChanged(recorded.map((j) => j.ticketId));
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<SlaTimerJobData> | undefined, error: Error): void {
    if (!job || job.name === JobName.SlaSweep) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    if (final) this.metrics.slaTimers.inc({ kind: job.data.kind, outcome: 'failed' });
    // A final failure removes the job; the sweep adds it again while the clock is still due.
    this.logger.warn({ err: error, ticketId: job.data.ticketId, metric: job.data.metric, attempt: job.attemptsMade, final }, 'SLA timer failed');
  }

  /**
   * One worker at a time (a lease in Redis for one interval) starts the clocks of open tickets that have none and
   * re-adds the timers due within the next two intervals.
   */
  async sweep(): Promise<number> {
    try {
      const redis = await redisOf(this.queue);
      const lease = `${this.config.REDIS_PREFIX}:sla:sweep-lease`;
      const got = await redis.set(lease, this.leaseToken, 'PX', Math.max(500, this.config.SLA_SWEEP_INTERVAL_MS - 200), 'NX');
      if (got !== 'OK') return 0;
      const adopted = new SlaTimerBatch();
      const untracked = await this.firing.adoptUntracked(adopted);
      await this.timers.schedule(adopted);
      if (untracked > 0) this.logger.log({ count: untracked }, 'started SLA clocks of open tickets that had none');
      const n = await this.timers.repair(new Date(Date.now() + 2 * this.config.SLA_SWEEP_INTERVAL_MS));
      if (n > 0) this.logger.debug({ count: n }, 'checked that every SLA timer due soon has a job');
      return n;
    } catch (error) {
      this.logger.warn({ err: error }, 'SLA sweep failed; will try again');
      return 0;
    }
  }
}

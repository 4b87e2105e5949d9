import { InjectQueue, OnWorkerEvent, Processor } from '@nestjs/bullmq';
import { Job, Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { redisOf } from '../../common/redis';
import { AppConfig } from '../../config/app-config';
import { MetricsService } from '../../metrics/metrics.service';
import { PeriodicWork, QueueProcessor } from '../../common/queue-processor';
import { JobName, QueueName, QUICK_RECOVERY } from '../../queues';
import { batchOrOneByOne, MicroBatcher, Settled } from '@lib/micro-batcher';
import { SlaFiringService, SlaTimerOutcome } from '../sla-firing.service';
import { SlaTimerJobData } from '../sla-timer-batch';
import { SlaTimersService } from '../sla-timers.service';

/**
 * Runs the `sla` queue: timers are held concurrently and fired in batches (SlaFiringService: one transaction for
 * the timers due together, idempotent).
 *
 * A sweep on a job scheduler (and at start), run by one worker at a time under a lease in Redis (a slow sweep
 * must not overlap the next tick on this queue's many concurrent slots), re-adds the timers due soon from
 * PostgreSQL, so timers lost with Redis come back.
 */
@Processor(QueueName.Sla, { ...QUICK_RECOVERY, concurrency: 200 })
export class SlaTimerProcessor extends QueueProcessor {
  private readonly leaseToken = randomUUID();
  // Two firing transactions at a time: a burst of due timers makes larger batches, not more transactions waiting
  // on each other's ticket locks.
  private readonly batcher = new MicroBatcher<SlaTimerJobData, Settled<SlaTimerOutcome>>((jobs) => this.fireBatch(jobs), {
    maxSize: 200,
    maxWaitMs: 5,
    maxInFlight: 2,
  });

  constructor(
    @InjectQueue(QueueName.Sla) private readonly queue: Queue,
    private readonly firing: SlaFiringService,
    private readonly timers: SlaTimersService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
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
    if (settled.value === 'recorded')
      this.metrics.slaEvents.inc({ metric: job.data.metric, kind: job.data.kind === 'breach' ? 'breached' : 'warning' });
    return { outcome: settled.value };
  }

  /**
   * Timers due together are fired in one transaction; if that fails, one by one, so one bad timer holds back no
   * other. Each firing transaction publishes its own effects after commit (supervisors' `sla` events, timers, moves).
   */
  private async fireBatch(jobs: SlaTimerJobData[]): Promise<Array<Settled<SlaTimerOutcome>>> {
    return batchOrOneByOne(jobs, (batch) => this.firing.fire(batch));
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<SlaTimerJobData> | undefined, error: Error): void {
    if (!job || job.name === JobName.SlaSweep) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    if (final) this.metrics.slaTimers.inc({ kind: job.data.kind, outcome: 'failed' });
    // A final failure removes the job; the sweep adds it again while the clock is still due.
    this.logger.warn(
      { err: error, ticketId: job.data.ticketId, metric: job.data.metric, attempt: job.attemptsMade, final },
      'SLA timer failed',
    );
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
      const untracked = await this.firing.adoptUntracked();
      if (untracked > 0) this.logger.log({ count: untracked }, 'started SLA clocks of open tickets that had none');
      const n = await this.timers.repair(this.timers.horizon());
      if (n > 0) this.logger.debug({ count: n }, 'checked that every SLA timer due soon has a job');
      return n;
    } catch (error) {
      this.logger.warn({ err: error }, 'SLA sweep failed; will try again');
      return 0;
    }
  }
}

import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { InjectQueue } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job, Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { redisOf } from '../../common/redis';
import { AppConfig } from '../../config/app-config';
import { MetricsService } from '../../metrics/metrics.service';
import { QueueName } from '../../queues';
import { AppliedAction, applyBreachActions } from '../sla-breach-actions';
import { SlaEngine } from '../sla-engine.service';
import { SlaPoliciesService } from '../sla-policies.service';
import { SlaTimerBatch, SlaTimerJobData } from '../sla-timer-batch';
import { SlaTimersService } from '../sla-timers.service';

export type SlaTimerOutcome = 'recorded' | 'stale' | 'early' | 'duplicate';

/**
 * Fires SLA timers. A timer only states "look at this clock now": on the locked ticket, it checks that the clock
 * still runs at the version the timer was made for and is really due, writes the warning or breach once (the
 * unique key of sla_events refuses a second), carries out the policy's breach actions, and lets the engine choose
 * the policy again if they moved the ticket. Run twice, it records nothing the second time.
 *
 * A sweep, run by one worker at a time under a lease in Redis, re-adds the timers due soon from PostgreSQL, so
 * timers lost with Redis come back.
 */
@Processor(QueueName.Sla, { concurrency: 50 })
export class SlaTimerProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SlaTimerProcessor.name);
  private sweepTimer: NodeJS.Timeout | null = null;
  private readonly leaseToken = randomUUID();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QueueName.Sla) private readonly queue: Queue,
    private readonly engine: SlaEngine,
    private readonly policies: SlaPoliciesService,
    private readonly timers: SlaTimersService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.sweepTimer = setInterval(() => void this.sweep(), this.config.SLA_SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
    void this.sweep();
  }

  onModuleDestroy(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
  }

  async process(job: Job<SlaTimerJobData>): Promise<{ outcome: SlaTimerOutcome }> {
    const { ticketId, metric, kind, version } = job.data;
    const batch = new SlaTimerBatch();
    const result = await this.dataSource.transaction(async (m) => {
      const [clock] = await m.query(
        `SELECT c.*, t.reference FROM tickets t JOIN sla_clocks c ON c.ticket_id = t.id AND c.metric = $2 WHERE t.id = $1 FOR UPDATE OF t`,
        [ticketId, metric],
      );
      if (!clock || clock.version !== version || clock.status !== 'running') return { outcome: 'stale' as const };
      const at: Date = kind === 'breach' ? clock.due_at : clock.warning_at;
      // A timer is never early by BullMQ's clock; a clock skew of a second between hosts is tolerated.
      if (!at || at.getTime() > Date.now() + 1000) return { outcome: 'early' as const };
      if (kind === 'breach' ? clock.breached_at : clock.warned_at) return { outcome: 'duplicate' as const };
      // A warning deferred to business hours is pointless once the breach itself is on record.
      if (kind === 'warning' && clock.breached_at) return { outcome: 'stale' as const };

      const policy = (await this.policies.all(m)).find((p) => p.id === clock.policy_id);
      const planned = kind === 'breach' ? (policy?.breachActions ?? []) : [];
      const eventKind = kind === 'breach' ? 'breached' : 'warning';
      // One statement: the event (once, by its unique key), the clock, its history, the ticket's state and the
      // audit entry. A timer that fires again finds the event there and changes nothing.
      const inserted: Array<{ id: string }> = await m.query(
        `WITH ev AS (
           INSERT INTO sla_events (ticket_id, policy_id, metric, kind, cycle, at) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT ON CONSTRAINT uq_sla_events_once DO NOTHING RETURNING id),
         clock AS (
           UPDATE sla_clocks SET ${kind === 'breach' ? 'breached_at' : 'warned_at'} = $6
           WHERE ticket_id = $1 AND metric = $3 AND EXISTS (SELECT 1 FROM ev)),
         history AS (
           INSERT INTO sla_clock_events (ticket_id, metric, kind, policy_id, cycle, due_at, consumed_ms, at)
           SELECT $1, $3, $4, $2, $5, $7, $8, $6 FROM ev),
         ticket AS (
           UPDATE tickets SET ${
             kind === 'breach'
               ? `sla_state = 'breached', sla_breached_at = least(coalesce(sla_breached_at, $6), $6)`
               : `sla_state = CASE WHEN sla_state = 'ok' THEN 'warning' ELSE sla_state END`
           }
           WHERE id = $1 AND EXISTS (SELECT 1 FROM ev)),
         audit AS (
           INSERT INTO audit_events (actor_agent_id, action, subject_type, subject_id, detail)
           SELECT NULL, $9, 'ticket', $1::text, $10::jsonb FROM ev)
         SELECT id FROM ev`,
        [
          ticketId,
          clock.policy_id,
          metric,
          eventKind,
          clock.cycle,
          at,
          clock.due_at,
          clock.budget_ms,
          kind === 'breach' ? 'sla.breached' : 'sla.warning',
          JSON.stringify({ reference: clock.reference, metric, at, policyId: clock.policy_id, actions: planned }),
        ],
      );
      if (inserted.length === 0) return { outcome: 'duplicate' as const };
      if (planned.length > 0) {
        const actions: AppliedAction[] = await applyBreachActions(m, ticketId, metric, planned);
        await m.query('UPDATE sla_events SET actions = $2 WHERE id = $1', [inserted[0].id, JSON.stringify(actions)]);
        // An action may have moved the ticket: its policy is chosen again and its due times follow.
        if (actions.some((a) => a.applied)) await this.engine.apply(m, [{ ticketId, trigger: { type: 'changed', at: new Date() } }], batch);
      }
      return { outcome: 'recorded' as const };
    });
    this.metrics.slaTimers.inc({ kind, outcome: result.outcome });
    if (result.outcome === 'recorded') {
      this.metrics.slaEvents.inc({ metric, kind: kind === 'breach' ? 'breached' : 'warning' });
      await this.timers.schedule(batch);
    }
    return { outcome: result.outcome };
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn({ err: error }, '%s worker error (it reconnects by itself)', 'sla');
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<SlaTimerJobData> | undefined, error: Error): void {
    if (!job) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    if (final) this.metrics.slaTimers.inc({ kind: job.data.kind, outcome: 'failed' });
    // A final failure removes the job; the sweep adds it again while the clock is still due.
    this.logger.warn({ err: error, ticketId: job.data.ticketId, metric: job.data.metric, attempt: job.attemptsMade, final }, 'SLA timer failed');
  }

  /** One worker at a time (a lease in Redis for one interval) re-adds the timers due within the next two intervals. */
  async sweep(): Promise<number> {
    try {
      const redis = await redisOf(this.queue);
      const lease = `${this.config.REDIS_PREFIX}:sla:sweep-lease`;
      const got = await redis.set(lease, this.leaseToken, 'PX', Math.max(500, this.config.SLA_SWEEP_INTERVAL_MS - 200), 'NX');
      if (got !== 'OK') return 0;
      const n = await this.timers.repair(new Date(Date.now() + 2 * this.config.SLA_SWEEP_INTERVAL_MS));
      if (n > 0) this.logger.debug({ count: n }, 'checked that every SLA timer due soon has a job');
      return n;
    } catch (error) {
      this.logger.warn({ err: error }, 'SLA sweep failed; will try again');
      return 0;
    }
  }
}

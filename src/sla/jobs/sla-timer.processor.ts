import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { InjectQueue } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job, Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
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
    private readonly audit: AuditService,
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
      const [ticket] = await m.query('SELECT reference FROM tickets WHERE id = $1 FOR UPDATE', [ticketId]);
      const [clock] = ticket ? await m.query('SELECT * FROM sla_clocks WHERE ticket_id = $1 AND metric = $2', [ticketId, metric]) : [];
      if (!clock || clock.version !== version || clock.status !== 'running') return { outcome: 'stale' as const };
      const at: Date = kind === 'breach' ? clock.due_at : clock.warning_at;
      // A timer is never early by BullMQ's clock; a clock skew of a second between hosts is tolerated.
      if (!at || at.getTime() > Date.now() + 1000) return { outcome: 'early' as const };
      if (kind === 'breach' ? clock.breached_at : clock.warned_at) return { outcome: 'duplicate' as const };

      const policy = (await this.policies.all(m)).find((p) => p.id === clock.policy_id);
      const planned = kind === 'breach' ? (policy?.breachActions ?? []) : [];
      const eventKind = kind === 'breach' ? 'breached' : 'warning';
      const inserted = await m.query(
        `INSERT INTO sla_events (ticket_id, policy_id, metric, kind, cycle, at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT ON CONSTRAINT uq_sla_events_once DO NOTHING RETURNING id`,
        [ticketId, clock.policy_id, metric, eventKind, clock.cycle, at],
      );
      if (inserted.length === 0) return { outcome: 'duplicate' as const };
      await m.query(`UPDATE sla_clocks SET ${kind === 'breach' ? 'breached_at' : 'warned_at'} = $3 WHERE ticket_id = $1 AND metric = $2`, [
        ticketId,
        metric,
        at,
      ]);
      await m.query(
        `INSERT INTO sla_clock_events (ticket_id, metric, kind, policy_id, cycle, due_at, consumed_ms, at, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '{}')`,
        [ticketId, metric, eventKind, clock.policy_id, clock.cycle, clock.due_at, clock.budget_ms, at],
      );
      const actions: AppliedAction[] = planned.length ? await applyBreachActions(m, ticketId, metric, planned) : [];
      if (actions.length) await m.query('UPDATE sla_events SET actions = $2 WHERE id = $1', [inserted[0].id, JSON.stringify(actions)]);
      // The ticket's state (and, if an action moved it, its policy and due times) follow.
      await this.engine.apply(m, [{ ticketId, trigger: { type: 'changed', at: new Date() } }], batch);
      return { outcome: 'recorded' as const, reference: ticket.reference as string, at, actions, policyId: clock.policy_id as string | null };
    });
    this.metrics.slaTimers.inc({ kind, outcome: result.outcome });
    if (result.outcome === 'recorded' && 'reference' in result) {
      this.metrics.slaEvents.inc({ metric, kind: kind === 'breach' ? 'breached' : 'warning' });
      await this.audit.record([
        {
          actorAgentId: null,
          action: kind === 'breach' ? 'sla.breached' : 'sla.warning',
          subjectType: 'ticket',
          subjectId: ticketId,
          detail: { reference: result.reference, metric, at: result.at, policyId: result.policyId, actions: result.actions },
        },
      ]);
      await this.timers.schedule(batch);
    }
    return { outcome: result.outcome };
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn({ err: error }, '%s worker error (it reconnects by itself)', 'sla');
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

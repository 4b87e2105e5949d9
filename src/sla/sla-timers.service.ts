import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { JobsOptions, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { JobName, QueueName } from '../queues';
import { SlaTimerBatch, SlaTimerJobData, timerJobId } from './sla-timer-batch';

const TIMER_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  // Nothing is kept: a kept job would make the sweep's re-add a no-op and hide a timer that still has work.
  removeOnComplete: true,
  removeOnFail: true,
};

interface PendingTimer {
  ticket_id: string;
  metric: SlaTimerJobData['metric'];
  version: number;
  kind: SlaTimerJobData['kind'];
  fire_at: Date;
}

/**
 * Turns the clocks in PostgreSQL into BullMQ delayed jobs, for the timers due within two sweep intervals: after each
 * change, and from the sweep, which adds the rest as they come within reach. So Redis holds the timers of the next
 * minutes, not one per clock of every open ticket, and a ticket answered long before its due time never had a job.
 */
@Injectable()
export class SlaTimersService {
  private readonly logger = new Logger(SlaTimersService.name);

  constructor(
    @InjectQueue(QueueName.Sla) private readonly queue: Queue<SlaTimerJobData>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  /** Timers due before this have their job; the sweep adds later ones in time (SlaTimerProcessor.sweep). */
  horizon(now = Date.now()): Date {
    return new Date(now + 2 * this.config.SLA_SWEEP_INTERVAL_MS);
  }

  /** Removes superseded timers and adds the current ones of the tickets touched. Never throws: the sweep repairs. */
  async schedule(batch: SlaTimerBatch): Promise<void> {
    if (batch.empty) return;
    try {
      // A timer beyond the horizon was added by no one yet. Another process's clock may run ahead of this one's: a
      // job it added is removed too if it is within an interval more (one left behind fires as a no-op anyway).
      const added = this.horizon(Date.now() + this.config.SLA_SWEEP_INTERVAL_MS).getTime();
      const stale = [...batch.stale].filter(([, fireAt]) => fireAt.getTime() <= added).map(([id]) => id);
      // A superseded job that is running right now (the timer whose breach action moved the ticket) cannot be
      // removed; it finishes as a no-op, so a refusal here is not a failure.
      await Promise.allSettled(stale.map((id) => this.queue.remove(id)));
      if (batch.tickets.size > 0) {
        const ids = [...batch.tickets];
        const horizon = this.horizon();
        const [warnings, breaches] = await Promise.all([
          this.pending('warning', { ticketIds: ids, horizon }),
          this.pending('breach', { ticketIds: ids, horizon }),
        ]);
        await this.add([...warnings, ...breaches]);
      }
    } catch (error) {
      this.logger.warn({ err: error, tickets: batch.tickets.size }, 'could not schedule SLA timers; the sweep will');
    }
  }

  /**
   * Makes sure every timer due before `horizon` has a job (deterministic ids make existing ones a no-op), so
   * timers lost with Redis are back within one sweep interval; timers further out wait for a later sweep.
   * Pages through the clocks in fire-time order, so a large backlog is repaired in bounded steps.
   */
  async repair(horizon: Date, pageSize = 5000): Promise<number> {
    let total = 0;
    for (const kind of ['warning', 'breach'] as const) {
      let after: PendingTimer | undefined;
      for (;;) {
        const page = await this.pending(kind, { horizon, after, limit: pageSize });
        await this.add(page);
        total += page.length;
        if (page.length < pageSize) break;
        after = page[page.length - 1];
      }
    }
    return total;
  }

  private pending(
    kind: PendingTimer['kind'],
    options: { ticketIds?: string[]; horizon?: Date; after?: PendingTimer; limit?: number },
  ): Promise<PendingTimer[]> {
    const column = kind === 'warning' ? 'warning_fire_at' : 'breach_fire_at';
    const params: unknown[] = [];
    const where = [`status = 'running'`, `breached_at IS NULL`, `${column} IS NOT NULL`];
    if (kind === 'warning') where.push('warned_at IS NULL');
    if (options.ticketIds) where.push(`ticket_id = ANY($${params.push(options.ticketIds)}::uuid[])`);
    if (options.horizon) where.push(`${column} <= $${params.push(options.horizon)}`);
    if (options.after) {
      where.push(
        `(${column}, ticket_id, metric) > ($${params.push(options.after.fire_at)}, $${params.push(options.after.ticket_id)}::uuid, $${params.push(options.after.metric)})`,
      );
    }
    return this.dataSource.query(
      `SELECT ticket_id, metric, version, '${kind}' AS kind, ${column} AS fire_at FROM sla_clocks
       WHERE ${where.join(' AND ')} ORDER BY ${column}, ticket_id, metric ${options.limit ? `LIMIT ${Number(options.limit)}` : ''}`,
      params,
    );
  }

  private async add(timers: PendingTimer[]): Promise<void> {
    for (let i = 0; i < timers.length; i += 1000) {
      // BullMQ fires a delayed job at its creation timestamp plus the delay. Stating the timestamp the delay was
      // computed from makes the job fire at fire_at exactly: left to BullMQ it is the moment the job object is
      // built, and every chunk built after a slow addBulk (or a page read) fired that much late.
      const now = Date.now();
      await this.queue.addBulk(
        timers.slice(i, i + 1000).map((t) => ({
          name: JobName.SlaTimer,
          data: { ticketId: t.ticket_id, metric: t.metric, kind: t.kind, version: t.version },
          opts: {
            ...TIMER_JOB_OPTIONS,
            jobId: timerJobId(t.ticket_id, t.metric, t.kind, t.version),
            timestamp: now,
            delay: Math.max(0, t.fire_at.getTime() - now),
          },
        })),
      );
    }
  }
}

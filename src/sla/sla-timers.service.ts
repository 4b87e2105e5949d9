import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { JobsOptions, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
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

/** Turns the clocks in PostgreSQL into BullMQ delayed jobs: after each change, and from the sweep. */
@Injectable()
export class SlaTimersService {
  private readonly logger = new Logger(SlaTimersService.name);

  constructor(
    @InjectQueue(QueueName.Sla) private readonly queue: Queue<SlaTimerJobData>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Removes superseded timers and adds the current ones of the tickets touched. Never throws: the sweep repairs. */
  async schedule(batch: SlaTimerBatch): Promise<void> {
    if (batch.empty) return;
    try {
      await Promise.all([...batch.stale].map((id) => this.queue.remove(id)));
      if (batch.tickets.size > 0) await this.add(await this.pending([...batch.tickets], null));
    } catch (error) {
      this.logger.warn({ err: error, tickets: batch.tickets.size }, 'could not schedule SLA timers; the sweep will');
    }
  }

  /**
   * Makes sure every timer due before `horizon` has a job (deterministic ids make existing ones a no-op), so
   * timers lost with Redis are back within one sweep interval, and timers further out wait for a later sweep.
   */
  async repair(horizon: Date): Promise<number> {
    const timers = await this.pending(null, horizon);
    await this.add(timers);
    return timers.length;
  }

  private pending(ticketIds: string[] | null, horizon: Date | null): Promise<PendingTimer[]> {
    const params: unknown[] = [];
    const filter = (column: string) => {
      const parts: string[] = [];
      if (ticketIds) parts.push(`ticket_id = ANY($1::uuid[])`);
      if (horizon) parts.push(`${column} <= $${ticketIds ? 2 : 1}`);
      return parts.length ? `AND ${parts.join(' AND ')}` : '';
    };
    if (ticketIds) params.push(ticketIds);
    if (horizon) params.push(horizon);
    return this.dataSource.query(
      `SELECT ticket_id, metric, version, 'warning' AS kind, warning_fire_at AS fire_at FROM sla_clocks
         WHERE status = 'running' AND warned_at IS NULL AND breached_at IS NULL AND warning_fire_at IS NOT NULL ${filter('warning_fire_at')}
       UNION ALL
       SELECT ticket_id, metric, version, 'breach', breach_fire_at FROM sla_clocks
         WHERE status = 'running' AND breached_at IS NULL AND breach_fire_at IS NOT NULL ${filter('breach_fire_at')}
       ORDER BY fire_at LIMIT 50000`,
      params,
    );
  }

  private async add(timers: PendingTimer[]): Promise<void> {
    const now = Date.now();
    for (let i = 0; i < timers.length; i += 1000) {
      await this.queue.addBulk(
        timers.slice(i, i + 1000).map((t) => ({
          name: JobName.SlaTimer,
          data: { ticketId: t.ticket_id, metric: t.metric, kind: t.kind, version: t.version },
          opts: { ...TIMER_JOB_OPTIONS, jobId: timerJobId(t.ticket_id, t.metric, t.kind, t.version), delay: Math.max(0, t.fire_at.getTime() - now) },
        })),
      );
    }
  }
}

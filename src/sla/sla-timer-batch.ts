import type { SlaMetric } from '@lib/sla-clock';

export type TimerKind = 'warning' | 'breach';

export interface SlaTimerJobData {
  ticketId: string;
  metric: SlaMetric;
  kind: TimerKind;
  version: number;
}

/** One id per ticket, clock, kind and version of its due time: adding it twice is a no-op (BullMQ ids have no ':'). */
export function timerJobId(ticketId: string, metric: SlaMetric, kind: TimerKind, version: number): string {
  return `${ticketId}.${metric}.${kind}.${version}`;
}

/**
 * Timers to change once a transaction has committed: the jobs of superseded versions to remove (with when they were
 * to fire: a job due far out was never added), and the tickets whose current timers must exist. Scheduling before
 * commit could fire a timer on data that is rolled back.
 */
export class SlaTimerBatch {
  readonly stale = new Map<string, Date>();
  readonly tickets = new Set<string>();

  remove(...timers: Array<{ jobId: string; fireAt: Date | null }>): void {
    // A timer without a fire time (a paused or stopped clock) has no job.
    for (const { jobId, fireAt } of timers) if (fireAt) this.stale.set(jobId, fireAt);
  }

  touch(ticketId: string): void {
    this.tickets.add(ticketId);
  }

  get empty(): boolean {
    return this.stale.size === 0 && this.tickets.size === 0;
  }
}

import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Measure, SlaMetric } from '@lib/sla-clock';

export type ClockStatus = 'running' | 'paused' | 'met' | 'stopped';

/**
 * The current state of one of a ticket's clocks. Its history is in sla_clock_events (appended, never edited);
 * this row is the latest position, so timers and the inbox need not replay history.
 */
@Entity({ name: 'sla_clocks' })
@Index('ix_sla_clocks_pending_warning', ['warningFireAt'], { where: `status = 'running' AND warned_at IS NULL` })
@Index('ix_sla_clocks_pending_breach', ['breachFireAt'], { where: `status = 'running' AND breached_at IS NULL` })
export class SlaClock {
  @PrimaryColumn({ name: 'ticket_id', type: 'uuid' })
  ticketId: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  metric: SlaMetric;

  @Column({ name: 'policy_id', type: 'uuid', nullable: true })
  policyId: string | null;

  @Column({ type: 'varchar', length: 16 })
  status: ClockStatus;

  @Column({ type: 'varchar', length: 16 })
  measure: Measure;

  /** Each restart (the next customer message, a reopened ticket) is a new cycle: one warning and one breach each. */
  @Column({ type: 'integer', default: 1 })
  cycle: number;

  /** Bumped whenever due times change; part of the timer job ids, so a stale timer recognises itself. */
  @Column({ type: 'integer', default: 1 })
  version: number;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'budget_ms', type: 'bigint' })
  budgetMs: string;

  @Column({ name: 'consumed_ms', type: 'bigint', default: 0 })
  consumedMs: string;

  @Column({ name: 'running_since', type: 'timestamptz', nullable: true })
  runningSince: Date | null;

  @Column({ name: 'extended', type: 'boolean', default: false })
  extended: boolean;

  @Column({ name: 'warning_at', type: 'timestamptz', nullable: true })
  warningAt: Date | null;

  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  /** When the warning timer fires: warning_at, or the next opening when the policy keeps quiet outside hours. */
  @Column({ name: 'warning_fire_at', type: 'timestamptz', nullable: true })
  warningFireAt: Date | null;

  @Column({ name: 'breach_fire_at', type: 'timestamptz', nullable: true })
  breachFireAt: Date | null;

  @Column({ name: 'warned_at', type: 'timestamptz', nullable: true })
  warnedAt: Date | null;

  @Column({ name: 'breached_at', type: 'timestamptz', nullable: true })
  breachedAt: Date | null;

  @Column({ name: 'met_at', type: 'timestamptz', nullable: true })
  metAt: Date | null;
}

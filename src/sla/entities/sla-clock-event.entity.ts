import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type ClockEventKind =
  'started' | 'restarted' | 'paused' | 'resumed' | 'met' | 'stopped' | 'policy_changed' | 'extended' | 'warning' | 'breached';

/** The history of a ticket's SLA clocks: every start, pause, resume, policy change and outcome. Appended only. */
@Entity({ name: 'sla_clock_events' })
@Index('ix_sla_clock_events_ticket', ['ticketId', 'at'])
export class SlaClockEvent {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column({ name: 'ticket_id', type: 'uuid' })
  ticketId: string;

  @Column({ type: 'varchar', length: 16 })
  metric: string;

  @Column({ type: 'varchar', length: 16 })
  kind: ClockEventKind;

  @Column({ name: 'policy_id', type: 'uuid', nullable: true })
  policyId: string | null;

  @Column({ type: 'integer' })
  cycle: number;

  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  @Column({ name: 'consumed_ms', type: 'bigint' })
  consumedMs: string;

  @Column({ type: 'timestamptz' })
  at: Date;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  detail: Record<string, unknown>;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt: Date;
}

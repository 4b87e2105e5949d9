import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * A warning or breach that supervisors must hear about: written once per clock cycle (the unique key makes a
 * timer that fires twice harmless) and pushed by the realtime layer from here.
 */
@Entity({ name: 'sla_events' })
@Unique('uq_sla_events_once', ['ticketId', 'metric', 'kind', 'cycle'])
@Index('ix_sla_events_at', ['at'])
export class SlaEvent {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column({ name: 'ticket_id', type: 'uuid' })
  ticketId: string;

  @Column({ name: 'policy_id', type: 'uuid', nullable: true })
  policyId: string | null;

  @Column({ type: 'varchar', length: 16 })
  metric: string;

  @Column({ type: 'varchar', length: 16 })
  kind: 'warning' | 'breached';

  @Column({ type: 'integer' })
  cycle: number;

  /** When the warning share was reached or the target passed. */
  @Column({ type: 'timestamptz' })
  at: Date;

  /** When the timer fired and this was recorded (later than `at` when deferred to business hours). */
  @CreateDateColumn({ name: 'fired_at', type: 'timestamptz' })
  firedAt: Date;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  actions: unknown[];
}

import { Column, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const RETENTION_TARGETS = ['ticket_content', 'call_recordings', 'audit_events'] as const;
export type RetentionTarget = (typeof RETENTION_TARGETS)[number];

/**
 * How long content is kept after its ticket closed (or, for audit events, after they were written). A ticket
 * falls under every policy whose kind and channel match (null matches any) and is kept for the longest of them.
 */
@Entity({ name: 'retention_policies' })
export class RetentionPolicy {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_retention_policies' })
  id: string;

  @Column({ type: 'varchar', length: 24 })
  target: RetentionTarget;

  @Column({ name: 'ticket_kind', type: 'varchar', length: 16, nullable: true })
  ticketKind: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  channel: string | null;

  @Column({ name: 'keep_days', type: 'integer' })
  keepDays: number;

  /** Where the period comes from (a records schedule, a law, a decision). */
  @Column({ type: 'text' })
  basis: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

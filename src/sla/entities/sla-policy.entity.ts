import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { SlaTarget } from '@lib/sla-clock';

export type SlaScope = 'case' | 'referral';

export type BreachAction =
  | { type: 'raise_priority'; to: 'normal' | 'high' | 'urgent' }
  | { type: 'reroute'; queue: string }
  | { type: 'escalate'; level: 1 | 2 | 3 };

/**
 * Targets for a ticket's first response, next response and resolution, chosen by channel × level × priority
 * (and optionally institution). A null criterion matches anything; of the policies that match, the most specific
 * wins (institution counts most, then channel, level, priority).
 */
@Entity({ name: 'sla_policies' })
// Expression index (one policy per combination, nulls counted as equal) written in the migration.
@Index('uq_sla_policies_criteria', { synchronize: false })
export class SlaPolicy {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** `case`: ordinary tickets; `referral`: contacts for an institution that only takes referrals (forward them). */
  @Column({ type: 'varchar', length: 16, default: 'case' })
  scope: SlaScope;

  @Column({ type: 'varchar', length: 16, nullable: true })
  channel: string | null;

  @Column({ type: 'smallint', nullable: true })
  level: number | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  priority: string | null;

  @Column({ name: 'institution_id', type: 'uuid', nullable: true })
  institutionId: string | null;

  @Column({ name: 'first_response', type: 'jsonb', nullable: true })
  firstResponse: SlaTarget | null;

  @Column({ name: 'next_response', type: 'jsonb', nullable: true })
  nextResponse: SlaTarget | null;

  @Column({ type: 'jsonb', nullable: true })
  resolution: SlaTarget | null;

  /** The longer resolution target an operator may apply, with a reason (the law's "one month"). */
  @Column({ name: 'resolution_extension', type: 'jsonb', nullable: true })
  resolutionExtension: SlaTarget | null;

  /** Share of the target after which the ticket is "at risk". */
  @Column({ name: 'warning_percent', type: 'smallint', default: 80 })
  warningPercent: number;

  /** The share of contacts expected to meet the target (80 % of calls within 20 s); reports compare against it. */
  @Column({ name: 'goal_percent', type: 'smallint', default: 100 })
  goalPercent: number;

  @Column({ name: 'breach_actions', type: 'jsonb', default: () => "'[]'" })
  breachActions: BreachAction[];

  /** Whether warnings and breach notices may go out outside the centre's hours (else at the next opening). */
  @Column({ name: 'remind_outside_hours', type: 'boolean', default: false })
  remindOutsideHours: boolean;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

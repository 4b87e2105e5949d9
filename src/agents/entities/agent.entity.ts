import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  JoinTable,
  ManyToMany,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Centre } from '../../calendar/entities/centre.entity';
import { Institution } from '../../institutions/entities/institution.entity';

export const ROLES = ['operator', 'specialist', 'expert', 'supervisor', 'admin', 'dpo'] as const;
export type Role = (typeof ROLES)[number];

/**
 * A member of staff: operator (L1), specialist (L2), expert (L3), supervisor, admin, or the data protection officer
 * (dpo: answers subject requests, sets legal holds, reads the audit trail; works no cases, so sees no tickets).
 */
@Entity({ name: 'agents' })
export class Agent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Stored lower-case; unique. */
  @Column({ type: 'text', unique: true })
  email: string;

  @Column({ name: 'display_name', type: 'text' })
  displayName: string;

  @Column({ name: 'password_hash', type: 'text', select: false })
  passwordHash: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  roles: Role[];

  @Column({ type: 'text', array: true, default: () => "'{lv}'" })
  languages: string[];

  /** Topics the agent knows (routing matches them against a ticket's topic). */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  skills: string[];

  /** How much work of each channel the agent holds at once, e.g. { voice: 1, chat: 3, email: 10 }. */
  // Written as PostgreSQL prints jsonb, so that comparing entity and schema finds no difference.
  @Column({ type: 'jsonb', default: () => `'{"chat": 3, "email": 10, "voice": 1, "social": 5, "webform": 10}'` })
  capacity: Record<string, number>;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  /** Consecutive failed logins; reset by a successful one. */
  @Column({ name: 'failed_logins', type: 'integer', default: 0 })
  failedLogins: number;

  /** Repeated failures lock the account until this moment. */
  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  /**
   * The centre the agent works for: their presence, replies and ticket actions are that centre's evidence of
   * staffed hours in the funding report.
   */
  @Column({ type: 'varchar', length: 32, default: 'VPPPD' })
  centre: string;

  @ManyToOne(() => Centre, { onDelete: 'RESTRICT', onUpdate: 'CASCADE' })
  @JoinColumn({ name: 'centre', referencedColumnName: 'code', foreignKeyConstraintName: 'FK_agents_centre' })
  centreRow?: Centre;

  /** The institutions whose tickets a specialist or expert may see; empty for centre-wide roles. */
  @ManyToMany(() => Institution)
  @JoinTable({
    name: 'agent_institutions',
    joinColumn: { name: 'agent_id', referencedColumnName: 'id' },
    inverseJoinColumn: { name: 'institution_id', referencedColumnName: 'id' },
  })
  institutions?: Institution[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

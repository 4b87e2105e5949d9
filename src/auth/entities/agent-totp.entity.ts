import { Column, CreateDateColumn, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { Agent } from '../../agents/entities/agent.entity';

/**
 * An agent's TOTP second factor. Until `confirmedAt` is set (a first code from the app was right) it is only an
 * enrolment in progress and signs nobody in. `lastTimeStep` is the 30-second step of the last code accepted: a code
 * of that step or an earlier one is refused, so a code read over someone's shoulder cannot be used again.
 */
@Entity({ name: 'agent_totp' })
export class AgentTotp {
  @PrimaryColumn({ name: 'agent_id', type: 'uuid' })
  agentId: string;

  @OneToOne(() => Agent, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id' })
  agent?: Agent;

  /** Base32 as the authenticator app holds it, sealed under DATA_ENCRYPTION_KEY (src/secrets). */
  @Column({ type: 'text' })
  secret: string;

  @Column({ name: 'confirmed_at', type: 'timestamptz', nullable: true })
  confirmedAt: Date | null;

  @Column({ name: 'last_time_step', type: 'bigint', nullable: true })
  lastTimeStep: string | null;

  /** Wrong codes in a row; at AUTH_MAX_FAILED_LOGINS the factor refuses every code until `lockedUntil`. */
  @Column({ name: 'failed_attempts', type: 'integer', default: 0 })
  failedAttempts: number;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

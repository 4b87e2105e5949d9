import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Agent } from '../../agents/entities/agent.entity';

/**
 * Which identity at which provider is which agent. Written at the first single sign-on matched by e-mail; from then
 * on the subject decides, so a changed e-mail at the provider does not lose the link, and another identity that
 * later shows the same e-mail is not taken for this agent.
 */
@Entity({ name: 'agent_oidc_subjects' })
@Index('idx_agent_oidc_subjects_agent', ['agentId', 'issuer'], { unique: true })
export class AgentOidcSubject {
  @PrimaryColumn({ type: 'text' })
  issuer: string;

  @PrimaryColumn({ type: 'text' })
  subject: string;

  @Column({ name: 'agent_id', type: 'uuid' })
  agentId: string;

  @ManyToOne(() => Agent, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id' })
  agent?: Agent;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_login_at', type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;
}

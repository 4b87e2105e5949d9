import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Agent } from '../../agents/entities/agent.entity';
import type { PresenceState } from './agent-presence.entity';

/**
 * The history of presence: one row per stretch of time an agent spent online or away (offline is the absence of
 * a row). The funding report counts the hours the line was staffed from it.
 */
@Entity({ name: 'presence_periods' })
@Index('idx_presence_periods_open', ['agentId'], { unique: true, where: 'ended_at IS NULL' })
// Reports and the board ask which stretches reach past a moment: the open ones (the index above) and those ended after it.
@Index('idx_presence_periods_ended', ['endedAt'])
export class PresencePeriod {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'agent_id', type: 'uuid' })
  agentId: string;

  @ManyToOne(() => Agent, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id' })
  agent?: Agent;

  @Column({ type: 'varchar', length: 8 })
  state: Exclude<PresenceState, 'offline'>;

  @Column({ name: 'started_at', type: 'timestamptz', default: () => 'now()' })
  startedAt: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;
}

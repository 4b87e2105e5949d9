import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { Agent } from '../../agents/entities/agent.entity';

export const PRESENCE_STATES = ['online', 'away', 'offline'] as const;
export type PresenceState = (typeof PRESENCE_STATES)[number];

/**
 * Whether an agent can take work now. Kept alive by the agent's socket: each heartbeat moves `lastSeenAt`, and an
 * agent not seen for PRESENCE_TIMEOUT_SECONDS is put offline by the sweep (a closed laptop sends no goodbye).
 */
@Entity({ name: 'agent_presence' })
export class AgentPresence {
  @PrimaryColumn({ name: 'agent_id', type: 'uuid' })
  agentId: string;

  @OneToOne(() => Agent, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id' })
  agent?: Agent;

  @Column({ type: 'varchar', length: 8, default: 'offline' })
  state: PresenceState;

  @Column({ name: 'state_since', type: 'timestamptz', default: () => 'now()' })
  stateSince: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz', default: () => 'now()' })
  lastSeenAt: Date;

  /** Round-robin gives the next ticket to the agent who got one longest ago. */
  @Column({ name: 'last_assigned_at', type: 'timestamptz', nullable: true })
  lastAssignedAt: Date | null;
}

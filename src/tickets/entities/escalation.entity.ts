import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type EscalationReason = 'routed' | 'referral' | 'escalated' | 'handed_back' | 'transferred';

/** Every change of a ticket's level or queue. Appended, never edited: the ticket's history of who held it. */
@Entity({ name: 'escalations' })
@Index('ix_escalations_ticket_created', ['ticketId', 'createdAt'])
export class Escalation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'ticket_id', type: 'uuid' })
  ticketId: string;

  @Column({ name: 'from_level', type: 'smallint', nullable: true })
  fromLevel: number | null;

  @Column({ name: 'to_level', type: 'smallint' })
  toLevel: number;

  @Column({ name: 'from_queue_id', type: 'uuid', nullable: true })
  fromQueueId: string | null;

  @Column({ name: 'to_queue_id', type: 'uuid', nullable: true })
  toQueueId: string | null;

  @Column({ name: 'to_institution_id', type: 'uuid', nullable: true })
  toInstitutionId: string | null;

  @Column({ type: 'varchar', length: 16 })
  reason: EscalationReason;

  /** What has been done and what is needed (on the way up), or the answer or instruction (on the way down). */
  @Column({ type: 'text', nullable: true })
  summary: string | null;

  /** Why, in the words of the person who moved it. */
  @Column({ type: 'text', nullable: true })
  comment: string | null;

  /** Null when the system did it (routing on arrival). */
  @Column({ name: 'actor_agent_id', type: 'uuid', nullable: true })
  actorAgentId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Two customer records found to be one person: what moved from the merged record to the kept one, so that anyone
 * may undo it within the window and exactly that moves back.
 */
@Entity({ name: 'customer_merges' })
@Index('ix_customer_merges_kept', ['keptCustomerId'])
export class CustomerMerge {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_customer_merges' })
  id: string;

  @Column({ name: 'kept_customer_id', type: 'uuid' })
  keptCustomerId: string;

  @Column({ name: 'merged_customer_id', type: 'uuid' })
  mergedCustomerId: string;

  @Column({ name: 'ticket_ids', type: 'uuid', array: true })
  ticketIds: string[];

  @Column({ name: 'identifier_ids', type: 'uuid', array: true })
  identifierIds: string[];

  @Column({ name: 'actor_agent_id', type: 'uuid' })
  actorAgentId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'undo_until', type: 'timestamptz' })
  undoUntil: Date;

  @Column({ name: 'undone_at', type: 'timestamptz', nullable: true })
  undoneAt: Date | null;

  @Column({ name: 'undone_by_id', type: 'uuid', nullable: true })
  undoneById: string | null;
}

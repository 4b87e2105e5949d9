import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Agent } from '../../agents/entities/agent.entity';
import { Institution } from '../../institutions/entities/institution.entity';

/**
 * A named filter and sort of the inbox: an agent's own (owner set), an institution team's (institution set) or the
 * whole centre's (neither). Its id is the link people pass to each other; each sees the tickets of their own scope.
 */
@Entity({ name: 'saved_views' })
export class SavedView {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_saved_views' })
  id: string;

  @Column({ name: 'institution_id', type: 'uuid', nullable: true })
  institutionId: string | null;

  @ManyToOne(() => Institution, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'institution_id', foreignKeyConstraintName: 'FK_saved_views_institution' })
  institution?: Institution;

  @Column({ name: 'owner_agent_id', type: 'uuid', nullable: true })
  ownerAgentId: string | null;

  @ManyToOne(() => Agent, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_agent_id', foreignKeyConstraintName: 'FK_saved_views_owner' })
  owner?: Agent;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** The inbox list's filters (status, level, institution, channel, queue, assignee, q, sla, tag), as GET /v1/tickets takes them. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  filters: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16, default: 'created' })
  sort: string;

  @Column({ name: 'sort_order', type: 'varchar', length: 8, default: 'newest' })
  sortOrder: string;

  @Column({ name: 'created_by_id', type: 'uuid', nullable: true })
  createdById: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

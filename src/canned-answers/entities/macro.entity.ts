import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Agent } from '../../agents/entities/agent.entity';
import { Institution } from '../../institutions/entities/institution.entity';
import { CannedAnswer } from './canned-answer.entity';

/**
 * Several changes a person makes to a ticket in one action: reply with a canned answer, set status and kind, add
 * tags, escalate to a queue. Owned like canned answers (an agent's, an institution's, or the centre's).
 */
@Entity({ name: 'macros' })
export class Macro {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_macros' })
  id: string;

  @Column({ name: 'institution_id', type: 'uuid', nullable: true })
  institutionId: string | null;

  @ManyToOne(() => Institution, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'institution_id', foreignKeyConstraintName: 'FK_macros_institution' })
  institution?: Institution;

  @Column({ name: 'owner_agent_id', type: 'uuid', nullable: true })
  ownerAgentId: string | null;

  @ManyToOne(() => Agent, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_agent_id', foreignKeyConstraintName: 'FK_macros_owner' })
  owner?: Agent;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** The reply, if the macro sends one; an answer used by a macro cannot be deleted. */
  @Column({ name: 'canned_answer_id', type: 'uuid', nullable: true })
  cannedAnswerId: string | null;

  @ManyToOne(() => CannedAnswer, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'canned_answer_id', foreignKeyConstraintName: 'FK_macros_canned_answer' })
  cannedAnswer?: CannedAnswer;

  @Column({ name: 'set_status', type: 'varchar', length: 24, nullable: true })
  setStatus: string | null;

  @Column({ name: 'set_kind', type: 'varchar', length: 16, nullable: true })
  setKind: string | null;

  @Column({ name: 'add_tags', type: 'text', array: true, default: () => "'{}'" })
  addTags: string[];

  /** A queue code: the macro escalates (or transfers) the ticket there, with the reason. */
  @Column({ name: 'escalate_queue', type: 'varchar', length: 64, nullable: true })
  escalateQueue: string | null;

  @Column({ name: 'escalate_reason', type: 'text', nullable: true })
  escalateReason: string | null;

  @Column({ name: 'created_by_id', type: 'uuid', nullable: true })
  createdById: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CannedAnswer } from './canned-answer.entity';
import { Macro } from './macro.entity';

/**
 * One use of a canned answer or a macro, on a ticket, by a person: counted per period, so supervisors see which
 * answers are asked for often enough to be written into the knowledge base.
 */
@Entity({ name: 'answer_uses' })
@Index('ix_answer_uses_used_at', ['usedAt'])
export class AnswerUse {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_answer_uses' })
  id: string;

  @Column({ name: 'canned_answer_id', type: 'uuid', nullable: true })
  cannedAnswerId: string | null;

  @ManyToOne(() => CannedAnswer, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'canned_answer_id', foreignKeyConstraintName: 'FK_answer_uses_canned_answer' })
  cannedAnswer?: CannedAnswer;

  @Column({ name: 'macro_id', type: 'uuid', nullable: true })
  macroId: string | null;

  @ManyToOne(() => Macro, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'macro_id', foreignKeyConstraintName: 'FK_answer_uses_macro' })
  macro?: Macro;

  @Column({ name: 'agent_id', type: 'uuid' })
  agentId: string;

  @Column({ name: 'ticket_id', type: 'uuid', nullable: true })
  ticketId: string | null;

  @Column({ name: 'used_at', type: 'timestamptz', default: () => 'now()' })
  usedAt: Date;
}

import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Agent } from '../../agents/entities/agent.entity';
import { Institution } from '../../institutions/entities/institution.entity';

/**
 * A saved answer in Latvian, Russian and English (at least one), with placeholders filled on use. Whose it is:
 * an agent's own (owner set), an institution's (institution set), or the whole centre's (neither).
 */
@Entity({ name: 'canned_answers' })
export class CannedAnswer {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_canned_answers' })
  id: string;

  @Column({ name: 'institution_id', type: 'uuid', nullable: true })
  institutionId: string | null;

  @ManyToOne(() => Institution, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'institution_id', foreignKeyConstraintName: 'FK_canned_answers_institution' })
  institution?: Institution;

  @Column({ name: 'owner_agent_id', type: 'uuid', nullable: true })
  ownerAgentId: string | null;

  @ManyToOne(() => Agent, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_agent_id', foreignKeyConstraintName: 'FK_canned_answers_owner' })
  owner?: Agent;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ name: 'text_lv', type: 'text', nullable: true })
  textLv: string | null;

  @Column({ name: 'text_ru', type: 'text', nullable: true })
  textRu: string | null;

  @Column({ name: 'text_en', type: 'text', nullable: true })
  textEn: string | null;

  @Column({ name: 'created_by_id', type: 'uuid', nullable: true })
  createdById: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Whether level 0 may answer questions of this topic from the knowledge base by itself (off unless a row says on). */
@Entity({ name: 'topic_auto_answers' })
export class TopicAutoAnswer {
  /** Lower-case, single-spaced: the form the classifier gives and tickets store. */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'PK_topic_auto_answers' })
  topic: string;

  @Column({ type: 'boolean', default: false })
  enabled: boolean;

  @Column({ name: 'updated_by_id', type: 'uuid', nullable: true })
  updatedById: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

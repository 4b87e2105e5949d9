import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Institution } from '../../institutions/entities/institution.entity';

/**
 * A word of an institution's tag vocabulary (or of the whole centre's, institution null), kept by admins so that
 * "pension-recalculation" is one tag, not five spellings of it: what is reported by tag must add up.
 */
@Entity({ name: 'tags' })
// A name once per institution, case-insensitively, the centre's own (null) counted as one more institution:
// an expression index, created by migration CannedAnswersMacrosTags only.
@Index('ux_tags_institution_name', { synchronize: false })
export class Tag {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_tags' })
  id: string;

  @Column({ name: 'institution_id', type: 'uuid', nullable: true })
  institutionId: string | null;

  @ManyToOne(() => Institution, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'institution_id', foreignKeyConstraintName: 'FK_tags_institution' })
  institution?: Institution;

  /** Lower-case letters, digits and dashes, e.g. `pensijas-parrekins`: typed in filters and links. */
  @Column({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'created_by_id', type: 'uuid', nullable: true })
  createdById: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

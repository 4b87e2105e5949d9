import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { CustomFieldType } from '@lib/custom-fields';
import { Institution } from '../../institutions/entities/institution.entity';

/** A field an institution's tickets carry beyond the common ones; its key and type are fixed once it exists. */
@Entity({ name: 'custom_field_definitions' })
@Index('ux_custom_field_definitions_institution_key', ['institutionId', 'key'], { unique: true })
@Check('CHK_custom_field_definitions_type', `"type" IN ('text', 'number', 'date', 'choice')`)
export class CustomFieldDefinition {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_custom_field_definitions' })
  id: string;

  @Column({ name: 'institution_id', type: 'uuid' })
  institutionId: string;

  @ManyToOne(() => Institution, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'institution_id', foreignKeyConstraintName: 'FK_custom_field_definitions_institution' })
  institution?: Institution;

  /** Its name in the API, the exports and the webhook payloads, e.g. `caseNumber`. */
  @Column({ type: 'varchar', length: 48 })
  key: string;

  @Column({ name: 'label_lv', type: 'varchar', length: 200 })
  labelLv: string;

  @Column({ name: 'label_en', type: 'varchar', length: 200 })
  labelEn: string;

  @Column({ type: 'varchar', length: 16 })
  type: CustomFieldType;

  /** A choice field's values, each once; empty for the other types. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  choices: string[];

  @Column({ type: 'boolean', default: false })
  required: boolean;

  /** Switched off: takes no new values, keeps those given. */
  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ type: 'integer', default: 0 })
  position: number;

  @Column({ name: 'created_by_id', type: 'uuid', nullable: true })
  createdById: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A trained contact classifier, as JSON, so every process loads the same version. */
@Entity({ name: 'classifier_models' })
export class ClassifierModelRow {
  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'PK_classifier_models' })
  version: number;

  @Column({ type: 'jsonb' })
  model: unknown;

  @Column({ name: 'example_count', type: 'integer' })
  exampleCount: number;

  @Column({ name: 'correction_count', type: 'integer' })
  correctionCount: number;

  @Column({ name: 'trained_at', type: 'timestamptz', default: () => 'now()' })
  trainedAt: Date;
}

import type { MenuLanguage, NodeKind, Prompt } from '@lib/ivr-menu';
import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** One node of the IVR menu (libs/ivr-menu says what a valid menu is); the whole menu is replaced at once. */
@Entity('ivr_nodes')
@Index('idx_ivr_nodes_parent', ['parentKey'])
export class IvrNode {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  key: string;

  @Column({ name: 'parent_key', type: 'varchar', length: 64, nullable: true })
  parentKey: string | null;

  @Column({ type: 'varchar', length: 1, nullable: true })
  digit: string | null;

  @Column({ type: 'varchar', length: 16 })
  kind: NodeKind;

  @Column({ name: 'institution_code', type: 'varchar', length: 32, nullable: true })
  institutionCode: string | null;

  @Column({ type: 'text', nullable: true })
  topic: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  title: Partial<Record<MenuLanguage, string>>;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  prompt: Partial<Record<MenuLanguage, Prompt>>;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

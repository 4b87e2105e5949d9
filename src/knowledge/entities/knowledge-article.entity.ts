import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Institution } from '../../institutions/entities/institution.entity';
import type { Language } from '../../tickets/entities/ticket.entity';

/**
 * A knowledge-base entry: the ways people ask a question, and the answer the centre gives. The chat assistant,
 * IVR answers, e-mail suggestions and operators all read the same articles through KnowledgeSearchService.
 */
@Entity({ name: 'knowledge_articles' })
// Full-text (GIN on search_vector) and trigram (GIN gin_trgm_ops on search_text) indexes are made by hand in
// the migration: TypeORM cannot express their operator class, so it must not try to manage them.
@Index('ix_knowledge_articles_search_vector', { synchronize: false })
@Index('ix_knowledge_articles_search_text', { synchronize: false })
@Index('ix_knowledge_articles_language', ['language', 'published'])
export class KnowledgeArticle {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Null for what the centre answers itself (opening hours, Latvija.lv): found whatever institution is asked. */
  @Index()
  @Column({ name: 'institution_id', type: 'uuid', nullable: true })
  institutionId: string | null;

  @ManyToOne(() => Institution, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'institution_id' })
  institution?: Institution | null;

  @Column({ type: 'text', nullable: true })
  topic: string | null;

  @Column({ type: 'varchar', length: 2 })
  language: Language;

  /** The question as people ask it, in several wordings; the first one is the article's title. */
  @Column({ type: 'text', array: true })
  questions: string[];

  @Column({ type: 'text' })
  answer: string;

  /** Only published articles are found by search; drafts are seen by editors only. */
  @Column({ type: 'boolean', default: false })
  published: boolean;

  /** Stems of the questions (weight A) and of the answer (weight B), computed by @lib/search-terms. */
  @Column({ name: 'search_vector', type: 'tsvector', nullable: true, select: false })
  searchVector: string | null;

  /** Questions and topic, lower-case and unaccented, for trigram similarity. */
  @Column({ name: 'search_text', type: 'text', nullable: true, select: false })
  searchText: string | null;

  /** The TERMS_VERSION the search columns were computed with; older rows are re-indexed at start. */
  @Column({ name: 'search_version', type: 'smallint', default: 0, select: false })
  searchVersion: number;

  @Column({ name: 'updated_by_id', type: 'uuid', nullable: true })
  updatedById: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

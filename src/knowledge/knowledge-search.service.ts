import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { searchTerms, TERMS_VERSION, type TermsLanguage } from '@lib/search-terms';
import { ReplicaReads } from '../database/replica-reads';
import { DataSource, EntityManager } from 'typeorm';
import type { Language } from '../tickets/entities/ticket.entity';

export interface KnowledgeArticleView {
  id: string;
  institution: string | null;
  topic: string | null;
  language: Language;
  questions: string[];
  answer: string;
  published: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface KnowledgeMatch {
  article: KnowledgeArticleView;
  /**
   * Confidence in [0, 1]: mostly the share of the query's terms the article holds (a term in the questions counts
   * more than one only in the answer, an exact stem more than a prefix), plus trigram similarity of the query to
   * the questions. Above about 0.6 the article answers the question; below 0.3 it is a guess.
   */
  score: number;
}

export interface KnowledgeSearchOptions {
  language?: Language;
  /** Institution code: that institution's articles and the centre's general ones (no institution). */
  institution?: string;
  limit?: number;
}

export const ARTICLE_COLUMNS = `a.id, i.code AS institution, a.topic, a.language, a.questions, a.answer, a.published, a.created_at, a.updated_at`;

export function articleView(row: Record<string, any>): KnowledgeArticleView {
  return {
    id: row.id,
    institution: row.institution,
    topic: row.topic,
    language: row.language,
    questions: row.questions,
    answer: row.answer,
    published: row.published,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

// Stems shorter than this match exactly only: "pas" (pase) must not find "pasts" or "pasākums".
const PREFIX_MIN = 5;
const TRIGRAM_THRESHOLD = 0.45;

/**
 * Knowledge-base search in PostgreSQL, for whoever needs an answer: operators' suggestions, the chat assistant,
 * IVR answers, e-mail suggestions. A plain injectable with no HTTP in it.
 */
@Injectable()
export class KnowledgeSearchService implements OnApplicationBootstrap {
  private readonly logger = new Logger(KnowledgeSearchService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    /** Searches read a replica when there is one: an article published a second ago may be missed once. */
    private readonly replica: ReplicaReads,
  ) {}

  /** Articles written by a migration, or indexed by an older stemmer, get their search columns now. */
  async onApplicationBootstrap(): Promise<void> {
    const reindexed = await this.reindexStale();
    if (reindexed > 0) this.logger.log({ reindexed }, 'knowledge articles re-indexed');
  }

  async reindexStale(): Promise<number> {
    let total = 0;
    for (;;) {
      const rows: Array<{ id: string }> = await this.dataSource.query(
        `SELECT id FROM knowledge_articles WHERE search_version <> $1 ORDER BY id LIMIT 500`,
        [TERMS_VERSION],
      );
      if (rows.length === 0) return total;
      await this.dataSource.transaction(async (m) => {
        for (const r of rows) await this.index(m, r.id);
      });
      total += rows.length;
    }
  }

  /** Recomputes the search columns of one article from its stored text. */
  async index(m: EntityManager, id: string): Promise<void> {
    const [row]: Array<{ questions: string[]; answer: string; topic: string | null; language: TermsLanguage }> = await m.query(
      `SELECT questions, answer, topic, language FROM knowledge_articles WHERE id = $1`,
      [id],
    );
    if (!row) return;
    const questionText = [...row.questions, row.topic ?? ''].join('\n');
    await m.query(
      `UPDATE knowledge_articles
       SET search_vector = setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $3), 'B'),
           search_text = kb_unaccent(lower($4)), search_version = $5
       WHERE id = $1`,
      [id, searchTerms(questionText, row.language).join(' '), searchTerms(row.answer, row.language).join(' '), questionText, TERMS_VERSION],
    );
  }

  /** Published articles that answer `query`, best first, each with a confidence score. */
  async search(query: string, options: KnowledgeSearchOptions = {}): Promise<KnowledgeMatch[]> {
    const limit = Math.min(Math.max(options.limit ?? 5, 1), 50);
    // The query is stemmed the way each article's language stems its own text, so the two always agree.
    const terms: Record<TermsLanguage, string[]> = {
      lv: searchTerms(query, 'lv'),
      ru: searchTerms(query, 'ru'),
      en: searchTerms(query, 'en'),
    };
    const all = [...new Set([...terms.lv, ...terms.ru, ...terms.en])];
    const anyTerm = all.map((t) => (t.length >= PREFIX_MIN ? `${t}:*` : t)).join(' | ');
    return this.replica.transaction(async (m) => {
      // Only for this transaction: the threshold the trigram index uses for `<%`.
      await m.query(`SELECT set_config('pg_trgm.word_similarity_threshold', $1, true)`, [String(TRIGRAM_THRESHOLD)]);
      const rows: Array<Record<string, any>> = await m.query(
        `WITH q AS (SELECT kb_unaccent(lower($1)) AS text,
                           CASE WHEN $2 = '' THEN NULL ELSE to_tsquery('simple', $2) END AS any_term)
         SELECT ${ARTICLE_COLUMNS}, s.coverage, s.trigram
         FROM knowledge_articles a
         LEFT JOIN institutions i ON i.id = a.institution_id
         CROSS JOIN q
         CROSS JOIN LATERAL (
           SELECT (SELECT coalesce(sum(CASE
                     WHEN a.search_vector @@ to_tsquery('simple', t || ':A') THEN 1.0
                     WHEN length(t) >= ${PREFIX_MIN} AND a.search_vector @@ to_tsquery('simple', t || ':*A') THEN 0.8
                     WHEN a.search_vector @@ to_tsquery('simple', t || ':B') THEN 0.6
                     WHEN length(t) >= ${PREFIX_MIN} AND a.search_vector @@ to_tsquery('simple', t || ':*B') THEN 0.45
                     ELSE 0 END), 0) / greatest(cardinality(terms.list), 1)
                   FROM unnest(terms.list) AS t) AS coverage,
                  word_similarity(q.text, a.search_text) AS trigram
           FROM (SELECT CASE a.language WHEN 'ru' THEN $4::text[] WHEN 'en' THEN $5::text[] ELSE $3::text[] END AS list) AS terms
         ) s
         WHERE a.published
           AND ($6::text IS NULL OR a.language = $6)
           AND ($7::text IS NULL OR a.institution_id IS NULL OR i.code = upper($7))
           AND (a.search_vector @@ q.any_term OR q.text <% a.search_text)
         ORDER BY 0.75 * s.coverage + 0.25 * s.trigram DESC, a.id
         LIMIT $8`,
        [query, anyTerm, terms.lv, terms.ru, terms.en, options.language ?? null, options.institution ?? null, limit],
      );
      return rows.map((row) => ({
        article: articleView(row),
        score: Math.round(Math.min(1, 0.75 * Number(row.coverage) + 0.25 * Number(row.trigram)) * 1000) / 1000,
      }));
    });
  }
}

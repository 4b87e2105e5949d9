import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth-user';
import { ProblemException, validationProblem } from '../common/problem';
import { InstitutionsService } from '../institutions/institutions.service';
import { CreateKnowledgeArticleDto, ListKnowledgeArticlesQuery, UpdateKnowledgeArticleDto } from './dto/knowledge-article.dto';
import { ARTICLE_COLUMNS, articleView, KnowledgeArticleView, KnowledgeSearchService } from './knowledge-search.service';

const encodeCursor = (createdAt: string, id: string) => Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');

function decodeCursor(raw: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)) || !/^[0-9a-f-]{36}$/.test(id)) throw new Error();
    return { createdAt, id };
  } catch {
    throw validationProblem([{ field: 'cursor', code: 'invalid', message: 'cursor is not one this API gave out' }]);
  }
}

/** Editing the knowledge base. Every write recomputes the article's search columns in the same transaction. */
@Injectable()
export class KnowledgeArticlesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly institutions: InstitutionsService,
    private readonly search: KnowledgeSearchService,
  ) {}

  async list(q: ListKnowledgeArticlesQuery): Promise<{ items: KnowledgeArticleView[]; nextCursor: string | null }> {
    const limit = q.limit ?? 50;
    const after = q.cursor ? decodeCursor(q.cursor) : null;
    const rows: Array<Record<string, any>> = await this.dataSource.query(
      `SELECT ${ARTICLE_COLUMNS}, to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
       FROM knowledge_articles a LEFT JOIN institutions i ON i.id = a.institution_id
       WHERE ($1::text IS NULL OR i.code = upper($1))
         AND ($2::text IS NULL OR a.language = $2)
         AND ($3::boolean IS NULL OR a.published = $3)
         AND ($4::timestamptz IS NULL OR (a.created_at, a.id) > ($4::timestamptz, $5::uuid))
       ORDER BY a.created_at, a.id LIMIT $6`,
      [q.institution ?? null, q.language ?? null, q.published ?? null, after?.createdAt ?? null, after?.id ?? null, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(articleView), nextCursor: rows.length > limit && last ? encodeCursor(last.cursor_at, last.id) : null };
  }

  async get(id: string, m: EntityManager = this.dataSource.manager): Promise<KnowledgeArticleView> {
    const [row] = await m.query(
      `SELECT ${ARTICLE_COLUMNS} FROM knowledge_articles a LEFT JOIN institutions i ON i.id = a.institution_id WHERE a.id = $1`,
      [id],
    );
    if (!row) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No knowledge article ${id}.`);
    return articleView(row);
  }

  async create(user: AuthUser, body: CreateKnowledgeArticleDto): Promise<KnowledgeArticleView> {
    const institutionId = await this.institutionId(body.institution);
    return this.dataSource.transaction(async (m) => {
      const [{ id }] = await m.query(
        `INSERT INTO knowledge_articles (institution_id, topic, language, questions, answer, published, updated_by_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [institutionId, body.topic || null, body.language, body.questions, body.answer, body.published ?? false, user.id],
      );
      await this.search.index(m, id);
      return this.get(id, m);
    });
  }

  async update(user: AuthUser, id: string, body: UpdateKnowledgeArticleDto): Promise<KnowledgeArticleView> {
    const institutionId = body.institution === undefined ? undefined : await this.institutionId(body.institution);
    return this.dataSource.transaction(async (m) => {
      const updated = await m.query(
        `UPDATE knowledge_articles SET
           institution_id = CASE WHEN $2 THEN $3::uuid ELSE institution_id END,
           topic = CASE WHEN $4 THEN $5 ELSE topic END,
           language = coalesce($6, language),
           questions = coalesce($7::text[], questions),
           answer = coalesce($8, answer),
           published = coalesce($9, published),
           updated_by_id = $10, updated_at = now()
         WHERE id = $1 RETURNING id`,
        [
          id,
          institutionId !== undefined,
          institutionId ?? null,
          body.topic !== undefined,
          body.topic || null,
          body.language ?? null,
          body.questions ?? null,
          body.answer ?? null,
          body.published ?? null,
          user.id,
        ],
      );
      if (updated[1] === 0 || (Array.isArray(updated[0]) && updated[0].length === 0)) {
        throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No knowledge article ${id}.`);
      }
      await this.search.index(m, id);
      return this.get(id, m);
    });
  }

  async remove(id: string): Promise<void> {
    const [, count] = await this.dataSource.query(`DELETE FROM knowledge_articles WHERE id = $1`, [id]);
    if (count === 0) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No knowledge article ${id}.`);
  }

  private async institutionId(code: string | null | undefined): Promise<string | null> {
    if (!code) return null;
    const institution = await this.institutions.findByCode(code);
    if (!institution) throw validationProblem([{ field: 'institution', code: 'unknown', message: `no institution has the code ${code}` }]);
    return institution.id;
  }
}

import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser, ticketScope } from '../auth/auth-user';
import { FieldError, ProblemException, validationProblem } from '../common/problem';
import { InstitutionsService } from '../institutions/institutions.service';
import { CreateTagDto, UpdateTagDto } from './dto/tag.dto';

export interface TagView {
  id: string;
  name: string;
  institution: string | null;
  description: string | null;
  createdAt: Date;
}

const COLUMNS = `g.id, g.name, (SELECT code FROM institutions i WHERE i.id = g.institution_id) AS institution, g.description, g.created_at AS "createdAt"`;

/**
 * The tag vocabulary: the centre's tags (usable on every ticket) and each institution's (usable on its tickets).
 * Admins keep it; everyone reads the part their scope covers.
 */
@Injectable()
export class TagsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly institutions: InstitutionsService,
    private readonly audit: AuditService,
  ) {}

  /** The centre's tags and those of the institutions the person works for (centre-wide roles: every institution). */
  async list(user: AuthUser, institution?: string): Promise<TagView[]> {
    const scope = ticketScope(user);
    const institutionId = institution ? await this.institutionId(institution, 'institution') : null;
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM tags g
       WHERE ($1::uuid IS NULL OR g.institution_id IS NULL OR g.institution_id = $1)
         AND ($2::uuid[] IS NULL OR g.institution_id IS NULL OR g.institution_id = ANY($2))
       ORDER BY g.name, institution NULLS FIRST`,
      [institutionId, scope.all ? null : scope.institutionIds],
    );
  }

  async create(user: AuthUser, dto: CreateTagDto): Promise<TagView> {
    const institutionId = dto.institution ? await this.institutionId(dto.institution, 'institution') : null;
    return this.dataSource.transaction(async (m) => {
      const [row] = await m.query(
        `INSERT INTO tags (institution_id, name, description, created_by_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING RETURNING id`,
        [institutionId, dto.name, dto.description ?? null, user.id],
      );
      if (!row) throw validationProblem([{ field: 'name', code: 'taken', message: `${dto.name} is already a tag there` }]);
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'tag.created',
            subjectType: 'tag',
            subjectId: row.id,
            detail: { name: dto.name, institution: dto.institution ?? null },
          },
        ],
        m,
      );
      return this.get(row.id, m);
    });
  }

  async update(user: AuthUser, id: string, dto: UpdateTagDto): Promise<TagView> {
    return this.dataSource.transaction(async (m) => {
      const before = await this.get(id, m);
      try {
        await m.query(`UPDATE tags SET name = coalesce($2, name), description = CASE WHEN $3 THEN $4 ELSE description END WHERE id = $1`, [
          id,
          dto.name ?? null,
          dto.description !== undefined,
          dto.description ?? null,
        ]);
      } catch (error) {
        if ((error as { code?: string }).code === '23505')
          throw validationProblem([{ field: 'name', code: 'taken', message: `${dto.name} is already a tag there` }]);
        throw error;
      }
      const after = await this.get(id, m);
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'tag.updated',
            subjectType: 'tag',
            subjectId: id,
            detail: {
              before: { name: before.name, description: before.description },
              after: { name: after.name, description: after.description },
            },
          },
        ],
        m,
      );
      return after;
    });
  }

  /** Deleting a tag takes it off every ticket (reports by tag then no longer list it). */
  async remove(user: AuthUser, id: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const before = await this.get(id, m);
      await m.query('DELETE FROM tags WHERE id = $1', [id]);
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'tag.deleted',
            subjectType: 'tag',
            subjectId: id,
            detail: { name: before.name, institution: before.institution },
          },
        ],
        m,
      );
    });
  }

  async get(id: string, m: EntityManager | DataSource = this.dataSource): Promise<TagView> {
    const [row] = await m.query(`SELECT ${COLUMNS} FROM tags g WHERE g.id = $1`, [id]);
    if (!row) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No tag ${id}.`);
    return row;
  }

  /**
   * The tags of these names that may go on a ticket of this institution (the centre's, or the institution's own,
   * which wins when both have the name); a name that is neither is a field error at `field[i]`.
   */
  async resolve(
    m: EntityManager,
    institutionId: string | null,
    names: string[],
    field: string,
  ): Promise<Array<{ id: string; name: string }>> {
    const wanted = [...new Set(names.map((n) => n.toLowerCase()))];
    const rows: Array<{ id: string; name: string }> = await m.query(
      `SELECT DISTINCT ON (lower(name)) id, name FROM tags
       WHERE lower(name) = ANY($1::text[]) AND (institution_id IS NULL OR institution_id = $2)
       ORDER BY lower(name), institution_id NULLS LAST`,
      [wanted, institutionId],
    );
    const found = new Map(rows.map((r) => [r.name.toLowerCase(), r]));
    const errors: FieldError[] = names
      .map((n, i) =>
        found.has(n.toLowerCase())
          ? null
          : { field: `${field}[${i}]`, code: 'unknownTag', message: `${n} is not a tag of this ticket's institution or of the centre` },
      )
      .filter((e): e is FieldError => e !== null);
    if (errors.length) throw validationProblem(errors);
    return wanted.map((n) => found.get(n)!);
  }

  private async institutionId(code: string, field: string): Promise<string> {
    const institution = await this.institutions.findByCode(code);
    if (!institution) throw validationProblem([{ field, code: 'unknown', message: `no institution has the code ${code}` }]);
    return institution.id;
  }
}

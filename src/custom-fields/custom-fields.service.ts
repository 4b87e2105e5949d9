import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { checkChoices, CustomFieldType } from '@lib/custom-fields';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser, ticketScope } from '../auth/auth-user';
import { FieldError, ProblemException, validationProblem } from '../common/problem';
import { CreateCustomFieldDto, UpdateCustomFieldDto } from './dto/custom-field.dto';

export interface CustomFieldView {
  id: string;
  institution: string;
  key: string;
  labels: { lv: string; en: string };
  type: CustomFieldType;
  choices: string[];
  required: boolean;
  active: boolean;
  position: number;
  /** How many tickets have a value for it: a field in use is switched off rather than deleted. */
  inUse: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface DefinitionRow {
  id: string;
  institution_id: string;
  institution: string;
  key: string;
  label_lv: string;
  label_en: string;
  type: CustomFieldType;
  choices: string[];
  required: boolean;
  active: boolean;
  position: number;
  in_use: number;
  created_at: Date;
  updated_at: Date;
}

export const DEFINITION_COLUMNS = `d.id, d.institution_id, (SELECT code FROM institutions i WHERE i.id = d.institution_id) AS institution, d.key, d.label_lv, d.label_en,
  d.type, d.choices, d.required, d.active, d.position, d.created_at, d.updated_at,
  (SELECT count(*)::int FROM ticket_custom_field_values v WHERE v.field_id = d.id) AS in_use`;

export function definitionView(r: DefinitionRow): CustomFieldView {
  return {
    id: r.id,
    institution: r.institution,
    key: r.key,
    labels: { lv: r.label_lv, en: r.label_en },
    type: r.type,
    choices: r.choices,
    required: r.required,
    active: r.active,
    position: r.position,
    inUse: r.in_use,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const notFound = (id: string) =>
  new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No custom field ${id} that you may see.`);

/**
 * The custom fields of each institution's tickets (table custom_field_definitions): admins keep them, supervisors
 * read them, and staff bound to institutions see only their institutions' fields. A field's key and type are fixed
 * once it exists, because the values given already are of that type under that key.
 */
@Injectable()
export class CustomFieldsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(user: AuthUser, institution?: string): Promise<CustomFieldView[]> {
    const scope = ticketScope(user);
    const institutionId = institution ? await this.institutionId(this.dataSource.manager, institution) : null;
    const rows: DefinitionRow[] = await this.dataSource.query(
      `SELECT ${DEFINITION_COLUMNS} FROM custom_field_definitions d
       WHERE ($1::uuid IS NULL OR d.institution_id = $1) AND ($2::uuid[] IS NULL OR d.institution_id = ANY($2))
       ORDER BY institution, d.position, d.key`,
      [institutionId, scope.all ? null : scope.institutionIds],
    );
    return rows.map(definitionView);
  }

  async get(user: AuthUser, id: string, m: EntityManager | DataSource = this.dataSource): Promise<CustomFieldView> {
    const [row]: DefinitionRow[] = await m.query(`SELECT ${DEFINITION_COLUMNS} FROM custom_field_definitions d WHERE d.id = $1`, [id]);
    const scope = ticketScope(user);
    if (!row || (!scope.all && !scope.institutionIds.includes(row.institution_id))) throw notFound(id);
    return definitionView(row);
  }

  async create(user: AuthUser, dto: CreateCustomFieldDto): Promise<CustomFieldView> {
    return this.dataSource.transaction(async (m) => {
      const errors: FieldError[] = [];
      const institutionId = await this.institutionId(m, dto.institution).catch((e: ProblemException) => {
        errors.push(...((e.getResponse() as { errors?: FieldError[] }).errors ?? []));
        return null;
      });
      errors.push(...checkChoices(dto.type, dto.choices));
      if (errors.length) throw validationProblem(errors);
      const [row] = await m.query(
        `INSERT INTO custom_field_definitions (institution_id, key, label_lv, label_en, type, choices, required, active, position, created_by_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING id`,
        [
          institutionId,
          dto.key,
          dto.labels.lv,
          dto.labels.en,
          dto.type,
          dto.choices ?? [],
          dto.required ?? false,
          dto.active ?? true,
          dto.position ?? 0,
          user.id,
        ],
      );
      if (!row)
        throw validationProblem([
          { field: 'key', code: 'taken', message: `${dto.institution.toUpperCase()} already has a field ${dto.key}` },
        ]);
      const view = await this.get(user, row.id, m);
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'custom_field.created',
            subjectType: 'custom_field',
            subjectId: row.id,
            detail: this.auditable(view),
          },
        ],
        m,
      );
      return view;
    });
  }

  async update(user: AuthUser, id: string, dto: UpdateCustomFieldDto): Promise<CustomFieldView> {
    return this.dataSource.transaction(async (m) => {
      await m.query('SELECT 1 FROM custom_field_definitions WHERE id = $1 FOR UPDATE', [id]);
      const before = await this.get(user, id, m);
      const problems = dto.choices !== undefined ? checkChoices(before.type, dto.choices) : [];
      if (problems.length) throw validationProblem(problems);
      await m.query(
        `UPDATE custom_field_definitions SET label_lv = coalesce($2, label_lv), label_en = coalesce($3, label_en), choices = coalesce($4, choices),
                required = coalesce($5, required), active = coalesce($6, active), position = coalesce($7, position), updated_at = now()
         WHERE id = $1`,
        [
          id,
          dto.labels?.lv ?? null,
          dto.labels?.en ?? null,
          dto.choices ?? null,
          dto.required ?? null,
          dto.active ?? null,
          dto.position ?? null,
        ],
      );
      const after = await this.get(user, id, m);
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'custom_field.updated',
            subjectType: 'custom_field',
            subjectId: id,
            detail: { before: this.auditable(before), after: this.auditable(after) },
          },
        ],
        m,
      );
      return after;
    });
  }

  /** Only a field no ticket has a value for: a value once given stays in the ticket and the exports. */
  async remove(user: AuthUser, id: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.query('SELECT 1 FROM custom_field_definitions WHERE id = $1 FOR UPDATE', [id]);
      const field = await this.get(user, id, m);
      if (field.inUse > 0) {
        throw new ProblemException(
          HttpStatus.CONFLICT,
          'custom-field-in-use',
          'In use',
          `${field.inUse} ticket(s) have a value for ${field.key}; switch it off (active: false) instead.`,
        );
      }
      await m.query('DELETE FROM custom_field_definitions WHERE id = $1', [id]);
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'custom_field.deleted',
            subjectType: 'custom_field',
            subjectId: id,
            detail: this.auditable(field),
          },
        ],
        m,
      );
    });
  }

  private auditable(v: CustomFieldView) {
    return {
      institution: v.institution,
      key: v.key,
      labels: v.labels,
      type: v.type,
      choices: v.choices,
      required: v.required,
      active: v.active,
      position: v.position,
    };
  }

  private async institutionId(m: EntityManager, code: string): Promise<string> {
    const [row]: Array<{ id: string }> = await m.query('SELECT id FROM institutions WHERE code = $1', [code.toUpperCase()]);
    if (!row) throw validationProblem([{ field: 'institution', code: 'unknown', message: `no institution has the code ${code}` }]);
    return row.id;
  }
}

import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { ProblemException, validationProblem } from '../common/problem';
import { isVisible, mayManage, Owned, Sharing, sharingOf, visibleSql } from '../common/sharing';
import { InstitutionsService } from '../institutions/institutions.service';
import { ListTicketsQuery } from '../tickets/dto/list-tickets.query';
import { TicketsQueryService } from '../tickets/tickets-query.service';
import { CreateSavedViewDto, UpdateSavedViewDto, ViewFiltersDto } from './dto/saved-view.dto';

interface ViewRow extends Owned {
  id: string;
  name: string;
  filters: Record<string, unknown>;
  sort: 'created' | 'sla_due' | 'relevance';
  sort_order: 'newest' | 'oldest';
  institution: string | null;
  owner_name: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `v.id, v.name, v.filters, v.sort, v.sort_order, v.owner_agent_id, v.institution_id, v.created_at, v.updated_at,
  (SELECT code FROM institutions i WHERE i.id = v.institution_id) AS institution,
  (SELECT display_name FROM agents ag WHERE ag.id = v.owner_agent_id) AS owner_name`;

/** Only the filters that were given, so a view stores what its author chose and nothing else. */
const given = (filters: ViewFiltersDto | undefined) =>
  Object.fromEntries(Object.entries(filters ?? {}).filter(([, v]) => v !== undefined && v !== null && v !== ''));

/**
 * Saved views (table saved_views): a filter and sort of the inbox with the count of what it holds, for the person
 * looking. The count and the tickets are the inbox list's own, so every filter and the scope apply exactly as there.
 */
@Injectable()
export class SavedViewsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly institutions: InstitutionsService,
    private readonly tickets: TicketsQueryService,
  ) {}

  /** The views the person may open, by name, each with its count of tickets as they would see them. */
  async list(user: AuthUser) {
    const params: unknown[] = [];
    const rows: ViewRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM saved_views v WHERE ${visibleSql(user, 'v', (x) => `$${params.push(x)}`)} ORDER BY v.name, v.id LIMIT 200`,
      params,
    );
    const items = [];
    for (const row of rows) items.push(await this.view(user, row));
    return { items };
  }

  async get(user: AuthUser, id: string) {
    return this.view(user, await this.row(user, id));
  }

  /** The view's tickets, a page at a time: GET /v1/tickets with the view's filters and sort. */
  async ticketsOf(user: AuthUser, id: string, page: { cursor?: string; limit?: number }) {
    const row = await this.row(user, id);
    return { view: { id: row.id, name: row.name }, ...(await this.tickets.list(user, { ...this.query(row), ...page })) };
  }

  async create(user: AuthUser, dto: CreateSavedViewDto) {
    const owned = await this.ownership(user, dto.sharing ?? 'personal', dto.institution);
    const filters = given(dto.filters);
    this.checkSort(dto.sort ?? 'created', filters);
    const [{ id }] = await this.dataSource.query(
      `INSERT INTO saved_views (institution_id, owner_agent_id, name, filters, sort, sort_order, created_by_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [owned.institution_id, owned.owner_agent_id, dto.name, filters, dto.sort ?? 'created', dto.order ?? 'newest', user.id],
    );
    return this.get(user, id);
  }

  async update(user: AuthUser, id: string, dto: UpdateSavedViewDto) {
    await this.dataSource.transaction(async (m) => {
      const row = await this.row(user, id, m, true);
      if (!mayManage(user, row))
        throw new ProblemException(HttpStatus.FORBIDDEN, 'forbidden', 'Forbidden', 'You may open this view but not change it.');
      const filters = dto.filters ? given(dto.filters) : row.filters;
      const sort = dto.sort ?? row.sort;
      this.checkSort(sort, filters);
      await m.query('UPDATE saved_views SET name = $2, filters = $3, sort = $4, sort_order = $5, updated_at = now() WHERE id = $1', [
        id,
        dto.name ?? row.name,
        filters,
        sort,
        dto.order ?? row.sort_order,
      ]);
    });
    return this.get(user, id);
  }

  async remove(user: AuthUser, id: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const row = await this.row(user, id, m, true);
      if (!mayManage(user, row))
        throw new ProblemException(HttpStatus.FORBIDDEN, 'forbidden', 'Forbidden', 'You may open this view but not delete it.');
      await m.query('DELETE FROM saved_views WHERE id = $1', [id]);
    });
  }

  private checkSort(sort: string, filters: Record<string, unknown>) {
    if (sort === 'relevance' && !filters.q)
      throw validationProblem([{ field: 'sort', code: 'needsQuery', message: 'sort=relevance needs a search (filters.q)' }]);
  }

  private query(row: ViewRow): ListTicketsQuery {
    return { ...(row.filters as Partial<ListTicketsQuery>), sort: row.sort, order: row.sort_order };
  }

  private async view(user: AuthUser, row: ViewRow) {
    const { count, capped } = await this.tickets.count(user, this.query(row));
    return {
      id: row.id,
      name: row.name,
      filters: row.filters,
      sort: row.sort,
      order: row.sort_order,
      sharing: sharingOf(row),
      institution: row.institution,
      owner: row.owner_agent_id ? { id: row.owner_agent_id, displayName: row.owner_name ?? '' } : null,
      // For the person asking: their scope, and 'assignee: me' is them.
      count,
      countCapped: capped,
      // The link to pass on: whoever may open the view gets the tickets of their own scope.
      link: `/v1/saved-views/${row.id}/tickets`,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  private async row(user: AuthUser, id: string, m: EntityManager | DataSource = this.dataSource, lock = false): Promise<ViewRow> {
    const [row]: ViewRow[] = await m.query(`SELECT ${COLUMNS} FROM saved_views v WHERE v.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    if (!row || !isVisible(user, row))
      throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No saved view ${id} that you may open.`);
    return row;
  }

  private async ownership(user: AuthUser, sharing: Sharing, institution: string | undefined): Promise<Owned> {
    if (sharing !== 'institution' && institution)
      throw validationProblem([
        { field: 'institution', code: 'notShared', message: 'an institution is named only with sharing: institution' },
      ]);
    let institutionId: string | null = null;
    if (sharing === 'institution') {
      const found = await this.institutions.findByCode(institution!);
      if (!found)
        throw validationProblem([{ field: 'institution', code: 'unknown', message: `no institution has the code ${institution}` }]);
      institutionId = found.id;
    }
    const owned: Owned =
      sharing === 'personal' ? { owner_agent_id: user.id, institution_id: null } : { owner_agent_id: null, institution_id: institutionId };
    if (!mayManage(user, owned)) {
      throw validationProblem([
        {
          field: 'sharing',
          code: 'notAllowed',
          message:
            sharing === 'centre'
              ? "only supervisors and admins save the centre's views"
              : "only supervisors, admins and the institution's own staff save its team's views",
        },
      ]);
    }
    return owned;
  }
}

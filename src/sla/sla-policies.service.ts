import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ProblemException, validationProblem } from '../common/problem';
import { SlaPolicyDto, UpdateSlaPolicyDto } from './dto/sla-policy.dto';
import { PolicyRow } from './policy-match';

const TTL_MS = 30_000;

export interface PolicyView extends PolicyRow {
  description: string | null;
  institution: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const SELECT = `SELECT p.id, p.name, p.description, p.scope, p.channel, p.level, p.priority, p.institution_id, i.code AS institution,
  p.first_response, p.next_response, p.resolution, p.resolution_extension, p.warning_percent, p.goal_percent,
  p.breach_actions, p.remind_outside_hours, p.active, p.created_at, p.updated_at
  FROM sla_policies p LEFT JOIN institutions i ON i.id = p.institution_id`;

function toView(r: Record<string, any>): PolicyView {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    scope: r.scope,
    channel: r.channel,
    level: r.level,
    priority: r.priority,
    institutionId: r.institution_id,
    institution: r.institution,
    firstResponse: r.first_response,
    nextResponse: r.next_response,
    resolution: r.resolution,
    resolutionExtension: r.resolution_extension,
    warningPercent: r.warning_percent,
    goalPercent: r.goal_percent,
    breachActions: r.breach_actions,
    remindOutsideHours: r.remind_outside_hours,
    active: r.active,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * SLA policies as data. The list is cached for 30 s (every ticket change consults it); a change made here clears
 * this process's cache at once, other processes pick it up within the TTL. A policy in use is deactivated rather
 * than deleted, so the clocks and reports that name it keep their meaning.
 */
@Injectable()
export class SlaPoliciesService {
  private cached: { at: number; policies: PolicyView[] } | null = null;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async all(m: EntityManager | DataSource = this.dataSource): Promise<PolicyView[]> {
    if (this.cached && Date.now() - this.cached.at < TTL_MS) return this.cached.policies;
    const rows = await m.query(`${SELECT} ORDER BY p.scope, p.name`);
    const policies = rows.map(toView);
    this.cached = { at: Date.now(), policies };
    return policies;
  }

  async get(id: string): Promise<PolicyView> {
    const [row] = await this.dataSource.query(`${SELECT} WHERE p.id = $1`, [id]);
    if (!row) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No SLA policy ${id}.`);
    return toView(row);
  }

  async create(dto: SlaPolicyDto): Promise<PolicyView> {
    const institutionId = await this.institutionId(dto.institution);
    await this.checkActions(dto);
    const rows = await this.dataSource.query(
      `INSERT INTO sla_policies (name, description, scope, channel, level, priority, institution_id, first_response, next_response, resolution,
                                 resolution_extension, warning_percent, goal_percent, breach_actions, remind_outside_hours, active)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
       ON CONFLICT DO NOTHING RETURNING id`,
      [
        dto.name,
        dto.description ?? null,
        dto.scope ?? 'case',
        dto.channel ?? null,
        dto.level ?? null,
        dto.priority ?? null,
        institutionId,
        json(dto.firstResponse),
        json(dto.nextResponse),
        json(dto.resolution),
        json(dto.resolutionExtension),
        dto.warningPercent ?? 80,
        dto.goalPercent ?? 100,
        JSON.stringify(dto.breachActions ?? []),
        dto.remindOutsideHours ?? false,
        dto.active ?? true,
      ],
    );
    if (rows.length === 0) throw duplicate();
    this.cached = null;
    return this.get(rows[0].id);
  }

  async update(id: string, dto: UpdateSlaPolicyDto): Promise<PolicyView> {
    const current = await this.get(id);
    await this.checkActions(dto);
    const sets: string[] = ['updated_at = now()'];
    const params: unknown[] = [id];
    const set = (column: string, value: unknown) => sets.push(`${column} = $${params.push(value)}`);
    if (dto.name !== undefined) set('name', dto.name);
    if (dto.description !== undefined) set('description', dto.description);
    if (dto.scope !== undefined) set('scope', dto.scope);
    if (dto.channel !== undefined) set('channel', dto.channel);
    if (dto.level !== undefined) set('level', dto.level);
    if (dto.priority !== undefined) set('priority', dto.priority);
    if (dto.institution !== undefined) set('institution_id', await this.institutionId(dto.institution));
    if (dto.firstResponse !== undefined) set('first_response', json(dto.firstResponse));
    if (dto.nextResponse !== undefined) set('next_response', json(dto.nextResponse));
    if (dto.resolution !== undefined) set('resolution', json(dto.resolution));
    if (dto.resolutionExtension !== undefined) set('resolution_extension', json(dto.resolutionExtension));
    if (dto.warningPercent !== undefined) set('warning_percent', dto.warningPercent);
    if (dto.goalPercent !== undefined) set('goal_percent', dto.goalPercent);
    if (dto.breachActions !== undefined) set('breach_actions', JSON.stringify(dto.breachActions));
    if (dto.remindOutsideHours !== undefined) set('remind_outside_hours', dto.remindOutsideHours);
    if (dto.active !== undefined) set('active', dto.active);
    try {
      await this.dataSource.query(`UPDATE sla_policies SET ${sets.join(', ')} WHERE id = $1`, params);
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw duplicate();
      throw error;
    }
    this.cached = null;
    return { ...current, ...(await this.get(id)) };
  }

  private async institutionId(code: string | null | undefined): Promise<string | null> {
    if (!code) return null;
    const [row] = await this.dataSource.query('SELECT id FROM institutions WHERE code = $1', [code.toUpperCase()]);
    if (!row) throw validationProblem([{ field: 'institution', code: 'unknown', message: `no institution has the code ${code}` }]);
    return row.id;
  }

  private async checkActions(dto: UpdateSlaPolicyDto): Promise<void> {
    for (const [i, a] of (dto.breachActions ?? []).entries()) {
      if (a.type === 'reroute') {
        const [q] = await this.dataSource.query('SELECT id FROM queues WHERE code = $1', [a.queue.toUpperCase()]);
        if (!q)
          throw validationProblem([{ field: `breachActions[${i}].queue`, code: 'unknown', message: `no queue has the code ${a.queue}` }]);
      }
    }
  }
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
const duplicate = () =>
  new ProblemException(
    HttpStatus.CONFLICT,
    'conflict',
    'Conflict',
    'A policy with the same scope, channel, level, priority and institution exists already.',
  );

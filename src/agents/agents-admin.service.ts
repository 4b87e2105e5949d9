import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { hashPassword, passwordPolicyProblems } from '@lib/password-hash';
import { DataSource, EntityManager } from 'typeorm';
import { CalendarService } from '../calendar/calendar.service';
import { ProblemException, validationProblem } from '../common/problem';
import { returnedRows } from '../database/rows';
import { Invalidations } from '../realtime/invalidations';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import { CreateAgentDto, UpdateAgentDto } from './dto/agent.dto';

const VIEW = `a.id, a.email, a.display_name, a.roles, a.centre, a.languages, a.skills, a.capacity, a.active, a.locked_until, a.created_at,
  coalesce(array_agg(i.code ORDER BY i.code) FILTER (WHERE i.code IS NOT NULL), '{}') AS institutions`;

function capacityProblems(capacity: Record<string, number> | undefined): string[] {
  if (!capacity) return [];
  return Object.entries(capacity)
    .filter(([channel, n]) => !/^[a-z]{2,16}$/.test(channel) || !Number.isInteger(n) || n < 0 || n > 100)
    .map(([channel]) => `capacity.${channel} must be a whole number from 0 to 100`);
}

/** Staff accounts for admins. The password hash never leaves the database; disabling ends sessions at once. */
@Injectable()
export class AgentsAdminService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly realtime: RealtimePublisher,
    private readonly calendars: CalendarService,
    private readonly invalidations: Invalidations,
  ) {}

  async list() {
    const rows = await this.dataSource.query(
      `SELECT ${VIEW} FROM agents a LEFT JOIN agent_institutions ai ON ai.agent_id = a.id LEFT JOIN institutions i ON i.id = ai.institution_id
       GROUP BY a.id ORDER BY a.email`,
    );
    return rows.map(toView);
  }

  async get(id: string) {
    const [row] = await this.dataSource.query(
      `SELECT ${VIEW} FROM agents a LEFT JOIN agent_institutions ai ON ai.agent_id = a.id LEFT JOIN institutions i ON i.id = ai.institution_id
       WHERE a.id = $1 GROUP BY a.id`,
      [id],
    );
    if (!row) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No agent ${id}.`);
    return toView(row);
  }

  async create(dto: CreateAgentDto) {
    await this.check(dto, dto.email);
    const id = await this.dataSource.transaction(async (m) => {
      const rows: Array<{ id: string }> = await m.query(
        `INSERT INTO agents (email, display_name, password_hash, roles, languages, skills, capacity, centre)
         VALUES ($1, $2, $3, $4, $5, $6, coalesce($7::jsonb, '{"voice":1,"chat":3,"email":10,"webform":10,"social":5}'), coalesce($8, 'VPPPD'))
         ON CONFLICT (email) DO NOTHING RETURNING id`,
        [
          dto.email.trim().toLowerCase(),
          dto.displayName,
          await hashPassword(dto.password),
          dto.roles,
          dto.languages ?? ['lv'],
          dto.skills ?? [],
          dto.capacity ? JSON.stringify(dto.capacity) : null,
          dto.centre?.toUpperCase() ?? null,
        ],
      );
      if (rows.length === 0) throw new ProblemException(HttpStatus.CONFLICT, 'conflict', 'Conflict', `An agent with ${dto.email} exists.`);
      await this.setInstitutions(m, rows[0].id, dto.institutions ?? []);
      return rows[0].id;
    });
    return this.get(id);
  }

  async update(id: string, dto: UpdateAgentDto) {
    const current = await this.get(id);
    await this.check(dto, dto.email ?? current.email);
    const ended = await this.dataSource.transaction(async (m) => {
      const sets: string[] = ['updated_at = now()'];
      const params: unknown[] = [id];
      const set = (column: string, value: unknown) => sets.push(`${column} = $${params.push(value)}`);
      if (dto.email !== undefined) set('email', dto.email.trim().toLowerCase());
      if (dto.displayName !== undefined) set('display_name', dto.displayName);
      if (dto.password !== undefined) set('password_hash', await hashPassword(dto.password));
      if (dto.roles !== undefined) set('roles', dto.roles);
      if (dto.languages !== undefined) set('languages', dto.languages);
      if (dto.skills !== undefined) set('skills', dto.skills);
      if (dto.capacity !== undefined) set('capacity', JSON.stringify(dto.capacity));
      if (dto.centre !== undefined) set('centre', dto.centre.toUpperCase());
      if (dto.active !== undefined) set('active', dto.active);
      await m.query(`UPDATE agents SET ${sets.join(', ')} WHERE id = $1`, params).catch((error: unknown) => {
        const e = error as { driverError?: { code?: string; constraint?: string } };
        if ((e.driverError?.code ?? (error as { code?: string }).code) === '23505' && dto.email !== undefined) {
          throw new ProblemException(HttpStatus.CONFLICT, 'conflict', 'Conflict', `Another agent has the e-mail ${dto.email}.`, [
            { field: 'email', code: 'taken', message: 'another agent has this e-mail' },
          ]);
        }
        throw error;
      });
      if (dto.institutions !== undefined) await this.setInstitutions(m, id, dto.institutions);
      // A new password or a disabled account ends every open session.
      if (dto.password === undefined && dto.active !== false) return [];
      const rows = await m.query('UPDATE sessions SET revoked_at = now() WHERE agent_id = $1 AND revoked_at IS NULL RETURNING id', [id]);
      return returnedRows<{ id: string }>(rows).map((r) => r.id);
    });
    // After commit, so a socket that reconnects at once is refused, and every instance's session cache forgets the
    // agent (roles, institutions, a disabled account or a new password) before this request is answered.
    await this.invalidations.publish('session', [id]);
    this.realtime.endSessions(ended);
    if (dto.roles !== undefined || dto.institutions !== undefined) this.realtime.scopeChanged(id);
    return this.get(id);
  }

  private async check(dto: Partial<CreateAgentDto>, email: string): Promise<void> {
    const unknownCentre = dto.centre !== undefined && !(await this.calendars.findCentre(dto.centre));
    const problems = [
      ...(unknownCentre
        ? [{ field: 'centre', code: 'unknown', message: `no centre has the code ${dto.centre} (GET /v1/calendar/centres lists them)` }]
        : []),
      ...(dto.password !== undefined
        ? passwordPolicyProblems(dto.password, { email }).map((p) => ({ field: 'password', code: 'policy', message: `password ${p}` }))
        : []),
      ...capacityProblems(dto.capacity).map((message) => ({ field: 'capacity', code: 'invalid', message })),
    ];
    if (problems.length) throw validationProblem(problems);
  }

  private async setInstitutions(m: EntityManager, agentId: string, codes: string[]): Promise<void> {
    await m.query('DELETE FROM agent_institutions WHERE agent_id = $1', [agentId]);
    if (codes.length === 0) return;
    const found: Array<{ id: string }> = await m.query(
      `INSERT INTO agent_institutions (agent_id, institution_id) SELECT $1, id FROM institutions WHERE code = ANY($2::text[]) RETURNING institution_id AS id`,
      [agentId, codes.map((c) => c.toUpperCase())],
    );
    if (found.length !== new Set(codes.map((c) => c.toUpperCase())).size) {
      throw validationProblem([{ field: 'institutions', code: 'unknown', message: `unknown institution among ${codes.join(', ')}` }]);
    }
  }
}

function toView(r: Record<string, any>) {
  return {
    id: r.id,
    email: r.email,
    displayName: r.display_name,
    roles: r.roles,
    centre: r.centre,
    institutions: r.institutions,
    languages: r.languages,
    skills: r.skills,
    capacity: r.capacity,
    active: r.active,
    lockedUntil: r.locked_until,
    createdAt: r.created_at,
  };
}

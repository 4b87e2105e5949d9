import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { FieldError, ProblemException, validationProblem } from '../common/problem';
import { CreateQueueDto, CreateRoutingRuleDto, UpdateQueueDto, UpdateRoutingRuleDto } from './dto/routing-admin.dto';
import { RoutingSignals } from './routing-signals';
import { returnedRows } from '../database/rows';

type Row = Record<string, any>;

const toQueue = (r: Row) => ({
  code: r.code,
  name: r.name,
  institution: r.institution,
  level: r.level,
  strategy: r.strategy,
  isGeneral: r.is_general,
  waiting: Number(r.waiting),
});

const toRule = (r: Row) => ({
  id: r.id,
  position: r.position,
  institution: r.institution,
  language: r.language,
  channel: r.channel,
  topic: r.topic,
  queue: r.queue,
  active: r.active,
});

/** Queues and routing rules as data, managed by administrators; every change is audited. */
@Injectable()
export class RoutingAdminService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly signals: RoutingSignals,
  ) {}

  async listQueues() {
    const rows: Row[] = await this.dataSource.query(
      `SELECT q.code, q.name, q.level, q.strategy, q.is_general, i.code AS institution,
              (SELECT count(*) FROM tickets t WHERE t.queue_id = q.id AND t.assignee_id IS NULL AND t.status IN ('new', 'queued')) AS waiting
       FROM queues q LEFT JOIN institutions i ON i.id = q.institution_id ORDER BY q.level, q.code`,
    );
    return rows.map(toQueue);
  }

  async createQueue(user: AuthUser, dto: CreateQueueDto) {
    return this.dataSource.transaction(async (m) => {
      const institutionId = dto.institution ? await this.institutionId(m, dto.institution, 'institution') : null;
      const [taken] = await m.query('SELECT 1 FROM queues WHERE code = $1', [dto.code.toUpperCase()]);
      if (taken) throw validationProblem([{ field: 'code', code: 'taken', message: `a queue ${dto.code.toUpperCase()} exists` }]);
      if (dto.level > 1 && !institutionId) {
        throw validationProblem([{ field: 'institution', code: 'required', message: 'a level 2 or 3 queue belongs to an institution' }]);
      }
      const [row] = await m.query(
        `INSERT INTO queues (code, name, institution_id, level, strategy) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [dto.code.toUpperCase(), dto.name, institutionId, dto.level, dto.strategy ?? 'manual'],
      );
      await this.audit.record(
        [{ actorAgentId: user.id, action: 'queue.created', subjectType: 'queue', subjectId: row.id, detail: { ...dto } }],
        m,
      );
      return this.queue(m, dto.code);
    });
  }

  async updateQueue(user: AuthUser, code: string, dto: UpdateQueueDto) {
    const result = await this.dataSource.transaction(async (m) => {
      const [row] = returnedRows(
        await m.query(`UPDATE queues SET name = coalesce($2, name), strategy = coalesce($3, strategy) WHERE code = $1 RETURNING id`, [
          code.toUpperCase(),
          dto.name ?? null,
          dto.strategy ?? null,
        ]),
      );
      if (!row) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No queue ${code}.`);
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'queue.updated',
            subjectType: 'queue',
            subjectId: row.id,
            detail: { code: code.toUpperCase(), ...dto },
          },
        ],
        m,
      );
      return this.queue(m, code);
    });
    // A queue that now assigns automatically may have work waiting for people already online.
    if (dto.strategy && dto.strategy !== 'manual') await this.signals.offerWork('queue-strategy');
    return result;
  }

  async listRules() {
    const rows: Row[] = await this.dataSource.query(
      `SELECT r.id, r.position, r.language, r.channel, r.topic, r.active, i.code AS institution, q.code AS queue
       FROM routing_rules r JOIN queues q ON q.id = r.queue_id LEFT JOIN institutions i ON i.id = r.institution_id
       ORDER BY r.position, r.created_at, r.id`,
    );
    return rows.map(toRule);
  }

  async createRule(user: AuthUser, dto: CreateRoutingRuleDto) {
    return this.dataSource.transaction(async (m) => {
      const errors: FieldError[] = [];
      const institutionId = dto.institution ? await this.institutionId(m, dto.institution, 'institution', errors) : null;
      const queueId = await this.queueId(m, dto.queue, errors);
      if (errors.length) throw validationProblem(errors);
      const [row] = await m.query(
        `INSERT INTO routing_rules (position, institution_id, language, channel, topic, queue_id, active)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [dto.position, institutionId, dto.language ?? null, dto.channel ?? null, dto.topic?.trim() ?? null, queueId, dto.active ?? true],
      );
      await this.audit.record(
        [{ actorAgentId: user.id, action: 'routing_rule.created', subjectType: 'routing_rule', subjectId: row.id, detail: { ...dto } }],
        m,
      );
      return this.rule(m, row.id);
    });
  }

  async updateRule(user: AuthUser, id: string, dto: UpdateRoutingRuleDto) {
    return this.dataSource.transaction(async (m) => {
      const errors: FieldError[] = [];
      const queueId = dto.queue ? await this.queueId(m, dto.queue, errors) : null;
      if (errors.length) throw validationProblem(errors);
      const [row] = returnedRows(
        await m.query(
          `UPDATE routing_rules SET position = coalesce($2, position), active = coalesce($3, active), queue_id = coalesce($4, queue_id)
           WHERE id = $1 RETURNING id`,
          [id, dto.position ?? null, dto.active ?? null, queueId],
        ),
      );
      if (!row) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No routing rule ${id}.`);
      await this.audit.record(
        [{ actorAgentId: user.id, action: 'routing_rule.updated', subjectType: 'routing_rule', subjectId: id, detail: { ...dto } }],
        m,
      );
      return this.rule(m, id);
    });
  }

  async deleteRule(user: AuthUser, id: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const [row] = returnedRows(await m.query('DELETE FROM routing_rules WHERE id = $1 RETURNING id, position, queue_id', [id]));
      if (!row) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No routing rule ${id}.`);
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'routing_rule.deleted',
            subjectType: 'routing_rule',
            subjectId: id,
            detail: { position: row.position },
          },
        ],
        m,
      );
    });
  }

  private async queue(m: EntityManager, code: string) {
    const rows: Row[] = await m.query(
      `SELECT q.code, q.name, q.level, q.strategy, q.is_general, i.code AS institution, 0 AS waiting
       FROM queues q LEFT JOIN institutions i ON i.id = q.institution_id WHERE q.code = $1`,
      [code.toUpperCase()],
    );
    return toQueue(rows[0]);
  }

  private async rule(m: EntityManager, id: string) {
    const rows: Row[] = await m.query(
      `SELECT r.id, r.position, r.language, r.channel, r.topic, r.active, i.code AS institution, q.code AS queue
       FROM routing_rules r JOIN queues q ON q.id = r.queue_id LEFT JOIN institutions i ON i.id = r.institution_id WHERE r.id = $1`,
      [id],
    );
    return toRule(rows[0]);
  }

  private async institutionId(m: EntityManager, code: string, field: string, errors?: FieldError[]): Promise<string | null> {
    const [row] = await m.query('SELECT id FROM institutions WHERE code = $1', [code.toUpperCase()]);
    if (row) return row.id as string;
    const error = { field, code: 'unknown', message: `no institution has the code ${code}` };
    if (errors) {
      errors.push(error);
      return null;
    }
    throw validationProblem([error]);
  }

  private async queueId(m: EntityManager, code: string, errors: FieldError[]): Promise<string | null> {
    const [row] = await m.query('SELECT id FROM queues WHERE code = $1', [code.toUpperCase()]);
    if (!row) errors.push({ field: 'queue', code: 'unknown', message: `no queue has the code ${code}` });
    return row?.id ?? null;
  }
}

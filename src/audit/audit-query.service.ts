import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { validationProblem } from '../common/problem';
import type { ListAuditQuery } from './dto/list-audit.query';

export interface AuditRow {
  id: string;
  at: Date;
  actor: string | null;
  actorEmail: string | null;
  action: string;
  subjectType: string;
  subjectId: string;
  detail: Record<string, unknown>;
  ip: string | null;
  requestId: string | null;
}

const encodeCursor = (at: string, id: string) => Buffer.from(JSON.stringify([at, id])).toString('base64url');

function decodeCursor(raw: string): [string, string] {
  try {
    const [at, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (typeof at !== 'string' || Number.isNaN(Date.parse(at)) || !/^[0-9a-f-]{36}$/.test(id)) throw new Error();
    return [at, id];
  } catch {
    throw validationProblem([{ field: 'cursor', code: 'invalid', message: 'cursor is not one this API gave out' }]);
  }
}

/** Reads the audit trail, newest first, with keyset pagination over (created_at, id). */
@Injectable()
export class AuditQueryService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(q: ListAuditQuery, defaultLimit: number): Promise<{ items: AuditRow[]; nextCursor: string | null }> {
    const params: unknown[] = [];
    const p = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const where: string[] = [];
    if (q.actor) where.push(`a.actor_agent_id = ${p(q.actor)}::uuid`);
    if (q.action)
      where.push(
        q.action.endsWith('*') ? `a.action LIKE ${p(q.action.slice(0, -1).replace(/_/g, '\\_') + '%')}` : `a.action = ${p(q.action)}`,
      );
    if (q.from) where.push(`a.created_at >= ${p(q.from)}::timestamptz`);
    if (q.to) where.push(`a.created_at < ${p(q.to)}::timestamptz`);
    if (q.ticket) {
      const ref = p(q.ticket);
      where.push(
        `((a.subject_type = 'ticket' AND a.subject_id IN (SELECT id::text FROM tickets WHERE reference = ${ref})) OR a.detail->>'reference' = ${ref})`,
      );
    }
    if (q.person) {
      const person = p(q.person);
      where.push(
        `((a.subject_type = 'customer' AND a.subject_id = ${person}) OR (a.subject_type = 'ticket' AND a.subject_id IN (SELECT id::text FROM tickets WHERE customer_id = ${person}::uuid)))`,
      );
    }
    if (q.cursor) {
      const [at, id] = decodeCursor(q.cursor);
      where.push(`(a.created_at, a.id) < (${p(at)}::timestamptz, ${p(id)}::uuid)`);
    }
    const limit = q.limit ?? defaultLimit;
    // The cursor keeps microseconds: a JavaScript Date would round them away and skip or repeat rows.
    const rows: Array<AuditRow & { cursor_at: string }> = await this.dataSource.query(
      `SELECT a.id, a.created_at AS at, to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at,
              a.actor_agent_id AS actor, ag.email AS "actorEmail", a.action, a.subject_type AS "subjectType", a.subject_id AS "subjectId",
              a.detail, a.ip, a.request_id AS "requestId"
       FROM audit_events a LEFT JOIN agents ag ON ag.id = a.actor_agent_id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY a.created_at DESC, a.id DESC
       LIMIT ${p(limit + 1)}`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(({ cursor_at: _, ...row }) => row),
      nextCursor: rows.length > limit && last ? encodeCursor(last.cursor_at, last.id) : null,
    };
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface AuditEntry {
  actorAgentId: string | null;
  action: string;
  subjectType: string;
  subjectId: string;
  detail?: Record<string, unknown>;
  ip?: string | null;
  requestId?: string | null;
}

/** Appends to the audit trail; nothing here updates or deletes. */
@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** With `manager`, the entries commit (or roll back) with the change they describe. */
  async record(entries: AuditEntry[], manager?: EntityManager): Promise<void> {
    if (entries.length === 0) return;
    await (manager ?? this.dataSource).query(
      `INSERT INTO audit_events (actor_agent_id, action, subject_type, subject_id, detail, ip, request_id)
       SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::text[], $5::jsonb[], $6::text[], $7::text[])`,
      [
        entries.map((e) => e.actorAgentId),
        entries.map((e) => e.action),
        entries.map((e) => e.subjectType),
        entries.map((e) => e.subjectId),
        entries.map((e) => JSON.stringify(e.detail ?? {})),
        entries.map((e) => e.ip ?? null),
        entries.map((e) => e.requestId ?? null),
      ],
    );
  }
}

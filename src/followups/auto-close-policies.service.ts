import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { validationProblem } from '../common/problem';
import { AutoClosePolicyDto } from './dto/follow-ups.dto';

export interface AutoClosePolicy {
  id: string;
  institutionId: string | null;
  institution: string | null;
  enabled: boolean;
  workingDays: number;
  updatedAt: Date;
}

/** "Close tickets pending the customer after N working days": a centre-wide default and an override per institution. */
@Injectable()
export class AutoClosePoliciesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async all(): Promise<AutoClosePolicy[]> {
    const rows = await this.dataSource.query(
      `SELECT p.id, p.institution_id, i.code AS institution, p.enabled, p.working_days, p.updated_at
       FROM auto_close_policies p LEFT JOIN institutions i ON i.id = p.institution_id ORDER BY p.institution_id NULLS FIRST, i.code`,
    );
    return rows.map((r: any) => ({
      id: r.id,
      institutionId: r.institution_id,
      institution: r.institution,
      enabled: r.enabled,
      workingDays: r.working_days,
      updatedAt: r.updated_at,
    }));
  }

  /** Sets the institution's policy (or the default); the next sweep applies it. */
  async put(user: AuthUser, dto: AutoClosePolicyDto): Promise<AutoClosePolicy> {
    const institutionId = dto.institutionId ?? null;
    if (institutionId) {
      const [found] = await this.dataSource.query('SELECT 1 FROM institutions WHERE id = $1', [institutionId]);
      if (!found) throw validationProblem([{ field: 'institutionId', code: 'unknown', message: 'no institution has this id' }]);
    }
    await this.dataSource.transaction(async (m) => {
      await m.query(
        `INSERT INTO auto_close_policies (institution_id, enabled, working_days, updated_by_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (coalesce(institution_id, '00000000-0000-0000-0000-000000000000'::uuid))
         DO UPDATE SET enabled = EXCLUDED.enabled, working_days = EXCLUDED.working_days, updated_by_id = EXCLUDED.updated_by_id, updated_at = now()`,
        [institutionId, dto.enabled, dto.workingDays, user.id],
      );
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'auto_close_policy.updated',
            subjectType: 'auto_close_policy',
            subjectId: institutionId ?? 'default',
            detail: { enabled: dto.enabled, workingDays: dto.workingDays },
          },
        ],
        m,
      );
    });
    return (await this.all()).find((p) => p.institutionId === institutionId)!;
  }
}

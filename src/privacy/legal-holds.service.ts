import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { ProblemException } from '../common/problem';
import type { RequestContext } from './subject-requests.service';

const notFound = () => new ProblemException(HttpStatus.NOT_FOUND, 'not_found', 'Not found', 'No such ticket.');

/**
 * Legal holds: a ticket that must be kept whole (a complaint under review, a court case). Supervisors and the DPO
 * set them by reference across the centre, since a hold concerns the law, not the institution working the case.
 */
@Injectable()
export class LegalHoldsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async set(user: AuthUser, reference: string, reason: string, context: RequestContext) {
    return this.dataSource.transaction(async (m) => {
      const [ticket] = await m.query(`SELECT id FROM tickets WHERE reference = $1`, [reference]);
      if (!ticket) throw notFound();
      const [hold] = await m.query(
        `INSERT INTO legal_holds (ticket_id, reason, set_by_id) VALUES ($1, $2, $3)
         ON CONFLICT (ticket_id) DO UPDATE SET reason = EXCLUDED.reason, set_by_id = EXCLUDED.set_by_id
         RETURNING reason, set_by_id AS "setBy", created_at AS "createdAt"`,
        [ticket.id, reason, user.id],
      );
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'ticket.legal_hold_set',
            subjectType: 'ticket',
            subjectId: ticket.id,
            detail: { reference, reason },
            ...context,
          },
        ],
        m,
      );
      return { reference, ...hold };
    });
  }

  async release(user: AuthUser, reference: string, context: RequestContext): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const [deleted]: [Array<{ ticket_id: string }>, number] = await m.query(
        `DELETE FROM legal_holds h USING tickets t WHERE t.id = h.ticket_id AND t.reference = $1 RETURNING h.ticket_id`,
        [reference],
      );
      if (!deleted.length)
        throw new ProblemException(HttpStatus.NOT_FOUND, 'not_found', 'Not found', 'The ticket is not under legal hold.');
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'ticket.legal_hold_released',
            subjectType: 'ticket',
            subjectId: deleted[0].ticket_id,
            detail: { reference },
            ...context,
          },
        ],
        m,
      );
    });
  }
}

import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { accepts, type HttpReply, type HttpRequest } from '../common/http';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import { toCsv } from '../reports/csv';
import { AuditQueryService } from './audit-query.service';
import { AuditService } from './audit.service';
import { ListAuditQuery } from './dto/list-audit.query';

const wantsCsv = (req: HttpRequest, format?: string) =>
  format === 'csv' || (format !== 'json' && accepts(req, ['application/json', 'text/csv']) === 'text/csv');

/**
 * The audit trail for the data protection officer and admins. Supervisors are centre-wide here (they belong to no
 * institution), so "their institutions" would be the whole centre: watching every colleague's reads is the DPO's
 * task, not theirs.
 */
@ApiTags('audit')
@ApiBearerAuth()
@ApiProduces('application/json', 'text/csv')
@Controller('v1/audit')
export class AuditController {
  constructor(
    private readonly query: AuditQueryService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @Roles('dpo', 'admin')
  @ApiOperation({
    summary: 'Who did or read what, newest first: filters actor, person, ticket, action, from/to; keyset pages; CSV with format=csv',
  })
  async list(@CurrentUser() user: AuthUser, @Query() q: ListAuditQuery, @Req() req: HttpRequest, @Res() res: HttpReply) {
    const csv = wantsCsv(req, q.format);
    const page = await this.query.list(q, csv ? 1000 : 50);
    // Reading the trail is itself a read of who did what: recorded once per request, with the filters used.
    const filters = Object.fromEntries(Object.entries(q).filter(([k, v]) => v !== undefined && k !== 'cursor'));
    await this.audit.record([
      {
        actorAgentId: user.id,
        action: 'audit.read',
        subjectType: 'audit',
        subjectId: '*',
        detail: { filters, rows: page.items.length, csv },
        ip: req.ip ?? null,
        requestId: req.id ? String(req.id) : null,
      },
    ]);
    if (!csv) return res.send(page);
    if (page.nextCursor) res.header('X-Next-Cursor', page.nextCursor);
    res.header('Content-Disposition', 'attachment; filename="audit.csv"');
    const rows = page.items.map((r) => ({ ...r, detail: JSON.stringify(r.detail) }));
    return res
      .type('text/csv; charset=utf-8')
      .send(toCsv(rows, ['at', 'actor', 'actorEmail', 'action', 'subjectType', 'subjectId', 'ip', 'requestId', 'detail', 'id']));
  }
}

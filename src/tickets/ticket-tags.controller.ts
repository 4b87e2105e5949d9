import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { rigaDate } from '@lib/business-calendar';
import { accepts, type HttpReply, type HttpRequest } from '../common/http';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import { validationProblem } from '../common/problem';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import { toCsv } from '../reports/csv';
import { AddTicketTagsDto, TagReportQuery } from './dto/ticket-tags.dto';
import { TicketTagsService } from './ticket-tags.service';

@ApiTags('tickets')
@ApiBearerAuth()
@Controller('v1')
export class TicketTagsController {
  constructor(
    private readonly tags: TicketTagsService,
    private readonly realtime: RealtimePublisher,
  ) {}

  @Post('tickets/:reference/tags')
  @HttpCode(HttpStatus.OK)
  @Roles('operator', 'specialist', 'expert', 'supervisor')
  @ApiOperation({
    summary: "Tag the ticket (any number of tags, each once): names of the centre's vocabulary or of the ticket's institution's",
  })
  async add(@CurrentUser() user: AuthUser, @Param('reference') reference: string, @Body() body: AddTicketTagsDto, @Req() req: HttpRequest) {
    const result = await this.tags.add(user, reference, body.tags, { requestId: req.id ? String(req.id) : undefined });
    await this.realtime.ticketsChangedByReference([reference]);
    return result;
  }

  @Delete('tickets/:reference/tags/:tag')
  @Roles('operator', 'specialist', 'expert', 'supervisor')
  @ApiOperation({ summary: 'Take a tag off the ticket' })
  async remove(@CurrentUser() user: AuthUser, @Param('reference') reference: string, @Param('tag') tag: string, @Req() req: HttpRequest) {
    const result = await this.tags.remove(user, reference, tag, { requestId: req.id ? String(req.id) : undefined });
    await this.realtime.ticketsChangedByReference([reference]);
    return result;
  }

  @Get('reports/tags')
  @Roles('supervisor', 'admin', 'specialist', 'expert')
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary:
      'Tickets per tag received in a period (Riga days), open and resolved; institution staff see their institutions only. JSON or CSV',
  })
  async report(@CurrentUser() user: AuthUser, @Query() q: TagReportQuery, @Req() req: HttpRequest, @Res() res: HttpReply) {
    const today = rigaDate(new Date());
    const from = q.from ?? `${today.slice(0, 8)}01`;
    const to = q.to ?? today;
    if (from > to) throw validationProblem([{ field: 'to', code: 'beforeFrom', message: 'to is before from' }]);
    const rows = await this.tags.report(user, { from, to, institution: q.institution ?? null });
    const csv = q.format === 'csv' || (q.format !== 'json' && accepts(req, ['application/json', 'text/csv']) === 'text/csv');
    if (!csv) return res.send({ from, to, items: rows });
    res.header('Content-Disposition', 'attachment; filename="tags.csv"');
    return res.type('text/csv; charset=utf-8').send(toCsv(rows, ['tag', 'institution', 'tickets', 'open', 'resolved']));
  }
}

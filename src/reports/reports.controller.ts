import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { accepts, type HttpReply, type HttpRequest } from '../common/http';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import { toCsv } from './csv';
import { FundingQuery, ReportRangeQuery } from './dto/report.query';
import { ReportsService } from './reports.service';

const wantsCsv = (req: HttpRequest, format?: string) =>
  format === 'csv' || (format !== 'json' && accepts(req, ['application/json', 'text/csv']) === 'text/csv');

function send(
  req: HttpRequest,
  res: HttpReply,
  format: string | undefined,
  name: string,
  rows: Array<Record<string, unknown>>,
  columns: string[],
) {
  if (!wantsCsv(req, format)) return res.send({ items: rows });
  res.header('Content-Disposition', `attachment; filename="${name}.csv"`);
  return res.type('text/csv; charset=utf-8').send(toCsv(rows, columns));
}

/** Monthly figures for supervisors and the ministry; institution staff get their institutions' share. JSON or CSV. */
@ApiTags('reports')
@ApiBearerAuth()
@ApiProduces('application/json', 'text/csv')
@Controller('v1/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('volumes')
  @Roles('supervisor', 'admin', 'specialist', 'expert')
  @ApiOperation({
    summary:
      'Tickets per month by institution, channel and kind (application or consultation), each with how many were resolved at level 0; in JSON also level-0 resolution and escalations to level 2 or 3 per month and channel',
  })
  async volumes(@CurrentUser() user: AuthUser, @Query() q: ReportRangeQuery, @Req() req: HttpRequest, @Res() res: HttpReply) {
    const rows = await this.reports.volumes(user, q);
    if (wantsCsv(req, q.format))
      return send(req, res, q.format, 'volumes', rows, [
        'month',
        'institution',
        'channel',
        'kind',
        'category',
        'tickets',
        'resolvedAtLevel0',
      ]);
    return res.send({ items: rows, levelZeroByChannel: await this.reports.levelZeroByChannel(user, q) });
  }

  @Get('sla')
  @Roles('supervisor', 'admin', 'specialist', 'expert')
  @ApiOperation({ summary: 'SLA compliance per month, policy, queue and target: measured, within target, breached, %, goal' })
  async sla(@CurrentUser() user: AuthUser, @Query() q: ReportRangeQuery, @Req() req: HttpRequest, @Res() res: HttpReply) {
    const rows = await this.reports.slaCompliance(user, q);
    return send(req, res, q.format, 'sla-compliance', rows, [
      'month',
      'policy',
      'queue',
      'metric',
      'measured',
      'withinTarget',
      'breached',
      'compliancePercent',
      'goalPercent',
    ]);
  }

  @Get('csat')
  @Roles('supervisor', 'admin', 'specialist', 'expert')
  @ApiOperation({ summary: 'Customer satisfaction per month, institution and channel: responses, average, share satisfied (4–5), scores' })
  async csat(@CurrentUser() user: AuthUser, @Query() q: ReportRangeQuery, @Req() req: HttpRequest, @Res() res: HttpReply) {
    const rows = await this.reports.csat(user, q);
    return send(req, res, q.format, 'csat', rows, [
      'month',
      'institution',
      'channel',
      'responses',
      'average',
      'satisfied',
      'satisfiedPercent',
      'score_1',
      'score_2',
      'score_3',
      'score_4',
      'score_5',
    ]);
  }

  @Get('funding')
  @Roles('supervisor', 'admin')
  @ApiOperation({
    summary:
      "A centre's funding report for a month: availability, volume, quality (service level, response times, abandonment, speed of answer, CSAT, level-0 resolution)",
  })
  async funding(@Query() q: FundingQuery, @Req() req: HttpRequest, @Res() res: HttpReply) {
    const report = await this.reports.funding(q);
    if (!wantsCsv(req, q.format)) return res.send(report);
    const rows: Array<Record<string, unknown>> = [];
    const add = (section: string, channel: string, measure: string, value: unknown) =>
      rows.push({ centre: report.centre, month: report.month, section, channel, measure, value });
    for (const [k, v] of Object.entries(report.availability)) add('availability', '', k, v);
    add('volume', '', 'total', report.volume.total);
    add('volume', '', 'applications', report.volume.applications);
    add('volume', '', 'consultations', report.volume.consultations);
    for (const r of report.volume.byChannel) for (const k of ['total', 'applications', 'consultations']) add('volume', r.channel, k, r[k]);
    for (const r of report.quality.serviceLevel)
      for (const k of ['measured', 'withinTarget', 'percent', 'goalPercent'] as const) add('service_level', r.channel, k, r[k]);
    for (const r of report.quality.firstResponse)
      for (const k of ['answered', 'averageSeconds', 'medianSeconds'] as const) add('first_response', r.channel, k, r[k]);
    for (const k of ['offered', 'abandoned', 'percent'] as const) add('abandonment', '', k, report.quality.abandonment[k]);
    for (const r of report.quality.abandonment.byChannel)
      for (const k of ['offered', 'abandoned', 'percent'] as const) add('abandonment', r.channel, k, r[k]);
    for (const k of ['answered', 'averageSeconds'] as const) add('speed_of_answer', '', k, report.quality.speedOfAnswer[k]);
    for (const r of report.quality.speedOfAnswer.byChannel)
      for (const k of ['answered', 'averageSeconds'] as const) add('speed_of_answer', r.channel, k, r[k]);
    for (const [k, v] of Object.entries(report.quality.csat)) add('csat', '', k, v);
    const { byChannel: l0ByChannel, ...l0 } = report.quality.levelZeroResolution;
    for (const [k, v] of Object.entries(l0)) add('level0_resolution', '', k, v);
    for (const r of l0ByChannel)
      for (const k of ['tickets', 'resolvedAtLevelZero', 'percent'] as const) add('level0_resolution', r.channel, k, r[k]);
    res.header('Content-Disposition', `attachment; filename="funding-${report.centre}-${report.month}.csv"`);
    return res.type('text/csv; charset=utf-8').send(toCsv(rows, ['centre', 'month', 'section', 'channel', 'measure', 'value']));
  }
}

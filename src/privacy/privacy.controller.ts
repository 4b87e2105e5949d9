import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Put, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { HttpReply, HttpRequest } from '../common/http';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Public, Roles } from '../auth/auth.decorators';
import { CreateSubjectRequestDto, LegalHoldDto } from './dto/subject-request.dto';
import { LegalHoldsService } from './legal-holds.service';
import { RequestContext, SubjectRequestsService } from './subject-requests.service';

const contextOf = (req: HttpRequest): RequestContext => ({ ip: req.ip ?? null, requestId: req.id ? String(req.id) : null });

/** Requests of data subjects under the GDPR: access (one archive) and erasure, for the DPO and admins. */
@ApiTags('privacy')
@ApiBearerAuth()
@Controller()
export class PrivacyController {
  constructor(
    private readonly requests: SubjectRequestsService,
    private readonly holds: LegalHoldsService,
  ) {}

  @Post('v1/privacy/subject-requests')
  @HttpCode(HttpStatus.ACCEPTED)
  @Roles('admin', 'dpo')
  @ApiOperation({ summary: 'Start a subject access (archive) or erasure request; answered at once, done by a background job' })
  @ApiAcceptedResponse({ schema: { properties: { id: { type: 'string', format: 'uuid' } } } })
  create(@CurrentUser() user: AuthUser, @Body() body: CreateSubjectRequestDto, @Req() req: HttpRequest) {
    return this.requests.create(user, body, contextOf(req));
  }

  @Get('v1/privacy/subject-requests/:id')
  @Roles('admin', 'dpo')
  @ApiOperation({ summary: 'Status (queued, running, done, failed), progress, and when done what was found, kept and changed' })
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.requests.get(id);
  }

  @Post('v1/privacy/subject-requests/:id/downloads')
  @Roles('admin', 'dpo')
  @ApiOperation({ summary: 'A link to the access archive that works once, for 15 minutes' })
  link(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Req() req: HttpRequest) {
    return this.requests.createDownloadLink(user, id, contextOf(req));
  }

  @Get('v1/privacy/downloads/:token')
  @Public()
  @ApiProduces('application/zip')
  @ApiOperation({ summary: 'The archive behind a download link (the signed link is the credential; it works once)' })
  async download(@Param('token') token: string, @Req() req: HttpRequest, @Res() res: HttpReply) {
    const { requestId, zip } = await this.requests.download(token, contextOf(req));
    res.header('Content-Disposition', `attachment; filename="subject-access-${requestId}.zip"`);
    res.header('Cache-Control', 'private, no-store');
    res.header('X-Content-Type-Options', 'nosniff');
    res.type('application/zip').send(zip);
  }

  @Put('v1/tickets/:reference/legal-hold')
  @Roles('supervisor', 'dpo')
  @ApiOperation({ summary: 'Keep the ticket whole, with a reason: erasure and retention pass it by' })
  hold(@CurrentUser() user: AuthUser, @Param('reference') reference: string, @Body() body: LegalHoldDto, @Req() req: HttpRequest) {
    return this.holds.set(user, reference, body.reason, contextOf(req));
  }

  @Delete('v1/tickets/:reference/legal-hold')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Roles('supervisor', 'dpo')
  @ApiOperation({ summary: 'Release the legal hold' })
  async release(@CurrentUser() user: AuthUser, @Param('reference') reference: string, @Req() req: HttpRequest): Promise<void> {
    await this.holds.release(user, reference, contextOf(req));
  }
}

import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Param, ParseUUIDPipe, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { sanitizeEmailHtml } from '@lib/mime';
import { attachmentDisposition, type HttpReply, type HttpRequest } from '../common/http';
import { idempotencyKeyProblem } from '../common/validators';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import { TokenScope } from '../auth/api-token-scopes';
import { validationProblem } from '../common/problem';
import { decodeUploads } from '../common/uploads';
import { CreateEscalationDto } from './dto/create-escalation.dto';
import { CreateReplyDto, ReplyAcceptedDto } from './dto/create-reply.dto';
import { TicketLevelsService } from './ticket-levels.service';
import { AssignDto, ClaimDto, CreateNoteDto, LinkCustomerDto, MergeDto, UpdateTicketDto } from './dto/ticket-actions.dto';
import { TicketActionsService } from './ticket-actions.service';
import { TicketIngestService } from './ticket-ingest.service';
import { TicketMessagesService } from './ticket-messages.service';
import type { AuthUser } from '../auth/auth-user';
import { ListTicketsQuery } from './dto/list-tickets.query';
import { TicketsQueryService } from './tickets-query.service';

@ApiTags('tickets')
@ApiBearerAuth()
@Controller('v1/tickets')
export class TicketsController {
  constructor(
    private readonly tickets: TicketsQueryService,
    private readonly messages: TicketMessagesService,
    private readonly ingest: TicketIngestService,
    private readonly levels: TicketLevelsService,
    private readonly actions: TicketActionsService,
  ) {}

  @Post(':reference/notes')
  @Roles('operator', 'specialist', 'expert', 'supervisor')
  @ApiOperation({ summary: 'An internal note on the ticket: visible to staff, never sent to the customer' })
  async note(@CurrentUser() user: AuthUser, @Param('reference') reference: string, @Body() body: CreateNoteDto) {
    return await this.actions.addNote(user, reference, body.text);
  }

  @Post(':reference/claim')
  @HttpCode(HttpStatus.OK)
  @Roles('operator', 'specialist', 'expert', 'supervisor')
  @ApiOperation({ summary: 'Take the ticket; 409 when someone else holds it (unless force)' })
  async claim(@CurrentUser() user: AuthUser, @Param('reference') reference: string, @Body() body: ClaimDto, @Req() req: HttpRequest) {
    return await this.actions.assign(user, reference, user.id, body.force ?? false, { requestId: req.id ? String(req.id) : undefined });
  }

  @Post(':reference/assign')
  @HttpCode(HttpStatus.OK)
  @Roles('operator', 'specialist', 'expert', 'supervisor')
  @ApiOperation({ summary: 'Give the ticket to an agent who may see it; 409 when someone else holds it (unless force)' })
  async assign(@CurrentUser() user: AuthUser, @Param('reference') reference: string, @Body() body: AssignDto, @Req() req: HttpRequest) {
    return await this.actions.assign(user, reference, body.agentId, body.force ?? false, {
      requestId: req.id ? String(req.id) : undefined,
    });
  }

  @Post(':reference/merge')
  @HttpCode(HttpStatus.OK)
  @Roles('operator', 'specialist', 'expert', 'supervisor')
  @ApiOperation({ summary: 'Merge into another ticket of the same customer: messages move there, this one closes pointing at it' })
  async merge(@CurrentUser() user: AuthUser, @Param('reference') reference: string, @Body() body: MergeDto, @Req() req: HttpRequest) {
    return await this.actions.merge(user, reference, body.into, { requestId: req.id ? String(req.id) : undefined });
  }

  @Post(':reference/customer')
  @HttpCode(HttpStatus.OK)
  @Roles('operator', 'specialist', 'expert', 'supervisor')
  @ApiOperation({ summary: 'Link the ticket to an existing customer' })
  async linkCustomer(
    @CurrentUser() user: AuthUser,
    @Param('reference') reference: string,
    @Body() body: LinkCustomerDto,
    @Req() req: HttpRequest,
  ) {
    return await this.actions.linkCustomer(user, reference, body.customerId, { requestId: req.id ? String(req.id) : undefined });
  }

  @Patch(':reference')
  @Roles('operator', 'specialist', 'expert', 'supervisor')
  @ApiOperation({ summary: 'Change status, kind, topic or priority (institution and level change through escalations)' })
  async update(
    @CurrentUser() user: AuthUser,
    @Param('reference') reference: string,
    @Body() body: UpdateTicketDto,
    @Req() req: HttpRequest,
  ) {
    return await this.actions.update(user, reference, body, { requestId: req.id ? String(req.id) : undefined });
  }

  @Post(':reference/escalations')
  @Roles('operator', 'specialist', 'expert', 'supervisor')
  @TokenScope('tickets:hand-back')
  @ApiOperation({
    summary: 'Move a ticket between support levels: escalate (L1→L2→L3), hand back with an answer, or transfer',
    description: 'Every move is an appended Escalation row with the reason and summary; nothing is edited in place.',
  })
  async escalate(
    @CurrentUser() user: AuthUser,
    @Param('reference') reference: string,
    @Body() body: CreateEscalationDto,
    @Req() req: HttpRequest,
  ) {
    return await this.levels.move(user, reference, body, { ip: req.ip, requestId: req.id ? String(req.id) : undefined });
  }

  @Get()
  @ApiOperation({ summary: 'The unified queue: tickets you may see, newest first, with keyset (cursor) pagination' })
  list(@CurrentUser() user: AuthUser, @Query() query: ListTicketsQuery) {
    return this.tickets.list(user, query);
  }

  @Get(':reference')
  @TokenScope('tickets:read')
  @ApiOperation({ summary: 'One ticket with its customer, messages and level/queue history' })
  get(@CurrentUser() user: AuthUser, @Param('reference') reference: string, @Req() req: HttpRequest) {
    return this.tickets.get(user, reference, { ip: req.ip, requestId: req.id ? String(req.id) : undefined });
  }

  @Get(':reference/attachments/:id')
  @ApiOperation({ summary: 'A file of the ticket (as sent by the customer or attached to a reply), always as a download' })
  async attachment(
    @CurrentUser() user: AuthUser,
    @Param('reference') reference: string,
    @Param('id', ParseUUIDPipe) id: string,
    @Req() req: HttpRequest,
    @Res() res: HttpReply,
  ): Promise<void> {
    const file = await this.tickets.attachment(user, reference, id, { ip: req.ip, requestId: req.id ? String(req.id) : undefined });
    // Never rendered by the browser in the app's origin: a citizen's file may be HTML or a crafted image.
    res.headers({
      'Content-Type': file.contentType,
      'Content-Disposition': attachmentDisposition(file.filename),
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      // Personal data: not kept in shared caches or on the workstation.
      'Cache-Control': 'private, no-store',
      Digest: `sha-256=${Buffer.from(file.sha256, 'hex').toString('base64')}`,
    });
    res.send(file.content);
  }

  @Post(':reference/replies')
  @HttpCode(HttpStatus.ACCEPTED)
  @Roles('operator', 'specialist', 'expert', 'supervisor')
  @ApiOperation({
    summary: "Reply to the customer on the ticket's channel",
    description: 'The reply is stored at once and delivered by the outbound queue; its deliveryStatus moves from queued to sent or failed.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'The same key again returns the reply stored the first time' })
  @ApiAcceptedResponse({ type: ReplyAcceptedDto })
  async reply(
    @CurrentUser() user: AuthUser,
    @Param('reference') reference: string,
    @Body() body: CreateReplyDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<ReplyAcceptedDto> {
    const { attachments, errors } = decodeUploads(body.attachments);
    const keyProblem = idempotencyKeyProblem(idempotencyKey);
    if (keyProblem) errors.push(keyProblem);
    if (errors.length > 0) throw validationProblem(errors);
    const stored = await this.messages.createReply(
      user,
      reference,
      {
        text: body.text,
        html: body.html ? sanitizeEmailHtml(body.html) : null,
        attachments,
        idempotencyKey,
        lastSeenMessageId: body.lastSeenMessageId,
        force: body.force,
        via: body.via,
        to: body.to,
      },
      this.ingest.mailDomain,
    );
    return {
      id: stored.id,
      channel: stored.channel,
      externalId: stored.externalId,
      address: stored.address,
      deliveryStatus: stored.deliveryStatus,
    };
  }
}

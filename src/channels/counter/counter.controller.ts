import { Body, Controller, Headers, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { centreOfLocation } from '@lib/centre-location';
import { createHash, randomUUID } from 'node:crypto';
import { AgentsService } from '../../agents/agents.service';
import { CalendarService } from '../../calendar/calendar.service';
import { idempotencyKeyProblem } from '../../common/validators';
import { CurrentUser, Roles } from '../../auth/auth.decorators';
import { AuthUser, ticketScope } from '../../auth/auth-user';
import { FieldError, validationProblem } from '../../common/problem';
import { customerIdentifiers } from '../../customers/identifiers';
import { InboundService } from '../../inbound/inbound.service';
import { InstitutionsService } from '../../institutions/institutions.service';
import { WebformAcceptedDto } from '../webform/dto/webform-submission.dto';
import { LogContactDto } from './dto/log-contact.dto';

/**
 * Contacts that reach the centre outside the integrated channels (a VPVKAC counter, a direct line) are logged by
 * the member of staff who served them, through the same pipeline, so they count in the same queue and figures.
 */
@ApiTags('channels')
@ApiBearerAuth()
@Controller('v1/contacts')
export class CounterController {
  constructor(
    private readonly inbound: InboundService,
    private readonly institutions: InstitutionsService,
    private readonly calendars: CalendarService,
    private readonly agents: AgentsService,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @Roles('operator', 'specialist', 'expert', 'supervisor')
  @ApiOperation({ summary: 'Log a contact served at a counter or on a direct line as a ticket' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'The same key again returns the same ticket' })
  @ApiAcceptedResponse({ type: WebformAcceptedDto })
  async log(
    @CurrentUser() user: AuthUser,
    @Body() body: LogContactDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<WebformAcceptedDto> {
    const errors: FieldError[] = [];
    const keyProblem = idempotencyKeyProblem(idempotencyKey);
    if (keyProblem) errors.push(keyProblem);
    if (body.institution) {
      const institution = await this.institutions.findByCode(body.institution);
      const scope = ticketScope(user);
      if (!institution) errors.push({ field: 'institution', code: 'unknown', message: `no institution has the code ${body.institution}` });
      else if (!scope.all && !scope.institutionIds.includes(institution.id)) {
        errors.push({ field: 'institution', code: 'outOfScope', message: 'you may log contacts only for your own institutions' });
      }
    } else if (!ticketScope(user).all) {
      errors.push({ field: 'institution', code: 'required', message: 'specialists log contacts for their own institution' });
    }
    const centres = await this.calendars.centreList();
    const named = body.centre ? centres.find((c) => c.code === body.centre!.toUpperCase()) : undefined;
    if (body.centre && !named)
      errors.push({
        field: 'centre',
        code: 'unknown',
        message: `no centre has the code ${body.centre} (GET /v1/calendar/centres lists them)`,
      });
    const occurredAt = body.occurredAt ? new Date(body.occurredAt) : new Date();
    if (occurredAt.getTime() > Date.now() + 60_000)
      errors.push({ field: 'occurredAt', code: 'future', message: 'occurredAt is in the future' });
    if (errors.length > 0) throw validationProblem(errors);

    const c = body.customer ?? {};
    // Typed by the person who served the contact; a specialist's may join only customers of their institutions.
    const identifiers = customerIdentifiers(c, 'staff');
    const scope = ticketScope(user);

    // The centre is kept as a code beside the free text, so that the funding report never parses text.
    const centre =
      named?.code ?? (body.location ? centreOfLocation(body.location, centres) : null) ?? (await this.agents.centreOf(user.id));

    const result = await this.inbound.accept(
      {
        channel: body.channel,
        // Keyed by the member of staff, so two people's keys never collide.
        externalId: idempotencyKey ? createHash('sha256').update(`${user.id}\n${idempotencyKey}`).digest('hex') : randomUUID(),
        sentAt: occurredAt.toISOString(),
        from: {
          firstName: c.firstName?.trim(),
          lastName: c.lastName?.trim(),
          identifiers,
          linkScope: scope.all ? undefined : { institutionIds: scope.institutionIds },
        },
        institutionCode: body.institution?.toUpperCase(),
        topic: body.topic,
        kind: body.kind,
        language: body.language ?? 'lv',
        subject: body.subject,
        text: body.text,
        loggedBy: { agentId: user.id, resolved: body.resolved ?? true },
        meta: { centre, ...(body.location ? { location: body.location } : {}) },
      },
      { reserveReference: true },
    );
    return { reference: result.reference!, status: result.status };
  }
}

import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { HttpRequest } from '../common/http';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import { SlaEventsQuery, SlaExtensionDto, SlaPolicyDto, UpdateSlaPolicyDto } from './dto/sla-policy.dto';
import { SlaPoliciesService } from './sla-policies.service';
import { SlaTicketService } from './sla-ticket.service';

@ApiTags('sla')
@ApiBearerAuth()
@Controller('v1/admin/sla-policies')
export class SlaPoliciesController {
  constructor(private readonly policies: SlaPoliciesService) {}

  @Get()
  @Roles('admin', 'supervisor')
  @ApiOperation({ summary: 'Every SLA policy (active or not), with its criteria, targets, warning share and breach actions' })
  async list() {
    return { items: await this.policies.all() };
  }

  @Get(':id')
  @Roles('admin', 'supervisor')
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.policies.get(id);
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Add a policy; the most specific matching policy applies to a ticket from its next change' })
  create(@Body() body: SlaPolicyDto) {
    return this.policies.create(body);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Change a policy (deactivate it rather than delete it: clocks and reports refer to it)' })
  update(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateSlaPolicyDto) {
    return this.policies.update(id, body);
  }
}

@ApiTags('sla')
@ApiBearerAuth()
@Controller('v1/tickets/:reference/sla')
export class SlaTicketsController {
  constructor(private readonly sla: SlaTicketService) {}

  @Get()
  @Roles('operator', 'specialist', 'expert', 'supervisor', 'admin')
  @ApiOperation({ summary: "The ticket's SLA clocks as they stand, their history, and the warnings and breaches recorded" })
  view(@CurrentUser() user: AuthUser, @Param('reference') reference: string) {
    return this.sla.view(user, reference);
  }

  @Post('extension')
  @HttpCode(HttpStatus.OK)
  @Roles('operator', 'specialist', 'expert', 'supervisor')
  @ApiOperation({ summary: "Apply the policy's longer resolution target (e.g. one month under the Submissions Law), with the reason" })
  extend(@CurrentUser() user: AuthUser, @Param('reference') reference: string, @Body() body: SlaExtensionDto, @Req() req: HttpRequest) {
    return this.sla.extend(user, reference, body.reason, { requestId: req.id ? String(req.id) : undefined });
  }
}

@ApiTags('sla')
@ApiBearerAuth()
@Controller('v1/sla/events')
export class SlaEventsController {
  constructor(private readonly sla: SlaTicketService) {}

  @Get()
  @Roles('supervisor', 'admin')
  @ApiOperation({ summary: 'SLA warnings and breaches in the order recorded; `after` (the last id seen) to catch up' })
  list(@Query() q: SlaEventsQuery) {
    return this.sla.events(q);
  }
}

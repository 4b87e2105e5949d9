import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Patch, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { HttpRequest } from '../common/http';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthUser } from '../auth/auth-user';
import { CreateCustomFieldDto, ListCustomFieldsQuery, SetCustomFieldValuesDto, UpdateCustomFieldDto } from './dto/custom-field.dto';
import { CustomFieldsService } from './custom-fields.service';
import { TicketCustomFieldsService } from './ticket-custom-fields.service';

/** Admins keep each institution's fields; supervisors read them (what the centre's reports and exports carry). */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/custom-fields')
export class CustomFieldsAdminController {
  constructor(private readonly fields: CustomFieldsService) {}

  @Get()
  @Roles('admin', 'supervisor')
  @ApiOperation({ summary: "Every institution's custom fields (or one institution's), in the order a ticket shows them" })
  async list(@CurrentUser() user: AuthUser, @Query() q: ListCustomFieldsQuery) {
    return { items: await this.fields.list(user, q.institution) };
  }

  @Get(':id')
  @Roles('admin', 'supervisor')
  @ApiOperation({ summary: 'One custom field' })
  get(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string) {
    return this.fields.get(user, id);
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: "Add a field to an institution's tickets: text, number, date or choice (with its choices)" })
  create(@CurrentUser() user: AuthUser, @Body() body: CreateCustomFieldDto) {
    return this.fields.create(user, body);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Change labels, choices, required, active or position (key and type stay)' })
  update(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateCustomFieldDto) {
    return this.fields.update(user, id, body);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a field no ticket has a value for (409 otherwise: switch it off instead)' })
  async remove(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.fields.remove(user, id);
  }
}

@ApiTags('tickets')
@ApiBearerAuth()
@Controller('v1/tickets')
export class TicketCustomFieldsController {
  constructor(private readonly values: TicketCustomFieldsService) {}

  @Get(':reference/custom-fields')
  @ApiOperation({ summary: "The ticket's institution's custom fields with their labels, types and this ticket's values" })
  get(@CurrentUser() user: AuthUser, @Param('reference') reference: string) {
    return this.values.get(user, reference);
  }

  @Put(':reference/custom-fields')
  @Roles('operator', 'specialist', 'expert', 'supervisor')
  @ApiOperation({
    summary: "Set the ticket's custom field values (the whole set; left out or null clears a field)",
    description:
      'Each value is checked against its field: unknown key, wrong type, a choice not in the list, a required field without a value, each at values.<key>.',
  })
  set(
    @CurrentUser() user: AuthUser,
    @Param('reference') reference: string,
    @Body() body: SetCustomFieldValuesDto,
    @Req() req: HttpRequest,
  ) {
    return this.values.set(user, reference, body.values, { ip: req.ip, requestId: req.id });
  }
}

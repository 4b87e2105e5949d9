import { Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { HttpRequest } from '../common/http';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthUser } from '../auth/auth-user';
import { CustomersService } from './customers.service';
import { LinkIdentifierDto, MergeCustomerDto, SearchCustomersQuery, SplitCustomerDto, UpdateCustomerDto } from './dto/customer.dto';
import { CustomerMergesService } from './customer-merges.service';

const context = (req: HttpRequest) => ({ ip: req.ip, requestId: req.id ? String(req.id) : undefined });

@ApiTags('customers')
@ApiBearerAuth()
@Roles('operator', 'specialist', 'expert', 'supervisor')
@Controller('v1/customers')
export class CustomersController {
  constructor(
    private readonly customers: CustomersService,
    private readonly merges: CustomerMergesService,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Find customers by name (any diacritics), or exactly by e-mail, phone (any format) or personas kods; institution staff only those with a ticket they may see',
  })
  search(@CurrentUser() user: AuthUser, @Query() q: SearchCustomersQuery) {
    return this.customers.search(user, q.q, q);
  }

  @Get(':id')
  @ApiOperation({
    summary:
      'The profile: every identifier with its provenance (personas kods masked as on tickets), preferences, and one timeline of their tickets across channels',
  })
  get(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Req() req: HttpRequest) {
    return this.customers.profile(user, id, context(req));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Correct the name, record the preferred language and channel' })
  update(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateCustomerDto, @Req() req: HttpRequest) {
    return this.customers.update(user, id, body, context(req));
  }

  @Post(':id/identifiers')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Link an identifier verified with the person by hand (provenance staff); 409 when another record holds it' })
  link(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() body: LinkIdentifierDto, @Req() req: HttpRequest) {
    return this.customers.linkIdentifier(user, id, body, context(req));
  }

  // Merging and splitting move tickets of every institution: centre-wide work.
  @Post(':id/merge')
  @HttpCode(HttpStatus.OK)
  @Roles('operator', 'supervisor')
  @ApiOperation({
    summary: `Merge another record of the same person into this one: every ticket and identifier moves here; anyone may undo it for 7 days`,
  })
  merge(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() body: MergeCustomerDto, @Req() req: HttpRequest) {
    return this.merges.merge(user, id, body.from, context(req));
  }

  @Post('merges/:id/undo')
  @HttpCode(HttpStatus.OK)
  @Roles('operator', 'supervisor')
  @ApiOperation({ summary: 'Undo a merge: exactly what it moved goes back, and the merged record is restored' })
  undo(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Req() req: HttpRequest) {
    return this.merges.undo(user, id, context(req));
  }

  @Post(':id/split')
  @Roles('operator', 'supervisor')
  @ApiOperation({ summary: 'Split a record that holds two people: the identifiers and tickets named move to a new record' })
  split(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() body: SplitCustomerDto, @Req() req: HttpRequest) {
    return this.merges.split(user, id, body, context(req));
  }
}

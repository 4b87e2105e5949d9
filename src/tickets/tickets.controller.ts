import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentUser } from '../auth/auth.decorators';
import type { AuthUser } from '../auth/auth-user';
import { ListTicketsQuery } from './dto/list-tickets.query';
import { TicketsQueryService } from './tickets-query.service';

@ApiTags('tickets')
@ApiBearerAuth()
@Controller('v1/tickets')
export class TicketsController {
  constructor(private readonly tickets: TicketsQueryService) {}

  @Get()
  @ApiOperation({ summary: 'The unified queue: tickets you may see, newest first, with keyset (cursor) pagination' })
  list(@CurrentUser() user: AuthUser, @Query() query: ListTicketsQuery) {
    return this.tickets.list(user, query);
  }

  @Get(':reference')
  @ApiOperation({ summary: 'One ticket with its customer, messages and level/queue history' })
  get(@CurrentUser() user: AuthUser, @Param('reference') reference: string, @Req() req: Request & { id?: string }) {
    return this.tickets.get(user, reference, { ip: req.ip, requestId: req.id ? String(req.id) : undefined });
  }
}

import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthUser } from '../auth/auth-user';
import { CreateQueueDto, CreateRoutingRuleDto, UpdateQueueDto, UpdateRoutingRuleDto } from './dto/routing-admin.dto';
import { RoutingAdminService } from './routing-admin.service';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('v1/admin')
export class RoutingAdminController {
  constructor(private readonly routing: RoutingAdminService) {}

  @Get('queues')
  @ApiOperation({ summary: 'Queues with their level, institution, assignment strategy and waiting work' })
  listQueues() {
    return this.routing.listQueues();
  }

  @Post('queues')
  createQueue(@CurrentUser() user: AuthUser, @Body() body: CreateQueueDto) {
    return this.routing.createQueue(user, body);
  }

  @Patch('queues/:code')
  @ApiOperation({ summary: 'Rename a queue or change how its work is assigned (manual, round_robin, least_loaded, skills)' })
  updateQueue(@CurrentUser() user: AuthUser, @Param('code') code: string, @Body() body: UpdateQueueDto) {
    return this.routing.updateQueue(user, code, body);
  }

  @Get('routing-rules')
  @ApiOperation({ summary: 'Routing rules in the order they are tried: institution, language, channel, topic → queue' })
  listRules() {
    return this.routing.listRules();
  }

  @Post('routing-rules')
  createRule(@CurrentUser() user: AuthUser, @Body() body: CreateRoutingRuleDto) {
    return this.routing.createRule(user, body);
  }

  @Patch('routing-rules/:id')
  updateRule(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateRoutingRuleDto) {
    return this.routing.updateRule(user, id, body);
  }

  @Delete('routing-rules/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  deleteRule(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string) {
    return this.routing.deleteRule(user, id);
  }
}

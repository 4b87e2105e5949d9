import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthUser } from '../auth/auth-user';
import { DeskListsService } from './desk-lists.service';

@ApiTags('tickets')
@ApiBearerAuth()
@Controller('v1')
export class DeskListsController {
  constructor(private readonly lists: DeskListsService) {}

  @Get('queues')
  @Roles('operator', 'specialist', 'expert', 'supervisor', 'admin')
  @ApiOperation({
    summary:
      'The queues you may see, each with your scope’s tickets waiting there (unassigned, new or queued), the longest wait, at risk and breached',
  })
  queues(@CurrentUser() user: AuthUser) {
    return this.lists.queues(user);
  }

  @Get('tickets/:reference/assignees')
  @Roles('operator', 'specialist', 'expert', 'supervisor')
  @ApiOperation({ summary: 'Active agents this ticket may be given to (their scope holds it), online first, with their load and capacity' })
  assignees(@CurrentUser() user: AuthUser, @Param('reference') reference: string) {
    return this.lists.assignees(user, reference);
  }
}

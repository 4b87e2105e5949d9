import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { HttpRequest } from '../common/http';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import { AutoClosePoliciesService } from './auto-close-policies.service';
import { AutoClosePolicyDto, CreateReminderDto, SnoozeDto } from './dto/follow-ups.dto';
import { FollowUpsService } from './follow-ups.service';

const requestId = (req: HttpRequest) => req.id;

@ApiTags('follow-ups')
@ApiBearerAuth()
@Controller('v1/tickets/:reference')
export class TicketFollowUpsController {
  constructor(private readonly followUps: FollowUpsService) {}

  @Post('snooze')
  @HttpCode(HttpStatus.OK)
  @Roles('operator', 'specialist', 'expert', 'supervisor')
  @ApiOperation({ summary: "Snooze: out of the inbox until a time, the customer's reply, or both (whichever first)" })
  snooze(@CurrentUser() user: AuthUser, @Param('reference') reference: string, @Body() body: SnoozeDto, @Req() req: HttpRequest) {
    return this.followUps.snooze(user, reference, body, { requestId: requestId(req) });
  }

  @Delete('snooze')
  @HttpCode(HttpStatus.OK)
  @Roles('operator', 'specialist', 'expert', 'supervisor')
  @ApiOperation({ summary: 'Wake a snoozed ticket now' })
  wake(@CurrentUser() user: AuthUser, @Param('reference') reference: string, @Req() req: HttpRequest) {
    return this.followUps.wake(user, reference, { requestId: requestId(req) });
  }

  @Post('reminders')
  @Roles('operator', 'specialist', 'expert', 'supervisor')
  @ApiOperation({ summary: 'A reminder for yourself on this ticket: at `at` it arrives on your /agents socket (reminder.due)' })
  remind(@CurrentUser() user: AuthUser, @Param('reference') reference: string, @Body() body: CreateReminderDto) {
    return this.followUps.addReminder(user, reference, body);
  }
}

@ApiTags('follow-ups')
@ApiBearerAuth()
@Controller('v1/reminders')
export class RemindersController {
  constructor(private readonly followUps: FollowUpsService) {}

  @Get()
  @Roles('operator', 'specialist', 'expert', 'supervisor')
  @ApiOperation({ summary: 'Your reminders not dismissed: due ones (due: true) first, then upcoming' })
  mine(@CurrentUser() user: AuthUser) {
    return this.followUps.myReminders(user);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Roles('operator', 'specialist', 'expert', 'supervisor')
  @ApiOperation({ summary: 'Dismiss one of your reminders' })
  async dismiss(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.followUps.dismissReminder(user, id);
  }
}

@ApiTags('follow-ups')
@ApiBearerAuth()
@Controller('v1/admin/auto-close-policies')
export class AutoClosePoliciesController {
  constructor(private readonly policies: AutoClosePoliciesService) {}

  @Get()
  @Roles('admin', 'supervisor')
  @ApiOperation({ summary: 'Auto-close of tickets pending the customer: the centre-wide default and per-institution overrides' })
  async list() {
    return { items: await this.policies.all() };
  }

  @Put()
  @Roles('admin')
  @ApiOperation({ summary: "Set the default (no institutionId) or an institution's policy: on/off and the working days" })
  put(@CurrentUser() user: AuthUser, @Body() body: AutoClosePolicyDto) {
    return this.policies.put(user, body);
  }
}

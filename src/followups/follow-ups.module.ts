import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { TicketsCoreModule } from '../tickets/tickets-core.module';
import { AutoClosePoliciesService } from './auto-close-policies.service';
import { AutoClosePoliciesController, RemindersController, TicketFollowUpsController } from './follow-ups.controller';
import { FollowUpsCoreModule } from './follow-ups-core.module';
import { FollowUpsService } from './follow-ups.service';

/** Follow-ups (issue #15 item 6): snoozing tickets, agents' reminders, auto-close of tickets pending the customer. */
@Module({
  imports: [FollowUpsCoreModule, TicketsCoreModule, AuditModule],
  controllers: [TicketFollowUpsController, RemindersController, AutoClosePoliciesController],
  providers: [FollowUpsService, AutoClosePoliciesService],
})
export class FollowUpsModule {}

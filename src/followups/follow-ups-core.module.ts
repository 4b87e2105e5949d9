import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CalendarModule } from '../calendar/calendar.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { TicketsCoreModule } from '../tickets/tickets-core.module';
import { AutoCloseService } from './auto-close.service';
import { FollowUpsSweepService } from './follow-ups-sweep.service';
import { RemindersRepository } from './reminders.repository';

/** What both roles need of follow-ups: the reminders' table, the sweeps and the auto-close pass (tests run them directly). */
@Module({
  imports: [TicketsCoreModule, AuditModule, CalendarModule, RealtimeModule],
  providers: [RemindersRepository, FollowUpsSweepService, AutoCloseService],
  exports: [RemindersRepository, FollowUpsSweepService, AutoCloseService],
})
export class FollowUpsCoreModule {}

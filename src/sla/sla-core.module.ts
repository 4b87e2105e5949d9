import { Module } from '@nestjs/common';
import { CalendarModule } from '../calendar/calendar.module';
import { QueuesModule } from '../queues.module';
import { TicketDataModule } from '../tickets/repositories/ticket-data.module';
import { SlaEngine } from './sla-engine.service';
import { SlaPoliciesService } from './sla-policies.service';
import { SlaTimersService } from './sla-timers.service';

/** What every writer of tickets needs of SLA: the clock engine and the timers it schedules. */
@Module({
  imports: [QueuesModule, CalendarModule, TicketDataModule],
  providers: [SlaEngine, SlaPoliciesService, SlaTimersService],
  exports: [SlaEngine, SlaPoliciesService, SlaTimersService],
})
export class SlaCoreModule {}

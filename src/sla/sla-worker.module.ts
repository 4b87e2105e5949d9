import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { TicketsCoreModule } from '../tickets/tickets-core.module';
import { QueuesModule } from '../queues.module';
import { SlaTimerProcessor } from './jobs/sla-timer.processor';
import { SlaCoreModule } from './sla-core.module';
import { SlaFiringService } from './sla-firing.service';

/** The worker side of SLA: timers firing, and the sweep that repairs timers lost with Redis. */
@Module({
  imports: [QueuesModule, SlaCoreModule, TicketsCoreModule, AuditModule],
  providers: [SlaTimerProcessor, SlaFiringService],
})
export class SlaWorkerModule {}

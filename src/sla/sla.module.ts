import { Module } from '@nestjs/common';
import { TicketsCoreModule } from '../tickets/tickets-core.module';
import { AuditModule } from '../audit/audit.module';
import { SlaCoreModule } from './sla-core.module';
import { SlaEventsController, SlaPoliciesController, SlaTicketsController } from './sla.controller';
import { SlaTicketService } from './sla-ticket.service';

/** The staff API of SLA: policies (admin), a ticket's clocks and the resolution extension. */
@Module({
  imports: [SlaCoreModule, AuditModule, TicketsCoreModule],
  controllers: [SlaPoliciesController, SlaTicketsController, SlaEventsController],
  providers: [SlaTicketService],
})
export class SlaModule {}

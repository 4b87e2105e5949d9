import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { QueuesModule } from '../queues.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { TicketsCoreModule } from '../tickets/tickets-core.module';
import { AssignmentService } from './assignment.service';
import { RoutingSignalsModule } from './routing-signals.module';

/** What both roles need of routing: signalling the workers, and the assignment pass itself. */
@Module({
  imports: [QueuesModule, RealtimeModule, AuditModule, RoutingSignalsModule, TicketsCoreModule],
  providers: [AssignmentService],
  exports: [RoutingSignalsModule, AssignmentService, RealtimeModule],
})
export class RoutingCoreModule {}

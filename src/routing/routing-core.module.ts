import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { PresenceService } from '../presence/presence.service';
import { QueuesModule } from '../queues.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { AssignmentService } from './assignment.service';
import { RoutingSignals } from './routing-signals';

/** What both roles need of routing: signalling the workers, presence, and the assignment pass itself. */
@Module({
  imports: [QueuesModule, RealtimeModule, AuditModule],
  providers: [RoutingSignals, PresenceService, AssignmentService],
  exports: [RoutingSignals, PresenceService, AssignmentService, RealtimeModule],
})
export class RoutingCoreModule {}

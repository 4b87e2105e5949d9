import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { RoutingSignalsModule } from '../routing/routing-signals.module';
import { TicketsCoreModule } from '../tickets/tickets-core.module';
import { PresenceService } from './presence.service';

/**
 * Where agents are (online, away, offline) and its history. Work an agent leaves unanswered goes back to the queue
 * through the tickets module's writer. Both roles need it (the API's gateway and board, the worker's timeout sweep);
 * the HTTP routes are PresenceModule's, so a worker serves none.
 */
@Module({
  imports: [AuditModule, RealtimeModule, RoutingSignalsModule, TicketsCoreModule],
  providers: [PresenceService],
  exports: [PresenceService],
})
export class PresenceCoreModule {}

import { Module } from '@nestjs/common';
import { InboundModule } from '../inbound/inbound.module';
import { OutboundModule } from '../outbound/outbound.module';
import { QueuesModule } from '../queues.module';
import { RoutingCoreModule } from '../routing/routing-core.module';
import { InboundProcessor } from './jobs/inbound.processor';
import { TicketsCoreModule } from './tickets-core.module';

/** The worker side of tickets: turns queued inbound events into tickets and messages. */
@Module({
  imports: [QueuesModule, TicketsCoreModule, InboundModule, OutboundModule, RoutingCoreModule],
  providers: [InboundProcessor],
})
export class TicketsWorkerModule {}

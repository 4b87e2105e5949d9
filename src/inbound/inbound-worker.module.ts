import { Module } from '@nestjs/common';
import { InboundModule } from './inbound.module';
import { OutboundModule } from '../outbound/outbound.module';
import { QueuesModule } from '../queues.module';
import { RoutingCoreModule } from '../routing/routing-core.module';
import { TicketsCoreModule } from '../tickets/tickets-core.module';
import { InboundProcessor } from './jobs/inbound.processor';

/** The consumer of the `inbound` queue, beside its producer: turns queued events into tickets and messages through the tickets module. */
@Module({
  imports: [QueuesModule, TicketsCoreModule, InboundModule, OutboundModule, RoutingCoreModule],
  providers: [InboundProcessor],
})
export class InboundWorkerModule {}

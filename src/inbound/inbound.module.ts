import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues.module';
import { TicketsCoreModule } from '../tickets/tickets-core.module';
import { InboundService } from './inbound.service';
import { ScanningModule } from '../scanning/scanning.module';

/** The door every channel adapter uses to hand its events to the shared pipeline. */
@Module({
  imports: [QueuesModule, TicketsCoreModule, ScanningModule],
  providers: [InboundService],
  exports: [InboundService],
})
export class InboundModule {}

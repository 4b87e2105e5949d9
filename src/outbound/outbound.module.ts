import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues.module';
import { OutboundService } from './outbound.service';

/** The producer side of the `outbound` queue, for the API (replies) and the inbound worker (acknowledgements). */
@Module({ imports: [QueuesModule], providers: [OutboundService], exports: [OutboundService] })
export class OutboundModule {}

import { Module } from '@nestjs/common';
import { InboundModule } from '../../inbound/inbound.module';
import { QueuesModule } from '../../queues.module';
import { EmailCoreModule } from './email-core.module';
import { EmailIngestService } from './email-ingest.service';

/** The e-mail channel's reader: IMAP in, into the shared inbound pipeline. */
@Module({
  imports: [QueuesModule, InboundModule, EmailCoreModule],
  providers: [EmailIngestService],
})
export class EmailWorkerModule {}

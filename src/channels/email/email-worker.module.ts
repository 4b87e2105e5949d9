import { Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { InboundModule } from '../../inbound/inbound.module';
import { QueuesModule } from '../../queues.module';
import { EmailCoreModule } from './email-core.module';
import { EmailIngestService } from './email-ingest.service';
import { EmailParsePool } from './email-parse-pool';

/** The e-mail channel's reader: IMAP in, into the shared inbound pipeline. */
@Module({
  imports: [QueuesModule, InboundModule, EmailCoreModule],
  providers: [
    EmailIngestService,
    {
      provide: EmailParsePool,
      useFactory: (config: AppConfig) =>
        new EmailParsePool({ threads: config.EMAIL_PARSE_THREADS, maxAttachmentBytes: config.EMAIL_MAX_ATTACHMENT_BYTES }),
      inject: [AppConfig],
    },
  ],
})
export class EmailWorkerModule {}

import { Module } from '@nestjs/common';
import { QueuesModule } from '../../queues.module';
import { MailboxesService } from './mailboxes.service';

/** Mailbox records and their connection states, for every role. */
@Module({ imports: [QueuesModule], providers: [MailboxesService], exports: [MailboxesService] })
export class EmailCoreModule {}

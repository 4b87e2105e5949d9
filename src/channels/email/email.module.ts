import { Module } from '@nestjs/common';
import { EmailCoreModule } from './email-core.module';
import { MailboxesController } from './mailboxes.controller';

/** The e-mail channel's API side: mailbox administration. */
@Module({ imports: [EmailCoreModule], controllers: [MailboxesController] })
export class EmailModule {}

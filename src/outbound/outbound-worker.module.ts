import { Module } from '@nestjs/common';
import { EmailSenderModule } from '../channels/email/email-sender.module';
import { EmailSender } from '../channels/email/email-sender';
import { SocialSenderModule } from '../channels/social/social-sender.module';
import { SocialSender } from '../channels/social/social-sender';
import { TicketsCoreModule } from '../tickets/tickets-core.module';
import { CHANNEL_SENDERS } from './channel-sender';
import { OutboundProcessor } from './jobs/outbound.processor';
import { OutboundModule } from './outbound.module';

/** The worker side of `outbound`. A new channel adds its sender to CHANNEL_SENDERS and nothing else here. */
@Module({
  imports: [OutboundModule, TicketsCoreModule, EmailSenderModule, SocialSenderModule],
  providers: [
    OutboundProcessor,
    { provide: CHANNEL_SENDERS, useFactory: (email: EmailSender, social: SocialSender) => [email, social], inject: [EmailSender, SocialSender] },
  ],
})
export class OutboundWorkerModule {}

import { Module } from '@nestjs/common';
import { ChatSenderModule } from '../channels/chat/chat-sender.module';
import { ChatSender } from '../channels/chat/chat-sender';
import { EmailSenderModule } from '../channels/email/email-sender.module';
import { EmailSender } from '../channels/email/email-sender';
import { SmsSender } from '../channels/sms/sms-sender';
import { SmsSenderModule } from '../channels/sms/sms-sender.module';
import { SocialSenderModule } from '../channels/social/social-sender.module';
import { SocialSender } from '../channels/social/social-sender';
import { QueuesModule } from '../queues.module';
import { TicketsCoreModule } from '../tickets/tickets-core.module';
import { CHANNEL_SENDERS } from './channel-sender';
import { OutboundProcessor } from './jobs/outbound.processor';
import { OutboundDeliveries } from './outbound-deliveries';
import { OutboundModule } from './outbound.module';

/** The worker side of `outbound`. A new channel adds its sender to CHANNEL_SENDERS and nothing else here. */
@Module({
  imports: [QueuesModule, OutboundModule, TicketsCoreModule, EmailSenderModule, SocialSenderModule, ChatSenderModule, SmsSenderModule],
  providers: [
    OutboundProcessor,
    OutboundDeliveries,
    {
      provide: CHANNEL_SENDERS,
      useFactory: (email: EmailSender, social: SocialSender, chat: ChatSender, sms: SmsSender) => [email, social, chat, sms],
      inject: [EmailSender, SocialSender, ChatSender, SmsSender],
    },
  ],
})
export class OutboundWorkerModule {}

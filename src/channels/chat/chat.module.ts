import { Module } from '@nestjs/common';
import { CalendarModule } from '../../calendar/calendar.module';
import { CsatModule } from '../../csat/csat.module';
import { InstitutionsModule } from '../../institutions/institutions.module';
import { KnowledgeCoreModule } from '../../knowledge/knowledge-core.module';
import { ChatAssistantService } from './chat-assistant.service';
import { ChatConversationService } from './chat-conversation.service';
import { ChatCoreModule } from './chat-core.module';
import { ChatQueueService } from './chat-queue.service';
import { ChatTranscriptService } from './chat-transcript.service';
import { OutboundModule } from '../../outbound/outbound.module';
import { TicketsCoreModule } from '../../tickets/tickets-core.module';
import { ChatGateway } from './chat.gateway';
import { ChatWidgetAssets } from './chat-widget-assets';
import { ChatWidgetController } from './chat-widget.controller';
import { ChatWidgetSettingsService } from './chat-widget-settings.service';

/** The chat channel adapter for visitors: the /chat socket with its level-0 assistant, the transcript by e-mail, and the embeddable widget. */
@Module({
  imports: [ChatCoreModule, KnowledgeCoreModule, CalendarModule, CsatModule, InstitutionsModule, TicketsCoreModule, OutboundModule],
  controllers: [ChatWidgetController],
  providers: [
    ChatGateway,
    ChatConversationService,
    ChatAssistantService,
    ChatQueueService,
    ChatTranscriptService,
    ChatWidgetAssets,
    ChatWidgetSettingsService,
  ],
})
export class ChatModule {}

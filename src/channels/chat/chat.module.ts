import { Module } from '@nestjs/common';
import { CalendarModule } from '../../calendar/calendar.module';
import { CsatModule } from '../../csat/csat.module';
import { KnowledgeCoreModule } from '../../knowledge/knowledge-core.module';
import { ChatAssistantService } from './chat-assistant.service';
import { ChatConversationService } from './chat-conversation.service';
import { ChatCoreModule } from './chat-core.module';
import { ChatGateway } from './chat.gateway';
import { ChatWidgetController } from './chat-widget.controller';

/** The chat channel adapter for visitors: the /chat socket with its level-0 assistant, and the widget page. */
@Module({
  imports: [ChatCoreModule, KnowledgeCoreModule, CalendarModule, CsatModule],
  controllers: [ChatWidgetController],
  providers: [ChatGateway, ChatConversationService, ChatAssistantService],
})
export class ChatModule {}

import { Module } from '@nestjs/common';
import { RealtimeModule } from '../../realtime/realtime.module';
import { ChatRelay } from './chat-relay';
import { ChatSessionsService } from './chat-sessions.service';

/** Chat sessions and the relay between processes, made once however many modules use them (each holds Redis connections). */
@Module({ imports: [RealtimeModule], providers: [ChatSessionsService, ChatRelay], exports: [ChatSessionsService, ChatRelay] })
export class ChatSessionsModule {}

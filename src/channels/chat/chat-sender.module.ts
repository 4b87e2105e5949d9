import { Module } from '@nestjs/common';
import { RealtimeModule } from '../../realtime/realtime.module';
import { ChatRelay } from './chat-relay';
import { ChatSender } from './chat-sender';
import { ChatSessionsService } from './chat-sessions.service';

/** What a worker needs to deliver staff replies to visitors: the sessions and the relay, no sockets of its own. */
@Module({ imports: [RealtimeModule], providers: [ChatSessionsService, ChatRelay, ChatSender], exports: [ChatSender] })
export class ChatSenderModule {}

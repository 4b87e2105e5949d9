import { Module } from '@nestjs/common';
import { ChatSender } from './chat-sender';
import { ChatSessionsModule } from './chat-sessions.module';

/** What a worker needs to deliver staff replies to visitors: the sessions and the relay, no sockets of its own. */
@Module({ imports: [ChatSessionsModule], providers: [ChatSender], exports: [ChatSender] })
export class ChatSenderModule {}

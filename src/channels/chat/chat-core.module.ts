import { AuditModule } from '../../audit/audit.module';
import { Module } from '@nestjs/common';
import { InboundModule } from '../../inbound/inbound.module';
import { RealtimeModule } from '../../realtime/realtime.module';
import { ChatPersistence } from './chat-persistence';
import { ChatSessionsModule } from './chat-sessions.module';
import { ChatStaffService } from './chat-staff.service';

/** Chat sessions, the relay and the staff side, for the API's two sockets (/chat, /agents). */
@Module({
  imports: [RealtimeModule, InboundModule, ChatSessionsModule, AuditModule],
  providers: [ChatPersistence, ChatStaffService],
  exports: [ChatSessionsModule, ChatPersistence, ChatStaffService],
})
export class ChatCoreModule {}

import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { ChatCoreModule } from '../channels/chat/chat-core.module';
import { PresenceModule } from '../presence/presence.module';
import { AgentsGateway } from '../realtime/agents.gateway';
import { RoutingAdminController } from './routing-admin.controller';
import { RoutingAdminService } from './routing-admin.service';
import { RoutingCoreModule } from './routing-core.module';

/** The API side of routing: queues and rules as data, presence, and the agents' realtime socket. */
@Module({
  imports: [RoutingCoreModule, PresenceModule, AuthModule, AuditModule, ChatCoreModule],
  controllers: [RoutingAdminController],
  providers: [RoutingAdminService, AgentsGateway],
})
export class RoutingModule {}

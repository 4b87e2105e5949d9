import { Module, OnApplicationBootstrap } from '@nestjs/common';
import { CalendarModule } from '../calendar/calendar.module';
import { AppConfig } from '../config/app-config';
import { RealtimeModule } from '../realtime/realtime.module';
import { AgentsAdminService } from './agents-admin.service';
import { AgentsController } from './agents.controller';
import { AgentsService } from './agents.service';

@Module({
  imports: [RealtimeModule, CalendarModule],
  controllers: [AgentsController],
  providers: [AgentsService, AgentsAdminService],
  exports: [AgentsService],
})
export class AgentsModule implements OnApplicationBootstrap {
  constructor(
    private readonly agents: AgentsService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.agents.ensureAdmin(this.config.ADMIN_EMAIL, this.config.ADMIN_PASSWORD);
  }
}

import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators';
import { PresenceService } from './presence.service';

@ApiTags('presence')
@ApiBearerAuth()
@Controller('v1/presence')
export class PresenceController {
  constructor(private readonly presence: PresenceService) {}

  @Get()
  @Roles('supervisor', 'admin')
  @ApiOperation({ summary: 'Every active agent: online, away or offline since when, and load beside capacity per channel' })
  list() {
    return this.presence.list();
  }
}

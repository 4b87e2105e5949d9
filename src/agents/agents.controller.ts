import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators';
import { AgentsAdminService } from './agents-admin.service';
import { CreateAgentDto, UpdateAgentDto } from './dto/agent.dto';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('v1/admin/agents')
export class AgentsController {
  constructor(private readonly agents: AgentsAdminService) {}

  @Get()
  @ApiOperation({ summary: 'Staff accounts with roles, institutions, languages, skills and capacity' })
  list() {
    return this.agents.list();
  }

  @Post()
  create(@Body() body: CreateAgentDto) {
    return this.agents.create(body);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.agents.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change an account; a new password or disabling it ends its sessions at once' })
  update(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateAgentDto) {
    return this.agents.update(id, body);
  }
}

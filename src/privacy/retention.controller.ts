import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import { RetentionPreviewQuery, UpdateRetentionPolicyDto } from './dto/retention.dto';
import { RetentionService } from './retention.service';

/** Retention policies: how long content is kept; admins change them, the DPO reads them and the preview. */
@ApiTags('privacy')
@ApiBearerAuth()
@Controller('v1/admin/retention-policies')
export class RetentionController {
  constructor(private readonly retention: RetentionService) {}

  @Get()
  @Roles('admin', 'dpo')
  @ApiOperation({ summary: 'Every retention policy: target, ticket kind, channel, days kept after closing, basis' })
  list() {
    return this.retention.list();
  }

  @Get('preview')
  @Roles('admin', 'dpo')
  @ApiOperation({ summary: 'What the next retention run (as of asOf, default now) would anonymise or delete' })
  preview(@Query() q: RetentionPreviewQuery) {
    return this.retention.preview(q.asOf ? new Date(q.asOf) : new Date());
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Change a period or its basis (audited)' })
  update(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateRetentionPolicyDto) {
    return this.retention.update(user, id, body);
  }
}

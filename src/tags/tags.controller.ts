import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ROLES } from '../agents/entities/agent.entity';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthUser } from '../auth/auth-user';
import { CreateTagDto, ListTagsQuery, UpdateTagDto } from './dto/tag.dto';
import { TagsService } from './tags.service';

@ApiTags('tags')
@ApiBearerAuth()
@Controller('v1/tags')
export class TagsController {
  constructor(private readonly tags: TagsService) {}

  @Get()
  @Roles(...ROLES)
  @ApiOperation({ summary: "The tags you may put on tickets: the centre's and those of your institutions" })
  async list(@CurrentUser() user: AuthUser, @Query() q: ListTagsQuery) {
    return { items: await this.tags.list(user, q.institution) };
  }
}

/** The vocabulary is kept by admins, so a report by tag counts one word per thing, not five spellings. */
@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('v1/admin/tags')
export class TagsAdminController {
  constructor(private readonly tags: TagsService) {}

  @Post()
  @ApiOperation({ summary: "Add a tag to an institution's vocabulary, or to the centre's (no institution)" })
  create(@CurrentUser() user: AuthUser, @Body() body: CreateTagDto) {
    return this.tags.create(user, body);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename a tag or change its description; tickets keep it' })
  update(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateTagDto) {
    return this.tags.update(user, id, body);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a tag: it is taken off every ticket' })
  async remove(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.tags.remove(user, id);
  }
}

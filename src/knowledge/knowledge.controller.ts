import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ROLES } from '../agents/entities/agent.entity';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthUser } from '../auth/auth-user';
import {
  CreateKnowledgeArticleDto,
  KnowledgeSearchQuery,
  ListKnowledgeArticlesQuery,
  UpdateKnowledgeArticleDto,
} from './dto/knowledge-article.dto';
import { KnowledgeArticlesService } from './knowledge-articles.service';
import { KnowledgeSearchService } from './knowledge-search.service';

/**
 * Editing the knowledge base is for admins and supervisors: supervisors run the operators' scripts day to day
 * and are the ones who notice a missing or outdated answer; operators and specialists only read.
 */
@ApiTags('knowledge')
@ApiBearerAuth()
@Roles('admin', 'supervisor')
@Controller('v1/admin/knowledge/articles')
export class KnowledgeAdminController {
  constructor(private readonly articles: KnowledgeArticlesService) {}

  @Get()
  @ApiOperation({ summary: 'Knowledge articles, drafts included, oldest first, with keyset (cursor) pagination' })
  list(@Query() query: ListKnowledgeArticlesQuery) {
    return this.articles.list(query);
  }

  @Post()
  @ApiOperation({ summary: 'Write an article: question wordings, answer, language, institution, topic; published when ready' })
  create(@CurrentUser() user: AuthUser, @Body() body: CreateKnowledgeArticleDto) {
    return this.articles.create(user, body);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.articles.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change an article; search sees the change at once' })
  update(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateKnowledgeArticleDto) {
    return this.articles.update(user, id, body);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete an article (unpublish it instead to keep it as a draft)' })
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.articles.remove(id);
  }
}

@ApiTags('knowledge')
@ApiBearerAuth()
@Roles(...ROLES)
@Controller('v1/knowledge')
export class KnowledgeSearchController {
  constructor(private readonly knowledge: KnowledgeSearchService) {}

  @Get('search')
  @ApiOperation({
    summary: 'Suggested answers for what a customer asked: published articles, best first, with a confidence score',
    description: 'Finds Latvian word forms of one another ("pabalsts", "pabalstu", "pabalsta") and text typed without diacritics.',
  })
  async search(@Query() query: KnowledgeSearchQuery) {
    const results = await this.knowledge.search(query.q, { language: query.language, institution: query.institution, limit: query.limit });
    return { results };
  }
}

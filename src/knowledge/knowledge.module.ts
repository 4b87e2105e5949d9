import { Module } from '@nestjs/common';
import { InstitutionsModule } from '../institutions/institutions.module';
import { KnowledgeArticlesService } from './knowledge-articles.service';
import { KnowledgeAdminController, KnowledgeSearchController } from './knowledge.controller';
import { KnowledgeSearchService } from './knowledge-search.service';

/** The knowledge base: articles, their editing API, and the search every answering channel uses. */
@Module({
  imports: [InstitutionsModule],
  controllers: [KnowledgeAdminController, KnowledgeSearchController],
  providers: [KnowledgeSearchService, KnowledgeArticlesService],
  exports: [KnowledgeSearchService],
})
export class KnowledgeModule {}

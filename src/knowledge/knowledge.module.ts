import { Module } from '@nestjs/common';
import { InstitutionsModule } from '../institutions/institutions.module';
import { KnowledgeArticlesService } from './knowledge-articles.service';
import { KnowledgeCoreModule } from './knowledge-core.module';
import { KnowledgeAdminController, KnowledgeSearchController } from './knowledge.controller';

/** The knowledge base's HTTP side: the editing API and operators' search. */
@Module({
  imports: [InstitutionsModule, KnowledgeCoreModule],
  controllers: [KnowledgeAdminController, KnowledgeSearchController],
  providers: [KnowledgeArticlesService],
  exports: [KnowledgeCoreModule],
})
export class KnowledgeModule {}

import { Module } from '@nestjs/common';
import { InstitutionsModule } from '../institutions/institutions.module';
import { KnowledgeArticlesService } from './knowledge-articles.service';
import { KnowledgeCoreModule } from './knowledge-core.module';
import { KnowledgeAdminController, KnowledgeSearchController } from './knowledge.controller';
import { TicketSuggestionsController } from './ticket-suggestions.controller';

/** The knowledge base's HTTP side: the editing API, operators' search, and suggested answers for a ticket. */
@Module({
  imports: [InstitutionsModule, KnowledgeCoreModule],
  controllers: [KnowledgeAdminController, KnowledgeSearchController, TicketSuggestionsController],
  providers: [KnowledgeArticlesService],
  exports: [KnowledgeCoreModule],
})
export class KnowledgeModule {}

import { Module } from '@nestjs/common';
import { InstitutionsModule } from '../institutions/institutions.module';
import { KnowledgeArticlesService } from './knowledge-articles.service';
import { KnowledgeCoreModule } from './knowledge-core.module';
import { KnowledgeAdminController, KnowledgeSearchController } from './knowledge.controller';
import { TicketSuggestionsController } from './ticket-suggestions.controller';
import { AutoAnswersController } from './auto-answers.controller';
import { AutoAnswersService } from './auto-answers.service';
import { AuditModule } from '../audit/audit.module';

/** The knowledge base's HTTP side: the editing API, operators' search, and suggested answers for a ticket. */
@Module({
  imports: [InstitutionsModule, KnowledgeCoreModule, AuditModule],
  controllers: [KnowledgeAdminController, KnowledgeSearchController, TicketSuggestionsController, AutoAnswersController],
  providers: [KnowledgeArticlesService, AutoAnswersService],
  exports: [KnowledgeCoreModule],
})
export class KnowledgeModule {}

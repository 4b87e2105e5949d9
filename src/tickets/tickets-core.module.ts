import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ClassificationModule } from '../classification/classification.module';
import { CsatModule } from '../csat/csat.module';
import { KnowledgeCoreModule } from '../knowledge/knowledge-core.module';
import { Level0AnswerPlanner } from './level0-answer-planner';
import { SlaCoreModule } from '../sla/sla-core.module';
import { TicketIngestService } from './ticket-ingest.service';
import { TicketMessagesService } from './ticket-messages.service';
import { TicketReferenceService } from './ticket-reference.service';

/** What both roles need of tickets: references (the API reserves them) and the one writer (the worker runs it). */
@Module({
  imports: [SlaCoreModule, AuditModule, ClassificationModule, KnowledgeCoreModule, CsatModule],
  providers: [TicketReferenceService, TicketIngestService, TicketMessagesService, Level0AnswerPlanner],
  exports: [TicketReferenceService, TicketIngestService, TicketMessagesService, SlaCoreModule],
})
export class TicketsCoreModule {}

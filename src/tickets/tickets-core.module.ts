import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ClassificationModule } from '../classification/classification.module';
import { CustomersModule } from '../customers/customers.module';
import { CsatCoreModule } from '../csat/csat-core.module';
import { KnowledgeCoreModule } from '../knowledge/knowledge-core.module';
import { OutboundModule } from '../outbound/outbound.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { RoutingSignalsModule } from '../routing/routing-signals.module';
import { WebhooksCoreModule } from '../webhooks/webhooks-core.module';
import { Level0AnswerPlanner } from './level0-answer-planner';
import { SlaCoreModule } from '../sla/sla-core.module';
import { TicketDataModule } from './repositories/ticket-data.module';
import { TicketChanges } from './ticket-changes.service';
import { TicketEffectsPublisher } from './ticket-effects.publisher';
import { TicketIngestService } from './ticket-ingest.service';
import { TicketMessagesService } from './ticket-messages.service';
import { MessageDeliveriesService } from './message-deliveries.service';
import { TicketReferenceService } from './ticket-reference.service';

/**
 * What both roles need of tickets: references (the API reserves them), ingest (the worker runs it), the one
 * writer of ticket changes with its data access, and the publisher of their effects after commit.
 */
@Module({
  imports: [
    SlaCoreModule,
    AuditModule,
    ClassificationModule,
    CustomersModule,
    KnowledgeCoreModule,
    TicketDataModule,
    WebhooksCoreModule,
    OutboundModule,
    RealtimeModule,
    RoutingSignalsModule,
    CsatCoreModule,
  ],
  providers: [
    TicketReferenceService,
    TicketIngestService,
    TicketMessagesService,
    MessageDeliveriesService,
    Level0AnswerPlanner,
    TicketChanges,
    TicketEffectsPublisher,
  ],
  exports: [
    TicketReferenceService,
    TicketIngestService,
    TicketMessagesService,
    MessageDeliveriesService,
    SlaCoreModule,
    TicketDataModule,
    TicketChanges,
    TicketEffectsPublisher,
  ],
})
export class TicketsCoreModule {}

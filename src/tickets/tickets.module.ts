import { DeskListsController } from './desk-lists.controller';
import { DeskListsService } from './desk-lists.service';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CsatModule } from '../csat/csat.module';
import { OutboundModule } from '../outbound/outbound.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { RoutingCoreModule } from '../routing/routing-core.module';
import { TicketsCoreModule } from './tickets-core.module';
import { TicketsController } from './tickets.controller';
import { TicketActionsService } from './ticket-actions.service';
import { TicketLevelsService } from './ticket-levels.service';
import { TicketsQueryService } from './tickets-query.service';

/** The staff API over tickets. */
@Module({
  imports: [AuditModule, TicketsCoreModule, OutboundModule, WebhooksModule, RoutingCoreModule, CsatModule],
  controllers: [TicketsController, DeskListsController],
  providers: [TicketsQueryService, TicketLevelsService, TicketActionsService, DeskListsService],
  // The voice channel assigns an answered call's ticket to the operator who took it.
  exports: [TicketActionsService],
})
export class TicketsModule {}

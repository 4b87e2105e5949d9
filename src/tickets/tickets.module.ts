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
import { TicketTagsController } from './ticket-tags.controller';
import { TicketTagsService } from './ticket-tags.service';
import { TagsModule } from '../tags/tags.module';

/** The staff API over tickets. */
@Module({
  imports: [AuditModule, TicketsCoreModule, OutboundModule, WebhooksModule, RoutingCoreModule, CsatModule, TagsModule],
  controllers: [TicketsController, DeskListsController, TicketTagsController],
  providers: [TicketsQueryService, TicketLevelsService, TicketActionsService, TicketTagsService, DeskListsService],
  // The voice channel assigns an answered call's ticket to the operator who took it; macros make a person's changes
  // through the same services the person's own requests use.
  exports: [TicketActionsService, TicketLevelsService, TicketTagsService, TicketsQueryService],
})
export class TicketsModule {}

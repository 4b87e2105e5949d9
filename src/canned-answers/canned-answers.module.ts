import { Module } from '@nestjs/common';
import { CalendarModule } from '../calendar/calendar.module';
import { InstitutionsModule } from '../institutions/institutions.module';
import { OutboundModule } from '../outbound/outbound.module';
import { RoutingCoreModule } from '../routing/routing-core.module';
import { TagsModule } from '../tags/tags.module';
import { TicketsCoreModule } from '../tickets/tickets-core.module';
import { TicketsModule } from '../tickets/tickets.module';
import { CannedAnswersController, MacrosController, TicketMacrosController } from './canned-answers.controller';
import { CannedAnswersService } from './canned-answers.service';
import { MacrosService } from './macros.service';

/** Canned answers and macros (tables canned_answers, macros, answer_uses). Ticket changes go through the tickets module. */
@Module({
  imports: [TicketsModule, TicketsCoreModule, OutboundModule, RoutingCoreModule, TagsModule, InstitutionsModule, CalendarModule],
  controllers: [CannedAnswersController, MacrosController, TicketMacrosController],
  providers: [CannedAnswersService, MacrosService],
})
export class CannedAnswersModule {}

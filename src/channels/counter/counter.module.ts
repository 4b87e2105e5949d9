import { Module } from '@nestjs/common';
import { AgentsModule } from '../../agents/agents.module';
import { CalendarModule } from '../../calendar/calendar.module';
import { InboundModule } from '../../inbound/inbound.module';
import { InstitutionsModule } from '../../institutions/institutions.module';
import { CounterController } from './counter.controller';

/** Contacts at a VPVKAC counter or on a direct line, logged by staff. */
@Module({ imports: [InboundModule, InstitutionsModule, CalendarModule, AgentsModule], controllers: [CounterController] })
export class CounterModule {}

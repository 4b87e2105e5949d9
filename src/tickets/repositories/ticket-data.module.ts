import { Module } from '@nestjs/common';
import { EscalationsRepository } from './escalations.repository';
import { MessagesRepository } from './messages.repository';
import { TicketsRepository } from './tickets.repository';

/**
 * The tickets module's data access, with no dependencies of its own, so that the modules tickets itself depends on
 * (SLA's engine, CSAT) can write their narrow columns through it without an import cycle.
 */
@Module({
  providers: [TicketsRepository, EscalationsRepository, MessagesRepository],
  exports: [TicketsRepository, EscalationsRepository, MessagesRepository],
})
export class TicketDataModule {}

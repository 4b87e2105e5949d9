import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { TicketDataModule } from '../tickets/repositories/ticket-data.module';
import { CsatService } from './csat.service';

/** The survey's service without its public routes: ingest asks for surveys on worker processes too. */
@Module({ imports: [AuditModule, TicketDataModule], providers: [CsatService], exports: [CsatService] })
export class CsatCoreModule {}

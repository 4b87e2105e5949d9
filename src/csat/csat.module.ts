import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CsatController } from './csat.controller';
import { CsatService } from './csat.service';
import { TicketDataModule } from '../tickets/repositories/ticket-data.module';

/** The one-question satisfaction survey after resolution. */
@Module({ imports: [AuditModule, TicketDataModule], controllers: [CsatController], providers: [CsatService], exports: [CsatService] })
export class CsatModule {}

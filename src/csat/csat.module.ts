import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CsatController } from './csat.controller';
import { CsatService } from './csat.service';

/** The one-question satisfaction survey after resolution. */
@Module({ imports: [AuditModule], controllers: [CsatController], providers: [CsatService], exports: [CsatService] })
export class CsatModule {}

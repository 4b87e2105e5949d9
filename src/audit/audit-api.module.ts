import { Module } from '@nestjs/common';
import { AuditQueryService } from './audit-query.service';
import { AuditController } from './audit.controller';
import { AuditModule } from './audit.module';

/** The audit trail over HTTP (the writing side, AuditModule, is shared by every module and both roles). */
@Module({ imports: [AuditModule], controllers: [AuditController], providers: [AuditQueryService] })
export class AuditApiModule {}

import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { QueuesModule } from '../queues.module';
import { LegalHoldsService } from './legal-holds.service';
import { PrivacyController } from './privacy.controller';
import { RetentionController } from './retention.controller';
import { PrivacyCoreModule } from './privacy-core.module';

/** The data subjects' rights over HTTP: subject requests, their one-time downloads, legal holds, retention policies. */
@Module({
  imports: [QueuesModule, AuditModule, PrivacyCoreModule],
  controllers: [PrivacyController, RetentionController],
  providers: [LegalHoldsService],
})
export class PrivacyModule {}

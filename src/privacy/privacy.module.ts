import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { QueuesModule } from '../queues.module';
import { LegalHoldsService } from './legal-holds.service';
import { PrivacyController } from './privacy.controller';
import { RetentionController } from './retention.controller';
import { RetentionService } from './retention.service';
import { SubjectRequestsService } from './subject-requests.service';

/** The data subjects' rights over HTTP: subject requests, their one-time downloads, legal holds, retention policies. */
@Module({ imports: [QueuesModule, AuditModule], controllers: [PrivacyController, RetentionController], providers: [SubjectRequestsService, LegalHoldsService, RetentionService] })
export class PrivacyModule {}

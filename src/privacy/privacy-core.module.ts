import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { QueuesModule } from '../queues.module';
import { RetentionService } from './retention.service';
import { SubjectRequestsService } from './subject-requests.service';

/** Subject requests and retention policies, for the HTTP API and the worker that runs them. */
@Module({
  imports: [QueuesModule, AuditModule],
  providers: [SubjectRequestsService, RetentionService],
  exports: [SubjectRequestsService, RetentionService],
})
export class PrivacyCoreModule {}

import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { QueuesModule } from '../queues.module';
import { RetentionProcessor } from './jobs/retention.processor';
import { SubjectRequestProcessor } from './jobs/subject-request.processor';
import { RetentionService } from './retention.service';
import { SubjectRequestRunner } from './subject-request-runner';
import { SubjectRequestsService } from './subject-requests.service';

/** Runs subject requests (`subject-requests` queue) and the nightly retention run (`retention`). */
@Module({ imports: [QueuesModule, AuditModule], providers: [SubjectRequestRunner, SubjectRequestProcessor, SubjectRequestsService, RetentionService, RetentionProcessor] })
export class PrivacyWorkerModule {}

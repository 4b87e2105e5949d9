import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { QueuesModule } from '../queues.module';
import { RetentionProcessor } from './jobs/retention.processor';
import { SubjectRequestProcessor } from './jobs/subject-request.processor';
import { PrivacyCoreModule } from './privacy-core.module';
import { SubjectRequestRunner } from './subject-request-runner';

/** Runs subject requests (`subject-requests` queue) and the nightly retention run (`retention`). */
@Module({ imports: [QueuesModule, AuditModule, PrivacyCoreModule], providers: [SubjectRequestRunner, SubjectRequestProcessor, RetentionProcessor] })
export class PrivacyWorkerModule {}

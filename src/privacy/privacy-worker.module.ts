import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { QueuesModule } from '../queues.module';
import { SubjectRequestProcessor } from './jobs/subject-request.processor';
import { SubjectRequestRunner } from './subject-request-runner';
import { SubjectRequestsService } from './subject-requests.service';

/** Runs subject requests on the `subject-requests` queue. */
@Module({ imports: [QueuesModule, AuditModule], providers: [SubjectRequestRunner, SubjectRequestProcessor, SubjectRequestsService] })
export class PrivacyWorkerModule {}

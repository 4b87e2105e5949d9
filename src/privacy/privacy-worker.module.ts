import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { TWILIO_REST, twilioRestClient } from '../channels/voice/twilio-rest';
import { AppConfig } from '../config/app-config';
import { QueuesModule } from '../queues.module';
import { RecordingDeletionProcessor } from './jobs/recording-deletion.processor';
import { RetentionProcessor } from './jobs/retention.processor';
import { SubjectRequestProcessor } from './jobs/subject-request.processor';
import { PrivacyCoreModule } from './privacy-core.module';
import { RecordingDeletionsService } from './recording-deletions';
import { SubjectRequestRunner } from './subject-request-runner';

/**
 * Runs subject requests (`subject-requests` queue), the nightly retention run (`retention`) and the deletion at
 * Twilio of the recordings they cleared (`recording-deletions`).
 */
@Module({
  imports: [QueuesModule, AuditModule, PrivacyCoreModule],
  providers: [
    SubjectRequestRunner,
    SubjectRequestProcessor,
    RetentionProcessor,
    RecordingDeletionsService,
    RecordingDeletionProcessor,
    { provide: TWILIO_REST, useFactory: twilioRestClient, inject: [AppConfig] },
  ],
})
export class PrivacyWorkerModule {}

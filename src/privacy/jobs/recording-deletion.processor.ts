import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { PeriodicWork, QueueProcessor } from '../../common/queue-processor';
import { JobName, QueueName } from '../../queues';
import { RecordingDeletionsService } from '../recording-deletions';

/** How often Twilio's copies of cleared recordings are deleted: soon after an erasure, and again after a failure. */
export const RECORDING_DELETION_EVERY_MS = 60_000;

@Processor(QueueName.RecordingDeletions, { concurrency: 1 })
export class RecordingDeletionProcessor extends QueueProcessor {
  constructor(
    private readonly deletions: RecordingDeletionsService,
    @InjectQueue(QueueName.RecordingDeletions) queue: Queue,
  ) {
    super(QueueName.RecordingDeletions, { queue });
  }

  protected override periodic(): PeriodicWork[] {
    return [{ job: JobName.DeleteRecordings, everyMs: RECORDING_DELETION_EVERY_MS, run: () => this.deletions.deleteDue() }];
  }
}

import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues.module';
import { FollowUpsCoreModule } from './follow-ups-core.module';
import { FollowUpsProcessor } from './jobs/follow-ups.processor';

/** The worker side of follow-ups: one queue whose schedulers run the sweep and the auto-close pass. */
@Module({ imports: [QueuesModule, FollowUpsCoreModule], providers: [FollowUpsProcessor] })
export class FollowUpsWorkerModule {}

import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { PeriodicWork, QueueProcessor } from '../../common/queue-processor';
import { AppConfig } from '../../config/app-config';
import { JobName, QueueName } from '../../queues';
import { AutoCloseService } from '../auto-close.service';
import { FollowUpsSweepService } from '../follow-ups-sweep.service';

/**
 * Two schedules shared by all workers: the follow-up sweep (snoozes waking, reminders due, auto-close notices whose
 * message has gone) every FOLLOW_UP_SWEEP_INTERVAL_MS, and the auto-close pass that finds newly due tickets hourly
 * (its unit is a working day, so an hour late is nothing, and a notice at most an hour after midnight is fine).
 */
@Processor(QueueName.FollowUps, { concurrency: 1 })
export class FollowUpsProcessor extends QueueProcessor {
  constructor(
    private readonly sweep: FollowUpsSweepService,
    private readonly autoClose: AutoCloseService,
    private readonly config: AppConfig,
    @InjectQueue(QueueName.FollowUps) queue: Queue,
  ) {
    super(QueueName.FollowUps, { queue });
  }

  protected override periodic(): PeriodicWork[] {
    return [
      {
        job: JobName.FollowUpSweep,
        everyMs: this.config.FOLLOW_UP_SWEEP_INTERVAL_MS,
        run: async () => {
          await this.sweep.wakeDue();
          await this.sweep.fireReminders();
          await this.autoClose.closeNoticed();
        },
      },
      { job: JobName.AutoCloseRun, everyMs: this.config.AUTO_CLOSE_INTERVAL_MS, run: () => this.autoClose.run() },
    ];
  }
}

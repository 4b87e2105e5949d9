import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { QueueProcessor } from '../../common/queue-processor';
import { JobName, QueueName } from '../../queues';
import { RetentionService } from '../retention.service';

/** Every night at 02:30 Riga time: one scheduler shared by all workers, so one job per night, whichever takes it. */
export const RETENTION_SCHEDULE = { pattern: '0 30 2 * * *', tz: 'Europe/Riga' };

@Processor(QueueName.Retention, { concurrency: 1 })
export class RetentionProcessor extends QueueProcessor {
  constructor(
    private readonly retention: RetentionService,
    @InjectQueue(QueueName.Retention) private readonly queue: Queue,
  ) {
    super(QueueName.Retention, { queue });
  }

  /** A nightly cron pattern in Riga time rather than an interval, so scheduled here rather than in periodic(). */
  override async onApplicationBootstrap(): Promise<void> {
    await super.onApplicationBootstrap();
    try {
      await this.queue.upsertJobScheduler(JobName.RetentionRun, RETENTION_SCHEDULE, {
        name: JobName.RetentionRun,
        opts: { removeOnComplete: 30, removeOnFail: 30 },
      });
    } catch (error) {
      this.logger.warn({ err: error }, 'could not schedule the retention run; it is scheduled again when a worker starts');
    }
  }

  protected override async handle(): Promise<void> {
    if ((await this.retention.run()) === null) this.logger.log('another retention run is in progress; this one stands down');
  }
}

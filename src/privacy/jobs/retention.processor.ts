import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import { JobName, QueueName } from '../../queues';
import { RetentionService } from '../retention.service';

/** Every night at 02:30 Riga time: one scheduler shared by all workers, so one job per night, whichever takes it. */
export const RETENTION_SCHEDULE = { pattern: '0 30 2 * * *', tz: 'Europe/Riga' };

@Processor(QueueName.Retention, { concurrency: 1 })
export class RetentionProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(RetentionProcessor.name);

  constructor(
    private readonly retention: RetentionService,
    @InjectQueue(QueueName.Retention) private readonly queue: Queue,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.queue.upsertJobScheduler(JobName.RetentionRun, RETENTION_SCHEDULE, { name: JobName.RetentionRun, opts: { removeOnComplete: 30, removeOnFail: 30 } });
    } catch (error) {
      this.logger.warn({ err: error }, 'could not schedule the retention run; it is scheduled again when a worker starts');
    }
  }

  async process(): Promise<void> {
    if ((await this.retention.run()) === null) this.logger.log('another retention run is in progress; this one stands down');
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn({ err: error }, '%s worker error (it reconnects by itself)', QueueName.Retention);
  }
}

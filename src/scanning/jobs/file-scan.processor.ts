import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { AppConfig } from '../../config/app-config';
import { JobName, QueueName, scheduleEvery } from '../../queues';
import { ClamdService } from '../clamd.service';
import { FileScansService, ScanFileJobData } from '../file-scans.service';

/**
 * Runs `file-scan`: one job per arrived file right after it is stored, and a sweep every CLAMAV_SWEEP_SECONDS
 * (one scheduler shared by all workers) for the files that wait because clamd was away.
 */
@Processor(QueueName.FileScan, { concurrency: 2 })
export class FileScanProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(FileScanProcessor.name);

  constructor(
    private readonly scans: FileScansService,
    private readonly clamd: ClamdService,
    private readonly config: AppConfig,
    @InjectQueue(QueueName.FileScan) private readonly queue: Queue,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.clamd.enabled) {
      // A scheduler left by an earlier configuration would sweep for nothing.
      await this.queue.removeJobScheduler(JobName.FileScanSweep).catch(() => undefined);
      return;
    }
    if (!(await scheduleEvery(this.queue, JobName.FileScanSweep, this.config.CLAMAV_SWEEP_SECONDS * 1000, 10))) {
      this.logger.warn('could not schedule the file scan sweep; it is scheduled again when a worker starts');
    }
  }

  async process(job: Job<ScanFileJobData>): Promise<unknown> {
    if (job.name === JobName.FileScanSweep) return this.scans.sweep();
    return this.scans.scan(job.data.attachmentId);
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn({ err: error }, '%s worker error (it reconnects by itself)', QueueName.FileScan);
  }
}

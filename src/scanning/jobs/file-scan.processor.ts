import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Job, Queue } from 'bullmq';
import { PeriodicWork, QueueProcessor } from '../../common/queue-processor';
import { AppConfig } from '../../config/app-config';
import { JobName, QueueName } from '../../queues';
import { ClamdService } from '../clamd.service';
import { FileScansService, ScanFileJobData } from '../file-scans.service';

/**
 * Runs `file-scan`: one job per arrived file right after it is stored, and a sweep every CLAMAV_SWEEP_SECONDS
 * (one scheduler shared by all workers) for the files that wait because clamd was away.
 */
@Processor(QueueName.FileScan, { concurrency: 2 })
export class FileScanProcessor extends QueueProcessor {
  constructor(
    private readonly scans: FileScansService,
    private readonly clamd: ClamdService,
    private readonly config: AppConfig,
    @InjectQueue(QueueName.FileScan) private readonly queue: Queue,
  ) {
    super(QueueName.FileScan, { queue });
  }

  override async onApplicationBootstrap(): Promise<void> {
    if (this.clamd.enabled) return super.onApplicationBootstrap();
    // A scheduler left by an earlier configuration would sweep for nothing.
    await this.queue.removeJobScheduler(JobName.FileScanSweep).catch(() => undefined);
  }

  /**
   * Listed whether or not clamd is configured, so a sweep job still in Redis from an earlier configuration is run
   * as a sweep (which finds nothing pending) rather than taken for a file's scan; it is scheduled only with clamd.
   */
  protected override periodic(): PeriodicWork[] {
    return [
      { job: JobName.FileScanSweep, everyMs: this.config.CLAMAV_SWEEP_SECONDS * 1000, keepFailed: 10, run: () => this.scans.sweep() },
    ];
  }

  protected override handle(job: Job<ScanFileJobData>): Promise<unknown> {
    return this.scans.scan(job.data.attachmentId);
  }
}

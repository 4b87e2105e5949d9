import { OnWorkerEvent, Processor } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { QueueProcessor } from '../../common/queue-processor';
import { QueueName } from '../../queues';
import { SubjectRequestRunner } from '../subject-request-runner';
import { SubjectRequestsService } from '../subject-requests.service';

export interface SubjectRequestJobData {
  requestId: string;
}

/** Answers subject requests (access archives, erasures) in the background; the job holds only the request's id. */
@Processor(QueueName.SubjectRequests, { concurrency: 2 })
export class SubjectRequestProcessor extends QueueProcessor {
  constructor(
    private readonly runner: SubjectRequestRunner,
    private readonly requests: SubjectRequestsService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    super(QueueName.SubjectRequests);
  }

  /**
   * Every unfinished request goes back on the queue when a worker starts (an existing job makes it a no-op): a
   * request whose job Redis lost, or that was never enqueued, still finishes.
   */
  override async onApplicationBootstrap(): Promise<void> {
    await super.onApplicationBootstrap();
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM subject_requests WHERE status IN ('queued', 'running') ORDER BY created_at`,
    );
    await this.requests.enqueue(rows.map((r) => r.id));
  }

  protected override async handle(job: Job<SubjectRequestJobData>): Promise<void> {
    await this.runner.run(job.data.requestId, (percent) => job.updateProgress(percent));
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job<SubjectRequestJobData> | undefined, error: Error): Promise<void> {
    if (!job) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    this.logger.warn({ err: error, request: job.data.requestId, attempt: job.attemptsMade, final }, 'subject request failed');
    if (final)
      await this.runner
        .fail(job.data.requestId, error)
        .catch((e) => this.logger.error({ err: e }, 'could not record a failed subject request'));
  }
}

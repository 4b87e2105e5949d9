import { InjectQueue, OnWorkerEvent, Processor } from '@nestjs/bullmq';
import { MicroBatcher, Settled } from '@lib/micro-batcher';
import { DelayedError, Job, Queue, UnrecoverableError } from 'bullmq';
import { PeriodicWork, QueueProcessor } from '../../common/queue-processor';
import { AppConfig } from '../../config/app-config';
import { MetricsService } from '../../metrics/metrics.service';
import { JobName, QueueName, QUICK_RECOVERY } from '../../queues';
import { MessageDeliveriesService } from '../../tickets/message-deliveries.service';
import { ChannelBusy, DeliveryRequest, isRecordedFailure, OutboundDeliveries } from '../outbound-deliveries';
import { OutboundService, SendMessageJobData } from '../outbound.service';

/**
 * Delivers stored outbound messages through their channel's sender, with retries and a status on the message.
 * Jobs stay one per message (their retries and backoff are BullMQ's), but many are held at once and delivered in
 * batches: a burst of acknowledgements costs two statements per batch instead of two per mail.
 */
@Processor(QueueName.Outbound, { ...QUICK_RECOVERY })
export class OutboundProcessor extends QueueProcessor {
  private readonly batcher: MicroBatcher<DeliveryRequest, Settled<string>>;

  constructor(
    deliver: OutboundDeliveries,
    private readonly deliveries: MessageDeliveriesService,
    private readonly outbound: OutboundService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    @InjectQueue(QueueName.Outbound) queue: Queue,
  ) {
    super(QueueName.Outbound, { queue, shutdownGraceMs: config.SHUTDOWN_GRACE_MS });
    this.batcher = new MicroBatcher((requests) => deliver.deliver(requests), {
      maxSize: config.OUTBOUND_BATCH_SIZE,
      maxWaitMs: config.OUTBOUND_BATCH_WAIT_MS,
    });
  }

  override async onApplicationBootstrap(): Promise<void> {
    this.worker.concurrency = this.config.OUTBOUND_CONCURRENCY;
    await super.onApplicationBootstrap();
    void this.sweep(0);
  }

  /** Replies whose job a Redis failover lost go out now, not at the next sweep. */
  protected override async reconnected(): Promise<void> {
    await this.sweep(0);
  }

  protected override periodic(): PeriodicWork[] {
    const every = this.config.OUTBOUND_SWEEP_INTERVAL_MS;
    return [{ job: JobName.OutboundSweep, everyMs: every, run: () => this.sweep(every) }];
  }

  protected override async handle(job: Job<SendMessageJobData>, token?: string): Promise<string> {
    const settled = await this.batcher.submit({
      messageId: job.data.messageId,
      // As BullMQ decides whether a failed job is tried again.
      lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
    });
    if (!settled.ok && settled.error instanceof ChannelBusy && token) {
      // Waits out of the worker's way, without using up one of its attempts.
      await job.moveToDelayed(Date.now() + settled.error.retryInMs, token);
      throw new DelayedError();
    }
    if (!settled.ok) throw settled.error;
    return settled.value;
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job<SendMessageJobData> | undefined, error: Error): Promise<void> {
    // A job held back while its channel was full failed nothing (no token to delay it with: a worker closing).
    if (!job || job.name === JobName.OutboundSweep || error instanceof ChannelBusy) return;
    const final =
      error instanceof UnrecoverableError || error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    this.logger.warn({ err: error, messageId: job.data.messageId, attempt: job.attemptsMade, final }, 'outbound message not delivered');
    // A deferred attempt is counted too: an SMTP server answering 421 for an hour shows on a dashboard, not only in logs.
    this.metrics.outboundMessages.inc({ channel: 'any', outcome: final ? 'failed' : 'deferred' });
    if (isRecordedFailure(error)) return; // its batch wrote it onto the message with the others
    await this.deliveries
      .record([{ messageId: job.data.messageId, sent: false, reason: error.message, final }])
      .catch((e) => this.logger.error({ err: e }, 'could not record a delivery failure'));
  }

  private async sweep(olderThanMs: number): Promise<void> {
    try {
      await this.outbound.requeueStuck(olderThanMs);
    } catch (error) {
      this.logger.warn({ err: error }, 'outbound sweep failed; will try again');
    }
  }
}

import { InjectQueue, OnWorkerEvent, Processor } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { Job, Queue, UnrecoverableError } from 'bullmq';
import { PeriodicWork, QueueProcessor } from '../../common/queue-processor';
import { AppConfig } from '../../config/app-config';
import { MetricsService } from '../../metrics/metrics.service';
import { JobName, QueueName } from '../../queues';
import { TicketMessagesService } from '../../tickets/ticket-messages.service';
import { CHANNEL_SENDERS, ChannelSender, PermanentDeliveryError } from '../channel-sender';
import { OutboundService, SendMessageJobData } from '../outbound.service';

/** Delivers stored outbound messages through their channel's sender, with retries and a status on the message. */
@Processor(QueueName.Outbound, { concurrency: 8 })
export class OutboundProcessor extends QueueProcessor {
  private readonly senders: Map<string, ChannelSender>;

  constructor(
    @Inject(CHANNEL_SENDERS) senders: ChannelSender[],
    private readonly messages: TicketMessagesService,
    private readonly outbound: OutboundService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    @InjectQueue(QueueName.Outbound) queue: Queue,
  ) {
    super(QueueName.Outbound, { queue });
    this.senders = new Map(senders.map((s) => [s.channel, s]));
  }

  override async onApplicationBootstrap(): Promise<void> {
    await super.onApplicationBootstrap();
    void this.sweep(0);
  }

  protected override periodic(): PeriodicWork[] {
    const every = this.config.OUTBOUND_SWEEP_INTERVAL_MS;
    return [{ job: JobName.OutboundSweep, everyMs: every, run: () => this.sweep(every) }];
  }

  protected override async handle(job: Job<SendMessageJobData>): Promise<string> {
    const envelope = await this.messages.loadEnvelope(job.data.messageId);
    if (!envelope) return 'nothing to send'; // already sent (a replayed job) or deleted
    const sender = this.senders.get(envelope.channel);
    if (!sender) throw new UnrecoverableError(`no sender is configured for the ${envelope.channel} channel`);
    try {
      const result = await sender.send(envelope);
      await this.messages.markSent(envelope.messageId, result.response);
      this.metrics.outboundMessages.inc({ channel: envelope.channel, outcome: 'sent' });
      return result.response;
    } catch (error) {
      if (error instanceof PermanentDeliveryError) throw new UnrecoverableError(error.message);
      throw error;
    }
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job<SendMessageJobData> | undefined, error: Error): Promise<void> {
    if (!job || job.name === JobName.OutboundSweep) return;
    const final =
      error instanceof UnrecoverableError || error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    this.logger.warn({ err: error, messageId: job.data.messageId, attempt: job.attemptsMade, final }, 'outbound message not delivered');
    // A deferred attempt is counted too: an SMTP server answering 421 for an hour shows on a dashboard, not only in logs.
    this.metrics.outboundMessages.inc({ channel: 'any', outcome: final ? 'failed' : 'deferred' });
    await this.messages
      .markFailed(job.data.messageId, error.message, final)
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

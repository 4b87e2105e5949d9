import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Inject, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { AppConfig } from '../../config/app-config';
import { MetricsService } from '../../metrics/metrics.service';
import { QueueName } from '../../queues';
import { TicketMessagesService } from '../../tickets/ticket-messages.service';
import { CHANNEL_SENDERS, ChannelSender, PermanentDeliveryError } from '../channel-sender';
import { OutboundService, SendMessageJobData } from '../outbound.service';

/** Delivers stored outbound messages through their channel's sender, with retries and a status on the message. */
@Processor(QueueName.Outbound, { concurrency: 8 })
export class OutboundProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboundProcessor.name);
  private readonly senders: Map<string, ChannelSender>;
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(CHANNEL_SENDERS) senders: ChannelSender[],
    private readonly messages: TicketMessagesService,
    private readonly outbound: OutboundService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {
    super();
    this.senders = new Map(senders.map((s) => [s.channel, s]));
  }

  onApplicationBootstrap(): void {
    const every = this.config.OUTBOUND_SWEEP_INTERVAL_MS;
    this.sweepTimer = setInterval(() => void this.sweep(every), every);
    this.sweepTimer.unref();
    void this.sweep(0);
  }

  onModuleDestroy(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  async process(job: Job<SendMessageJobData>): Promise<string> {
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

  /** A worker without an 'error' listener would crash the process on a Redis hiccup; it reconnects by itself. */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn({ err: error }, '%s worker error (it reconnects by itself)', 'outbound');
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job<SendMessageJobData> | undefined, error: Error): Promise<void> {
    if (!job) return;
    const final = error instanceof UnrecoverableError || error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    this.logger.warn({ err: error, messageId: job.data.messageId, attempt: job.attemptsMade, final }, 'outbound message not delivered');
    if (final) this.metrics.outboundMessages.inc({ channel: 'any', outcome: 'failed' });
    await this.messages.markFailed(job.data.messageId, error.message, final).catch((e) => this.logger.error({ err: e }, 'could not record a delivery failure'));
  }

  private async sweep(olderThanMs: number): Promise<void> {
    try {
      await this.outbound.requeueStuck(olderThanMs);
    } catch (error) {
      this.logger.warn({ err: error }, 'outbound sweep failed; will try again');
    }
  }
}

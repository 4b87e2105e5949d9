import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { batchOrOneByOne, MicroBatcher, Settled } from '@lib/micro-batcher';
import { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import type { InboundJobData } from '../../inbound/inbound-message';
import { InboundService } from '../../inbound/inbound.service';
import { OutboundService } from '../../outbound/outbound.service';
import { MetricsService } from '../../metrics/metrics.service';
import { QueueName } from '../../queues';
import { IngestResult, TicketIngestService } from '../ticket-ingest.service';
import { RealtimePublisher } from '../../realtime/realtime.publisher';
import { RoutingSignals } from '../../routing/routing-signals';


/**
 * Runs the `inbound` queue. Jobs are held concurrently and written to PostgreSQL in batches (one transaction
 * for many events); if a batch fails, its events are retried one by one so that one bad event cannot hold
 * back the others.
 */
@Processor(QueueName.Inbound)
export class InboundProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(InboundProcessor.name);
  private readonly batcher: MicroBatcher<InboundJobData, Settled<IngestResult>>;
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ingestService: TicketIngestService,
    private readonly inbound: InboundService,
    private readonly outbound: OutboundService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly realtime: RealtimePublisher,
    private readonly routing: RoutingSignals,
  ) {
    super();
    this.batcher = new MicroBatcher((events) => this.ingestBatch(events), {
      maxSize: config.INBOUND_BATCH_SIZE,
      maxWaitMs: config.INBOUND_BATCH_WAIT_MS,
    });
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.INBOUND_CONCURRENCY;
    // Accepted events whose job Redis lost are found in PostgreSQL and queued again.
    this.sweepTimer = setInterval(() => void this.sweep(), this.config.INBOUND_SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
    // At start, every accepted event is checked, whatever its age: jobs that exist make this a no-op.
    void this.sweep(0);
  }

  onModuleDestroy(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
  }

  /**
   * Stops taking jobs and finishes the ones in hand while PostgreSQL is still connected (the connections close
   * in the later shutdown phase). Past the grace period the rest are left to stall and be picked up again.
   */
  async beforeApplicationShutdown(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const graceful = this.worker.close().then(() => 'closed' as const);
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.config.SHUTDOWN_GRACE_MS)));
    const outcome = await Promise.race([graceful, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.logger.warn('jobs still running after the grace period; they will be retried by another worker');
      await this.worker.close(true);
    }
  }

  async process(job: Job<InboundJobData>): Promise<IngestResult> {
    const settled = await this.batcher.submit(job.data);
    if (!settled.ok) throw settled.error;
    const result = settled.value;
    this.metrics.inboundProcessed.inc({ channel: job.data.message.channel, outcome: result.outcome });
    if (result.acknowledgement && job.data.message.channel === 'email') {
      const mailbox = String(job.data.message.meta?.mailbox ?? 'unknown');
      this.metrics.emailMessages.inc({ mailbox, outcome: 'messageId' in result.acknowledgement ? 'auto_replied' : 'suppressed' });
    }
    return result;
  }

  /** A worker without an 'error' listener would crash the process on a Redis hiccup; it reconnects by itself. */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn({ err: error }, '%s worker error (it reconnects by itself)', 'inbound');
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job<InboundJobData> | undefined, error: Error): Promise<void> {
    if (!job) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    this.logger.warn({ err: error, eventId: job.data.eventId, attempt: job.attemptsMade, final }, 'inbound event failed');
    if (!final) return;
    this.metrics.inboundProcessed.inc({ channel: job.data.message.channel, outcome: 'failed' });
    await this.dataSource
      .query(`UPDATE inbound_events SET status = 'failed', attempts = $2, last_error = $3 WHERE id = $1 AND status = 'accepted'`, [
        job.data.eventId,
        job.attemptsMade,
        error.message.slice(0, 2000),
      ])
      .catch((e) => this.logger.error({ err: e }, 'could not record a failed inbound event'));
  }

  private async ingestBatch(events: InboundJobData[]): Promise<Array<Settled<IngestResult>>> {
    const results = await batchOrOneByOne(events, (batch) => this.ingestService.ingest(batch), (error, size) =>
      this.logger.warn({ err: error, size }, 'inbound batch failed; retrying its events one by one'),
    );
    // Acknowledgements were stored with their tickets; now that those are committed they can be sent.
    const acks = results.flatMap((r) => (r.ok && r.value.acknowledgement && 'messageId' in r.value.acknowledgement ? [r.value.acknowledgement.messageId] : []));
    await this.outbound.enqueue(acks);
    const placed = results.flatMap((r) => (r.ok && r.value.ticketId && r.value.outcome !== 'duplicate' && r.value.outcome !== 'dropped' ? [r.value] : []));
    if (placed.length > 0) {
      const opened = new Set(placed.filter((p) => p.outcome === 'created' || p.outcome === 'follow-up').map((p) => p.ticketId!));
      await this.realtime.ticketsChanged(placed.map((p) => p.ticketId!), (id) => (opened.has(id) ? 'created' : 'changed'));
      // New work, or work a customer's answer put back in the queue: someone online may take it now.
      await this.routing.offerWork('inbound');
    }
    return results;
  }

  private async sweep(olderThanMs = this.config.INBOUND_SWEEP_INTERVAL_MS): Promise<void> {
    try {
      const n = await this.inbound.requeuePending(olderThanMs);
      if (n > 0) this.logger.log({ count: n }, 'checked that every pending inbound event has a job');
    } catch (error) {
      this.logger.warn({ err: error }, 'inbound sweep failed; will try again');
    }
  }
}

import { InjectQueue, OnWorkerEvent, Processor } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import { batchOrOneByOne, MicroBatcher, Settled } from '@lib/micro-batcher';
import { Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import type { AcceptedEvent, InboundJobData } from '../inbound-message';
import { InboundService } from '../inbound.service';
import { MetricsService } from '../../metrics/metrics.service';
import { PeriodicWork, QueueProcessor } from '../../common/queue-processor';
import { JobName, QueueName, QUICK_RECOVERY } from '../../queues';
import { IngestResult, TicketIngestService } from '../../tickets/ticket-ingest.service';

/** What a job's run came to, with the event it placed (absent when an earlier run had placed it). */
interface Placed {
  result: IngestResult;
  event: AcceptedEvent | null;
}

/** Jobs queued before jobs carried their channel carry the whole message instead. */
const channelOf = (data: InboundJobData & { message?: { channel: InboundJobData['channel'] } }) => data.channel ?? data.message?.channel;

/**
 * Runs the `inbound` queue. Jobs are held concurrently; a batch's events are read in one statement and written in
 * one transaction. If a batch fails, its events are retried one by one so that one bad event cannot hold back the
 * others.
 */
@Processor(QueueName.Inbound, { ...QUICK_RECOVERY })
export class InboundProcessor extends QueueProcessor {
  private readonly batcher: MicroBatcher<string, Settled<Placed>>;

  constructor(
    private readonly ingestService: TicketIngestService,
    private readonly inbound: InboundService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QueueName.Inbound) queue: Queue,
  ) {
    super(QueueName.Inbound, { queue, shutdownGraceMs: config.SHUTDOWN_GRACE_MS });
    this.batcher = new MicroBatcher((eventIds) => this.ingestBatch(eventIds), {
      maxSize: config.INBOUND_BATCH_SIZE,
      maxWaitMs: config.INBOUND_BATCH_WAIT_MS,
    });
  }

  override async onApplicationBootstrap(): Promise<void> {
    this.worker.concurrency = this.config.INBOUND_CONCURRENCY;
    await super.onApplicationBootstrap();
    // At start, every accepted event is checked, whatever its age: jobs that exist make this a no-op.
    void this.sweep(0);
  }

  /** Events whose job a Redis failover lost are queued again now, not at the next sweep, up to two minutes later. */
  protected override async reconnected(): Promise<void> {
    await this.sweep(0);
  }

  /** Accepted events whose job Redis lost are found in PostgreSQL and queued again. */
  protected override periodic(): PeriodicWork[] {
    return [{ job: JobName.InboundSweep, everyMs: this.config.INBOUND_SWEEP_INTERVAL_MS, run: () => this.sweep() }];
  }

  protected override async handle(job: Job<InboundJobData>): Promise<IngestResult> {
    const settled = await this.batcher.submit(job.data.eventId);
    if (!settled.ok) throw settled.error;
    const { result, event } = settled.value;
    this.metrics.inboundProcessed.inc({ channel: channelOf(job.data), outcome: result.outcome });
    if (result.acknowledgement && event?.message.channel === 'email') {
      const given = event.message.meta?.mailbox;
      const mailbox = typeof given === 'string' ? given : 'unknown';
      this.metrics.emailMessages.inc({ mailbox, outcome: 'messageId' in result.acknowledgement ? 'auto_replied' : 'suppressed' });
    }
    return result;
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job<InboundJobData> | undefined, error: Error): Promise<void> {
    if (!job || job.name !== JobName.InboundMessage) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    this.logger.warn({ err: error, eventId: job.data.eventId, attempt: job.attemptsMade, final }, 'inbound event failed');
    if (!final) return;
    this.metrics.inboundProcessed.inc({ channel: channelOf(job.data), outcome: 'failed' });
    await this.dataSource
      .query(`UPDATE inbound_events SET status = 'failed', attempts = $2, last_error = $3 WHERE id = $1 AND status = 'accepted'`, [
        job.data.eventId,
        job.attemptsMade,
        error.message.slice(0, 2000),
      ])
      .catch((e) => this.logger.error({ err: e }, 'could not record a failed inbound event'));
  }

  private async ingestBatch(eventIds: string[]): Promise<Array<Settled<Placed>>> {
    const queued = await this.inbound.loadQueued(eventIds);
    const results = new Array<Settled<Placed>>(eventIds.length);
    const toPlace: Array<{ i: number; event: AcceptedEvent }> = [];
    eventIds.forEach((id, i) => {
      const state = queued.get(id);
      // Rows are never deleted (erasure blanks them), so this is a database restored from before the event.
      if (!state) results[i] = { ok: false, error: new Error(`inbound event ${id} is not in the database`) };
      else if (state.processed) {
        const { ticketId, messageId, reference } = state;
        results[i] = { ok: true, value: { result: { outcome: 'duplicate', ticketId, messageId, reference }, event: null } };
      } else toPlace.push({ i, event: state.event });
    });
    // Acknowledgements, ticket events and the routing pass leave with each committed ingest (TicketIngestService).
    const placed = await batchOrOneByOne(
      toPlace.map((p) => p.event),
      (batch) => this.ingestService.ingest(batch),
      (error, size) => this.logger.warn({ err: error, size }, 'inbound batch failed; retrying its events one by one'),
    );
    toPlace.forEach(({ i, event }, k) => {
      const settled = placed[k];
      results[i] = settled.ok ? { ok: true, value: { result: settled.value, event } } : settled;
    });
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

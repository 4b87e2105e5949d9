import { InjectQueue, OnWorkerEvent, Processor } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import { batchOrOneByOne, MicroBatcher, Settled } from '@lib/micro-batcher';
import { Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import type { AcceptedEvent, InboundEventsJobData, InboundJobData } from '../inbound-message';
import { InboundService } from '../inbound.service';
import { MetricsService } from '../../metrics/metrics.service';
import { PeriodicWork, QueueProcessor } from '../../common/queue-processor';
import { JobName, QueueName, QUICK_RECOVERY } from '../../queues';
import { IngestResult, TicketIngestService } from '../../tickets/ticket-ingest.service';

/** What an event's placing came to, with the event it placed (absent when an earlier run had placed it). */
interface Placed {
  result: IngestResult;
  channel: AcceptedEvent['message']['channel'];
  event: AcceptedEvent | null;
}

/** What a job of several events answers: how many ended how. Each event's own result is its row's. */
export interface InboundEventsResult {
  events: number;
  outcomes: Partial<Record<IngestResult['outcome'], number>>;
}

/**
 * Runs the `inbound` queue. Jobs are held concurrently, and the events of all the jobs in hand are batched together:
 * a batch's events are read in one statement and written in one transaction. If a batch fails, its events are
 * retried one by one so that one bad event cannot hold back the others; a job with an event that failed is retried,
 * and its events placed meanwhile are then answered as duplicates.
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

  protected override async handle(job: Job): Promise<unknown> {
    if (job.name === JobName.InboundEvents) return this.placeEvents(job as Job<InboundEventsJobData>);
    if (job.name === JobName.InboundMessage) return this.placeEvent(job as Job<InboundJobData>);
    return super.handle(job);
  }

  private async placeEvents(job: Job<InboundEventsJobData>): Promise<InboundEventsResult> {
    const { eventIds } = job.data;
    const settled = await Promise.all(eventIds.map((id) => this.batcher.submit(id)));
    const outcomes: InboundEventsResult['outcomes'] = {};
    const failures: Array<{ eventId: string; message: string }> = [];
    settled.forEach((s, k) => {
      if (!s.ok) {
        failures.push({ eventId: eventIds[k], message: s.error instanceof Error ? s.error.message : String(s.error) });
        return;
      }
      const { outcome } = s.value.result;
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      // A retried job finds the events its earlier run placed: they were counted then.
      if (s.value.event || job.attemptsMade === 0) this.count(s.value);
    });
    if (failures.length === 0) return { events: eventIds.length, outcomes };
    // Each event is marked with its own error when the job gives up; the job's failure can only name one of them.
    if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
      await this.recordFailed(
        failures.map((f) => f.eventId),
        job.attemptsMade + 1,
        failures.map((f) => f.message),
      );
    }
    throw new Error(`${failures.length} of ${eventIds.length} inbound events failed; the first: ${failures[0].message}`);
  }

  private async placeEvent(job: Job<InboundJobData>): Promise<IngestResult> {
    const settled = await this.batcher.submit(job.data.eventId);
    if (!settled.ok) throw settled.error;
    this.count(settled.value);
    return settled.value.result;
  }

  private count({ result, channel, event }: Placed): void {
    this.metrics.inboundProcessed.inc({ channel, outcome: result.outcome });
    if (result.acknowledgement && event?.message.channel === 'email') {
      const given = event.message.meta?.mailbox;
      const mailbox = typeof given === 'string' ? given : 'unknown';
      this.metrics.emailMessages.inc({ mailbox, outcome: 'messageId' in result.acknowledgement ? 'auto_replied' : 'suppressed' });
    }
  }

  /**
   * The events of a job BullMQ gave up on are marked failed, unless placed: those its last run failed with their own
   * errors, and those of a job that stalled too often (its workers were killed) with that. The pending sweep then
   * leaves them to staff.
   */
  @OnWorkerEvent('failed')
  async onFailed(job: Job<InboundEventsJobData | InboundJobData> | undefined, error: Error): Promise<void> {
    if (!job || (job.name !== JobName.InboundEvents && job.name !== JobName.InboundMessage)) return;
    const eventIds = 'eventIds' in job.data ? job.data.eventIds : [job.data.eventId];
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    this.logger.warn({ err: error, jobId: job.id, events: eventIds.length, attempt: job.attemptsMade, final }, 'inbound job failed');
    if (final)
      await this.recordFailed(
        eventIds,
        job.attemptsMade,
        eventIds.map(() => error.message),
      );
  }

  private async recordFailed(eventIds: string[], attempts: number, errors: string[]): Promise<void> {
    try {
      const marked: Array<{ channel: Placed['channel'] }> = await this.dataSource.query(
        `UPDATE inbound_events e SET status = 'failed', attempts = $2, last_error = u.error
         FROM unnest($1::uuid[], $3::text[]) AS u(id, error)
         WHERE e.id = u.id AND e.status = 'accepted'
         RETURNING e.channel`,
        [eventIds, attempts, errors.map((e) => e.slice(0, 2000))],
      );
      for (const { channel } of marked) this.metrics.inboundProcessed.inc({ channel, outcome: 'failed' });
    } catch (e) {
      this.logger.error({ err: e }, 'could not record failed inbound events');
    }
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
        const { channel, ticketId, messageId, reference } = state;
        results[i] = { ok: true, value: { result: { outcome: 'duplicate', ticketId, messageId, reference }, channel, event: null } };
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
      results[i] = settled.ok ? { ok: true, value: { result: settled.value, channel: event.message.channel, event } } : settled;
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

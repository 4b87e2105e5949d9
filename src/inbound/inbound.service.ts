import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { referenceYear } from '@lib/ticket-reference';
import { JobsOptions, Queue } from 'bullmq';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { JobName, QueueName, retryFailed } from '../queues';
import { TicketReferenceService } from '../tickets/ticket-reference.service';
import { batchOrOneByOne, MicroBatcher, Settled } from '@lib/micro-batcher';
import { AcceptedEvent, AcceptResult, InboundEventsJobData, InboundMessage } from './inbound-message';
import { toStorableText } from '../common/storable-text';
import { FileScansService } from '../scanning/file-scans.service';
import { withTimeout } from '../common/with-timeout';

// Retries from 1 s: a batch that failed while PostgreSQL restarted is written a second after it is back, not after
// the 2 + 4 + 8 s the soak saw; ten attempts still cover 17 minutes of an outage before an event is marked failed.
export const INBOUND_JOB_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: { age: 14 * 24 * 3600 },
};

/** While Redis is away its client queues commands; the channel must not wait for it, the sweep will catch up. */
const ENQUEUE_TIMEOUT_MS = 2000;

/** A queued event as its job finds it: still to be placed, or placed already by an earlier run. */
export type QueuedEventState =
  | { processed: false; event: AcceptedEvent }
  | { processed: true; channel: InboundMessage['channel']; ticketId: string | null; messageId: string | null; reference: string | null };

/** A job to add: its id, and the events it holds. */
interface EventsJob {
  jobId: string;
  eventIds: string[];
}

/** A waiting event as the sweep and a replay read it: enough to name its job. */
interface PendingEvent {
  id: string;
  channel: InboundMessage['channel'];
  external_id: string;
  received_at: Date;
  batch_id: string | null;
}

/**
 * The id of an event's job as versions before batches named it, and still the id of the job of an event accepted
 * then. BullMQ ids may not contain ':' and external ids can hold anything (Message-IDs do), so the id is a hash.
 */
export function inboundJobId(channel: string, externalId: string): string {
  return `${channel}-${createHash('sha256').update(`${channel}\n${externalId}`).digest('hex').slice(0, 40)}`;
}

const batchJobId = (batchId: string) => `events-${batchId}`;

/** The id of the job that holds an event: its batch's, or for an event accepted before batches, its own. */
export function inboundJobIdOf(event: { batchId: string | null; channel: string; externalId: string }): string {
  return event.batchId ? batchJobId(event.batchId) : inboundJobId(event.channel, event.externalId);
}

/**
 * The door of the shared inbound pipeline. A channel adapter that has verified and validated its input hands
 * it here; the event is written to PostgreSQL (so acceptance survives the loss of Redis), put on the `inbound`
 * queue, and the adapter can answer at once. Safe to call any number of times with the same event.
 */
@Injectable()
export class InboundService {
  private readonly logger = new Logger(InboundService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QueueName.Inbound) private readonly queue: Queue<InboundEventsJobData>,
    private readonly references: TicketReferenceService,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly scans: FileScansService,
  ) {}

  /**
   * Concurrent requests are written together: one INSERT and one enqueue for all the events that arrive while
   * the batches before them are being written, instead of a commit per request. A lone event goes at once (no
   * timer: it was 2 ms, on every web form and every call's end); under load the batches grow instead of their
   * number. Two batches at a time, so that one's INSERT overlaps the other's enqueue. Each caller still gets
   * its own answer.
   */
  private readonly acceptBatcher = new MicroBatcher<{ message: InboundMessage; reserveReference: boolean }, Settled<AcceptResult>>(
    (items) => this.acceptGrouped(items),
    { maxSize: 200, maxWaitMs: 0, maxInFlight: 2 },
  );

  /** Whether the event is in already: lets a channel skip costly work (fetching a file) on a replayed delivery. */
  async isAccepted(channel: InboundMessage['channel'], externalId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM inbound_events WHERE channel = $1 AND external_id = $2`, [
      channel,
      externalId,
    ]);
    return rows.length > 0;
  }

  async accept(message: InboundMessage, options: { reserveReference?: boolean } = {}): Promise<AcceptResult> {
    const settled = await this.acceptBatcher.submit({ message, reserveReference: options.reserveReference ?? false });
    if (!settled.ok) throw settled.error;
    return settled.value;
  }

  private async acceptGrouped(items: Array<{ message: InboundMessage; reserveReference: boolean }>): Promise<Array<Settled<AcceptResult>>> {
    const results = new Array<Settled<AcceptResult>>(items.length);
    for (const reserve of [true, false]) {
      const group = items.map((item, i) => ({ item, i })).filter(({ item }) => item.reserveReference === reserve);
      if (group.length === 0) continue;
      // One bad event must not fail its neighbours: on a failed batch, each event is tried alone.
      const settled = await batchOrOneByOne(
        group.map(({ item }) => item.message),
        (messages) => this.acceptMany(messages, { reserveReference: reserve }),
        (error, size) => this.logger.warn({ err: error, size }, 'accept batch failed; accepted one by one'),
      );
      group.forEach(({ i }, k) => (results[i] = settled[k]));
    }
    return results;
  }

  /**
   * Accepts several events in one round trip (an IMAP chunk): one multi-row insert, and one job that holds the
   * events it inserted. The result for each event is the same as `accept` would give it, in the same order.
   */
  async acceptMany(messages: InboundMessage[], options: { reserveReference?: boolean } = {}): Promise<AcceptResult[]> {
    if (messages.length === 0) return [];
    const receivedAt = new Date();
    const batchId = randomUUID();
    const prepared = messages.map((message) => {
      const attachments = message.attachments ?? [];
      const attachmentIds = attachments.map(() => randomUUID());
      const { attachments: _contents, ...rest } = message;
      // PostgreSQL cannot store NUL or half a surrogate pair; nobody meant one, so it goes rather than the whole
      // event. Cleaned in the strings, not in the serialised JSON, where a typed "\u0000" is text like any other.
      const json = JSON.stringify({ ...rest, attachmentIds }, (_key, value: unknown) =>
        typeof value === 'string' ? toStorableText(value) : value,
      );
      // Half a surrogate pair in an id is stored as U+FFFD (pg's UTF-8 encoding of a text parameter makes it so), and a
      // replay, the job's id and the sweep go by what was stored.
      const storedId = message.externalId.toWellFormed();
      return { eventId: randomUUID(), message, storedId, attachments, attachmentIds, json };
    });
    // The year's sequence is made (once a year) before any transaction holds a connection.
    if (options.reserveReference) await this.references.ensureSequence(referenceYear(receivedAt));
    const storedFiles: string[] = [];
    const insertEvents = async (manager: EntityManager) => {
      storedFiles.length = 0; // a retried transaction starts again
      // The references are drawn by the insert itself (one statement, not a nextval round trip before it). Numbers
      // drawn for events that turn out to be replays leave gaps, as a rolled-back transaction's do.
      const reference = options.reserveReference ? this.references.referenceSql(receivedAt) : 'NULL::text';
      // The rows go as one JSON document holding each payload as it was serialised above: as text arrays, pg
      // escaped every character of every payload once more (6 µs per web form), and PostgreSQL parses either in the
      // same time.
      const rows: Array<{ id: string; reference: string | null }> = await manager.query(
        `INSERT INTO inbound_events (id, channel, external_id, received_at, payload, reference, batch_id)
         SELECT u.id, u.channel, u.external_id, $2::timestamptz, u.payload, ${reference}, $3::uuid
         FROM json_to_recordset($1::json) AS u(id uuid, channel text, external_id text, payload jsonb)
         ON CONFLICT (channel, external_id) DO NOTHING
         RETURNING id, reference`,
        [
          `[${prepared
            .map(
              (p) =>
                `{"id":"${p.eventId}","channel":${JSON.stringify(p.message.channel)},"external_id":${JSON.stringify(p.storedId)},"payload":${p.json}}`,
            )
            .join(',')}]`,
          receivedAt,
          batchId,
        ],
      );
      const inserted = new Map(rows.map((r) => [r.id, r.reference]));
      const files = prepared
        .filter((p) => inserted.has(p.eventId))
        .flatMap((p) => p.attachments.map((a, i) => ({ a, id: p.attachmentIds[i], eventId: p.eventId })));
      if (files.length > 0) {
        await manager.query(
          `INSERT INTO attachments (id, inbound_event_id, filename, content_type, size, sha256, content, scan_status)
           SELECT *, $8::text FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::int[], $6::text[], $7::bytea[])`,
          [
            files.map((f) => f.id),
            files.map((f) => f.eventId),
            files.map((f) => f.a.filename),
            files.map((f) => f.a.contentType),
            files.map((f) => f.a.content.length),
            files.map((f) => createHash('sha256').update(f.a.content).digest('hex')),
            files.map((f) => f.a.content),
            this.scans.initialStatus(),
          ],
        );
        storedFiles.push(...files.map((f) => f.id));
      }
      return inserted;
    };
    // The events' INSERT is all or nothing by itself, however many it holds: only files, a second statement, need a
    // transaction to go with it (a BEGIN and a COMMIT more for every batch of calls or web forms otherwise).
    const withFiles = prepared.some((p) => p.attachments.length > 0);
    const inserted = withFiles ? await this.dataSource.transaction(insertEvents) : await insertEvents(this.dataSource.manager);

    await this.scans.requestScans(storedFiles);
    const fresh = prepared.filter((p) => inserted.has(p.eventId));
    const replayed = prepared.filter((p) => !inserted.has(p.eventId));
    for (const p of fresh) this.metrics.inboundEvents.inc({ channel: p.message.channel, outcome: 'accepted', reason: '' });
    if (fresh.length > 0) await this.enqueue([{ jobId: batchJobId(batchId), eventIds: fresh.map((p) => p.eventId) }]);
    const duplicates = await this.acceptDuplicates(replayed.map((p) => p.message));
    return prepared.map((p) =>
      inserted.has(p.eventId)
        ? { eventId: p.eventId, reference: inserted.get(p.eventId) ?? null, status: 'accepted' as const, duplicate: false }
        : duplicates.get(`${p.message.channel}\u001f${p.storedId}`)!,
    );
  }

  /**
   * The events of a batch of jobs, read in one statement. An event processed already (a job run again) comes with
   * what it became and without its content, which an erasure may have blanked since: its ticket and message, and the
   * reference reserved when it was accepted (a web form's or a call's; the ticket's reference is the tickets module's
   * to read). An id without a row is left out of the map.
   */
  async loadQueued(eventIds: string[]): Promise<Map<string, QueuedEventState>> {
    const rows: Array<{
      id: string;
      channel: InboundMessage['channel'];
      status: AcceptResult['status'];
      received_at: Date;
      reference: string | null;
      payload: AcceptedEvent['message'] | null;
      ticket_id: string | null;
      message_id: string | null;
    }> = await this.dataSource.query(
      `SELECT id, channel, status, received_at, reference, CASE WHEN status <> 'processed' THEN payload END AS payload, ticket_id, message_id
       FROM inbound_events WHERE id = ANY($1::uuid[])`,
      [eventIds],
    );
    return new Map(
      rows.map((row): [string, QueuedEventState] => [
        row.id,
        row.status === 'processed'
          ? { processed: true, channel: row.channel, ticketId: row.ticket_id, messageId: row.message_id, reference: row.reference }
          : {
              processed: false,
              event: { eventId: row.id, receivedAt: row.received_at.toISOString(), reference: row.reference, message: row.payload! },
            },
      ]),
    );
  }

  /**
   * Puts accepted events whose job may have been lost (Redis restarted without its data) back on the queue.
   * Adding a job whose id exists is a no-op, so this is safe to run at any time, from any number of workers.
   * Returns how many pending events were checked.
   */
  async requeuePending(olderThanMs = 30_000, pageSize = 1000): Promise<number> {
    let checked = 0;
    let after: { receivedAt: Date; id: string } | null = null;
    for (;;) {
      const rows: PendingEvent[] = await this.dataSource.query(
        `SELECT id, received_at, channel, external_id, batch_id FROM inbound_events
         WHERE status = 'accepted' AND received_at < now() - make_interval(secs => $1)
           AND ($2::timestamptz IS NULL OR (received_at, id) > ($2::timestamptz, $3::uuid))
         ORDER BY received_at, id LIMIT $4`,
        [olderThanMs / 1000, after?.receivedAt ?? null, after?.id ?? null, pageSize],
      );
      if (rows.length === 0) return checked;
      await this.retryFailedJobs(await this.requeue(rows));
      checked += rows.length;
      const last = rows[rows.length - 1];
      after = { receivedAt: last.received_at, id: last.id };
      if (rows.length < pageSize) return checked;
    }
  }

  /**
   * Makes sure the jobs of these waiting events exist, and returns their ids. A batch's job that Redis lost is made
   * again with every event of the batch still waiting, not just those given: once it exists, adding it is a no-op,
   * so an event of the batch left out now (on the sweep's next page, or not replayed) would wait for ever.
   */
  private async requeue(pending: PendingEvent[]): Promise<string[]> {
    if (pending.length === 0) return [];
    const jobs = new Map<string, EventsJob>();
    const add = (jobId: string, eventId: string) => {
      const job = jobs.get(jobId) ?? { jobId, eventIds: [] };
      job.eventIds.push(eventId);
      jobs.set(jobId, job);
    };
    const batches = new Map<string, Date>(); // batch id → the received_at all its events share
    for (const e of pending) {
      if (e.batch_id) batches.set(e.batch_id, e.received_at);
      else add(inboundJobId(e.channel, e.external_id), e.id);
    }
    if (batches.size > 0) {
      // Found through the pending events' index on received_at.
      const members: Array<{ id: string; batch_id: string }> = await this.dataSource.query(
        `SELECT e.id, e.batch_id FROM inbound_events e
           JOIN unnest($1::timestamptz[], $2::uuid[]) AS b(received_at, batch_id)
             ON e.received_at = b.received_at AND e.batch_id = b.batch_id
         WHERE e.status = 'accepted'
         ORDER BY e.id`,
        [[...batches.values()], [...batches.keys()]],
      );
      for (const m of members) add(batchJobId(m.batch_id), m.id);
    }
    await this.enqueue([...jobs.values()]);
    return [...jobs.keys()];
  }

  private async acceptDuplicates(messages: InboundMessage[]): Promise<Map<string, AcceptResult>> {
    const out = new Map<string, AcceptResult>();
    if (messages.length === 0) return out;
    for (const m of messages) this.metrics.inboundEvents.inc({ channel: m.channel, outcome: 'duplicate', reason: '' });
    const rows: Array<PendingEvent & { reference: string | null; status: AcceptResult['status'] }> = await this.dataSource.query(
      `SELECT e.id, e.channel, e.external_id, e.reference, e.status, e.received_at, e.batch_id
         FROM inbound_events e JOIN unnest($1::text[], $2::text[]) AS k(channel, external_id)
           ON e.channel = k.channel AND e.external_id = k.external_id`,
      [messages.map((m) => m.channel), messages.map((m) => m.externalId)],
    );
    // A replay of something not yet processed: make sure its job exists (a no-op when it does).
    await this.requeue(rows.filter((r) => r.status === 'accepted'));
    for (const r of rows) {
      out.set(`${r.channel}\u001f${r.external_id}`, { eventId: r.id, reference: r.reference, status: r.status, duplicate: true });
    }
    return out;
  }

  /**
   * An event still accepted whose job BullMQ has failed: one that stalled too often (the workers holding it were
   * killed), or whose last failure could not be written to PostgreSQL. An event that truly fails every try ends
   * marked failed by the job's last failure, and the sweep leaves it.
   */
  private async retryFailedJobs(jobIds: string[]): Promise<void> {
    try {
      const retried = await retryFailed(this.queue, jobIds);
      if (retried.length > 0) this.logger.warn({ count: retried.length }, 'accepted events whose jobs had failed are tried again');
    } catch (error) {
      this.logger.warn({ err: error }, 'could not look for failed jobs of accepted events; the next sweep tries again');
    }
  }

  private async enqueue(jobs: EventsJob[]): Promise<void> {
    if (jobs.length === 0) return;
    try {
      await withTimeout(
        this.queue.addBulk(
          jobs.map(({ jobId, eventIds }) => ({
            name: JobName.InboundEvents,
            data: { eventIds },
            opts: { ...INBOUND_JOB_OPTIONS, jobId },
          })),
        ),
        ENQUEUE_TIMEOUT_MS,
        'Redis',
      );
    } catch (error) {
      // The events are safe in PostgreSQL; the pending sweep will enqueue them once Redis answers again.
      this.logger.warn(
        { err: error, count: jobs.reduce((n, job) => n + job.eventIds.length, 0) },
        'could not enqueue accepted inbound events',
      );
    }
  }
}

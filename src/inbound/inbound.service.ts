import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { referenceYear } from '@lib/ticket-reference';
import { JobsOptions, Queue } from 'bullmq';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { JobName, QueueName } from '../queues';
import { TicketReferenceService } from '../tickets/ticket-reference.service';
import { AcceptResult, InboundJobData, InboundMessage } from './inbound-message';

export const INBOUND_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: { age: 14 * 24 * 3600 },
};

/** BullMQ ids may not contain ':' and external ids can hold anything (Message-IDs do), so the id is a hash. */
export function inboundJobId(channel: string, externalId: string): string {
  return `${channel}-${createHash('sha256').update(`${channel}\n${externalId}`).digest('hex').slice(0, 40)}`;
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
    @InjectQueue(QueueName.Inbound) private readonly queue: Queue<InboundJobData>,
    private readonly references: TicketReferenceService,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  async accept(message: InboundMessage, options: { reserveReference?: boolean } = {}): Promise<AcceptResult> {
    const eventId = randomUUID();
    const receivedAt = new Date();
    const attachments = message.attachments ?? [];
    const attachmentIds = attachments.map(() => randomUUID());
    const { attachments: _contents, ...rest } = message;
    const payload = { ...rest, attachmentIds };

    const year = referenceYear(receivedAt);
    const sequence = options.reserveReference ? await this.references.ensureSequence(year) : null;
    const referencePrefix = `${this.config.TICKET_REFERENCE_PREFIX}-${year}-`;

    const insertEvent = async (manager: EntityManager) => {
      const rows: Array<{ reference: string | null }> = await manager.query(
        `INSERT INTO inbound_events (id, channel, external_id, received_at, payload, reference)
         SELECT $1::uuid, $2::text, $3::text, $4::timestamptz, $5::jsonb,
                CASE WHEN s.n IS NULL THEN NULL
                     ELSE $6::text || CASE WHEN s.n < 1000000 THEN lpad(s.n::text, 6, '0') ELSE s.n::text END END
         FROM (SELECT CASE WHEN $7::text IS NULL THEN NULL ELSE nextval($7::regclass) END AS n) s
         ON CONFLICT (channel, external_id) DO NOTHING
         RETURNING reference`,
        [eventId, message.channel, message.externalId, receivedAt, JSON.stringify(payload), referencePrefix, sequence],
      );
      return rows[0] ?? null;
    };
    // Without files one statement is enough (and is the common case); files are written in the same transaction.
    const inserted =
      attachments.length === 0
        ? await insertEvent(this.dataSource.manager)
        : await this.dataSource.transaction(async (manager) => {
            const row = await insertEvent(manager);
            if (row) {
              await manager.query(
                `INSERT INTO attachments (id, inbound_event_id, filename, content_type, size, sha256, content)
                 SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::int[], $6::text[], $7::bytea[])`,
                [
                  attachmentIds,
                  attachments.map(() => eventId),
                  attachments.map((a) => a.filename),
                  attachments.map((a) => a.contentType),
                  attachments.map((a) => a.content.length),
                  attachments.map((a) => createHash('sha256').update(a.content).digest('hex')),
                  attachments.map((a) => a.content),
                ],
              );
            }
            return row;
          });

    if (!inserted) return this.acceptDuplicate(message);

    this.metrics.inboundEvents.inc({ channel: message.channel, outcome: 'accepted', reason: '' });
    await this.enqueue({ eventId, receivedAt: receivedAt.toISOString(), reference: inserted.reference, message: payload });
    return { eventId, reference: inserted.reference, status: 'accepted', duplicate: false };
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
      const rows: Array<{ id: string; received_at: Date; reference: string | null; payload: InboundJobData['message'] }> =
        await this.dataSource.query(
          `SELECT id, received_at, reference, payload FROM inbound_events
           WHERE status = 'accepted' AND received_at < now() - make_interval(secs => $1)
             AND ($2::timestamptz IS NULL OR (received_at, id) > ($2::timestamptz, $3::uuid))
           ORDER BY received_at, id LIMIT $4`,
          [olderThanMs / 1000, after?.receivedAt ?? null, after?.id ?? null, pageSize],
        );
      if (rows.length === 0) return checked;
      await this.queue.addBulk(
        rows.map((row) => ({
          name: JobName.InboundMessage,
          data: { eventId: row.id, receivedAt: row.received_at.toISOString(), reference: row.reference, message: row.payload },
          opts: { ...INBOUND_JOB_OPTIONS, jobId: inboundJobId(row.payload.channel, row.payload.externalId) },
        })),
      );
      checked += rows.length;
      const last = rows[rows.length - 1];
      after = { receivedAt: last.received_at, id: last.id };
      if (rows.length < pageSize) return checked;
    }
  }

  private async acceptDuplicate(message: InboundMessage): Promise<AcceptResult> {
    this.metrics.inboundEvents.inc({ channel: message.channel, outcome: 'duplicate', reason: '' });
    const [row]: Array<{ id: string; received_at: Date; reference: string | null; status: AcceptResult['status']; payload: InboundJobData['message'] }> =
      await this.dataSource.query(
        'SELECT id, received_at, reference, status, payload FROM inbound_events WHERE channel = $1 AND external_id = $2',
        [message.channel, message.externalId],
      );
    if (row.status === 'accepted') {
      // A replay of something not yet processed: make sure its job exists (a no-op when it does).
      await this.enqueue({ eventId: row.id, receivedAt: row.received_at.toISOString(), reference: row.reference, message: row.payload });
    }
    return { eventId: row.id, reference: row.reference, status: row.status, duplicate: true };
  }

  private async enqueue(data: InboundJobData): Promise<void> {
    try {
      await this.queue.add(JobName.InboundMessage, data, {
        ...INBOUND_JOB_OPTIONS,
        jobId: inboundJobId(data.message.channel, data.message.externalId),
      });
    } catch (error) {
      // The event is safe in PostgreSQL; the pending sweep will enqueue it once Redis answers again.
      this.logger.warn({ err: error, eventId: data.eventId }, 'could not enqueue an accepted inbound event');
    }
  }
}

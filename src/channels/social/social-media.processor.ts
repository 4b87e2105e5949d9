import { OnWorkerEvent, Processor } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import { Job } from 'bullmq';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { MetricsService } from '../../metrics/metrics.service';
import { QueueProcessor } from '../../common/queue-processor';
import { QueueName, QUICK_RECOVERY } from '../../queues';
import { RealtimePublisher } from '../../realtime/realtime.publisher';
import { DownloadFailure } from '../../common/download';
import { FileScansService } from '../../scanning/file-scans.service';
import { SocialMediaFetcher } from './social-media-fetcher';
import { socialAttachmentId, socialMediaFilename, SocialMediaJobData } from './social-media';

/** What the message's meta says of one file, beside the platform's reference (shown as remoteAttachments). */
type MediaOutcome =
  { stored: true; attachmentId: string; filename: string; contentType: string; size: number } | { stored: false; reason: string };

export interface SocialMediaResult {
  stored: number;
  notStored: number;
}

/**
 * Runs `social-media`: fetches the files of an accepted social message from the platform and keeps them as the
 * message's attachments, so an operator can open a photo of a document and a Meta CDN link that expires is not
 * all that remains. It waits for the pipeline to have stored the message (failing, to be retried with backoff,
 * until it has). Each file is decided once: stored, or not stored for a reason recorded on the message; only
 * transient failures (5xx, network) are tried again, and on the last attempt they are recorded as well.
 */
@Processor(QueueName.SocialMedia, { ...QUICK_RECOVERY, concurrency: 4 })
export class SocialMediaProcessor extends QueueProcessor {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly fetcher: SocialMediaFetcher,
    private readonly metrics: MetricsService,
    private readonly realtime: RealtimePublisher,
    private readonly scans: FileScansService,
  ) {
    super(QueueName.SocialMedia);
  }

  protected override async handle(job: Job<SocialMediaJobData>): Promise<SocialMediaResult> {
    const { eventId, platform, attachments } = job.data;
    const [event]: Array<{ status: string; message_id: string | null }> = await this.dataSource.query(
      `SELECT status, message_id FROM inbound_events WHERE id = $1`,
      [eventId],
    );
    if (event?.status === 'accepted') throw new Error('the message is not stored yet; waiting for the inbound pipeline');
    const [message]: Array<{ id: string; ticket_id: string; meta: { attachments?: Array<Record<string, unknown>> } | null }> =
      event?.message_id ? await this.dataSource.query(`SELECT id, ticket_id, meta FROM messages WHERE id = $1`, [event.message_id]) : [];
    if (!message) {
      // Dropped or failed in the pipeline: there is no message to keep files for.
      this.logger.warn({ eventId, status: event?.status ?? 'missing' }, 'social files not fetched: the event made no message');
      return { stored: 0, notStored: 0 };
    }

    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const decided = message.meta?.attachments ?? [];
    let stored = 0;
    let notStored = 0;
    let retry: DownloadFailure | null = null;
    for (const [index, attachment] of attachments.entries()) {
      if (typeof decided[index]?.stored === 'boolean') continue; // an earlier attempt settled it
      let outcome: MediaOutcome;
      try {
        const media = await this.fetcher.fetch(platform, attachment);
        const id = socialAttachmentId(eventId, index);
        const filename = socialMediaFilename(platform, attachment, index, media.type);
        outcome = { stored: true, attachmentId: id, filename, contentType: media.type.mime, size: media.content.length };
        await this.dataSource.transaction(async (m) => {
          await m.query(
            `INSERT INTO attachments (id, message_id, inbound_event_id, filename, content_type, size, sha256, content, scan_status)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
            [
              id,
              message.id,
              eventId,
              filename,
              media.type.mime,
              media.content.length,
              createHash('sha256').update(media.content).digest('hex'),
              media.content,
              this.scans.initialStatus(),
            ],
          );
          await this.record(m, message.id, index, outcome);
        });
        await this.scans.requestScans([id]);
        stored++;
      } catch (error) {
        if (!(error instanceof DownloadFailure)) throw error; // the database: the job is retried as a whole
        if (!error.permanent && !last) {
          retry = error;
          continue;
        }
        outcome = { stored: false, reason: error.reason };
        await this.record(this.dataSource.manager, message.id, index, outcome);
        notStored++;
        this.logger.warn(
          { eventId, platform, index, type: attachment.type, reason: error.reason },
          'a file sent on a social channel was not stored; the message keeps its reference',
        );
      }
      this.metrics.socialMedia.inc({
        platform,
        outcome: outcome.stored ? 'stored' : 'not_stored',
        reason: outcome.stored ? '' : outcome.reason,
      });
    }
    if (stored + notStored > 0) await this.realtime.ticketsChanged([message.ticket_id]);
    if (retry) {
      this.metrics.socialMedia.inc({ platform, outcome: 'retried', reason: retry.reason });
      throw new Error(`a file could not be fetched yet (${retry.reason}); retrying`);
    }
    return { stored, notStored };
  }

  /** Merges the outcome into the file's entry of meta.attachments in place, in one statement. */
  private async record(m: { query: DataSource['query'] }, messageId: string, index: number, outcome: MediaOutcome): Promise<void> {
    await m.query(
      `UPDATE messages SET meta = jsonb_set(meta, ARRAY['attachments', $2::text], COALESCE(meta->'attachments'->$2::int, '{}'::jsonb) || $3::jsonb)
       WHERE id = $1 AND jsonb_typeof(meta->'attachments') = 'array'`,
      [messageId, index, JSON.stringify(outcome)],
    );
  }

  /**
   * On the last failure (the pipeline never stored the message in time, or the database kept failing), files not
   * yet decided are recorded as not stored, so the operator is not left to believe they are on their way.
   */
  @OnWorkerEvent('failed')
  async onFailed(job: Job<SocialMediaJobData> | undefined, error: Error): Promise<void> {
    if (!job) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    if (!final) {
      this.logger.debug(
        { eventId: job.data.eventId, attempt: job.attemptsMade, reason: error.message },
        'social files job will be retried',
      );
      return;
    }
    this.logger.warn({ err: error, eventId: job.data.eventId, attempts: job.attemptsMade }, 'social files job gave up');
    try {
      const rows: Array<{ ticket_id: string; n: number }> = await this.dataSource.query(
        `WITH target AS (
           SELECT m.id, m.ticket_id, m.meta FROM messages m JOIN inbound_events e ON e.message_id = m.id
           WHERE e.id = $1 AND jsonb_typeof(m.meta->'attachments') = 'array'
         ), entries AS (
           SELECT t.id, jsonb_agg(CASE WHEN x.e ? 'stored' THEN x.e ELSE x.e || $2::jsonb END ORDER BY x.i) AS list,
                  count(*) FILTER (WHERE NOT x.e ? 'stored') AS n
           FROM target t, jsonb_array_elements(t.meta->'attachments') WITH ORDINALITY AS x(e, i) GROUP BY t.id
         ), updated AS (
           UPDATE messages m SET meta = jsonb_set(m.meta, '{attachments}', entries.list)
           FROM entries, target WHERE m.id = entries.id AND target.id = m.id AND entries.n > 0
           RETURNING target.ticket_id, entries.n::int AS n
         )
         -- A SELECT, so the driver answers with the rows (an UPDATE's answer comes back wrapped with its count).
         SELECT ticket_id, n FROM updated`,
        [job.data.eventId, JSON.stringify({ stored: false, reason: 'gave_up' })],
      );
      for (const row of rows) {
        this.metrics.socialMedia.inc({ platform: job.data.platform, outcome: 'not_stored', reason: 'gave_up' }, row.n);
        await this.realtime.ticketsChanged([row.ticket_id]);
      }
    } catch (e) {
      this.logger.error({ err: e, eventId: job.data.eventId }, 'could not record the files of a job that gave up');
    }
  }
}

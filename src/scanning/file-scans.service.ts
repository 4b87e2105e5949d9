import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { JobsOptions, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { withTimeout } from '../common/with-timeout';
import { MetricsService } from '../metrics/metrics.service';
import { JobName, QueueName } from '../queues';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import type { AttachmentScanStatus } from '../tickets/entities/attachment.entity';
import { ClamdService, ScannerUnavailable } from './clamd.service';

export interface ScanFileJobData {
  attachmentId: string;
}

/**
 * A few quick retries for a clamd that restarts (it reloads signatures); after that the file waits for the sweep,
 * which comes every CLAMAV_SWEEP_SECONDS for as long as it takes. Nothing is lost when Redis loses the job either:
 * the sweep reads PostgreSQL.
 */
export const SCAN_JOB_OPTIONS: JobsOptions = {
  attempts: 4,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: true,
  removeOnFail: true,
};

/** While Redis is away the channel must not wait for it: the sweep will scan what was not queued. */
const ENQUEUE_TIMEOUT_MS = 2000;

export type ScanOutcome = 'clean' | 'infected' | 'unavailable' | 'done';

/**
 * Arrived files and clamd: each file is stored 'pending' when a scanner is configured, scanned by a job right
 * after, and by the sweep while clamd is away. Staff are served only files that are clean (or were never meant to
 * be scanned: 'not_scanned'); an infected file is quarantined: its bytes stay for the record, never served.
 */
@Injectable()
export class FileScansService {
  private readonly logger = new Logger(FileScansService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QueueName.FileScan) private readonly queue: Queue<ScanFileJobData>,
    private readonly clamd: ClamdService,
    private readonly metrics: MetricsService,
    private readonly realtime: RealtimePublisher,
  ) {}

  /** The status a file is stored with. */
  initialStatus(): AttachmentScanStatus {
    return this.clamd.enabled ? 'pending' : 'not_scanned';
  }

  /** Queues the scans of files just stored 'pending'. Never fails the caller: what is not queued, the sweep finds. */
  async requestScans(attachmentIds: string[]): Promise<void> {
    if (!this.clamd.enabled || attachmentIds.length === 0) return;
    try {
      await withTimeout(
        this.queue.addBulk(
          attachmentIds.map((id) => ({
            name: JobName.ScanFile,
            data: { attachmentId: id },
            opts: { ...SCAN_JOB_OPTIONS, jobId: `scan-${id}` },
          })),
        ),
        ENQUEUE_TIMEOUT_MS,
        'Redis',
      );
    } catch (error) {
      this.logger.warn({ err: error, files: attachmentIds.length }, 'file scans not queued; the sweep will scan them');
    }
  }

  /**
   * Scans one file if it still waits. Throws ScannerUnavailable when clamd gives no verdict (the file stays
   * pending). Two workers scanning the same file at once agree, and the second write changes nothing.
   */
  async scan(attachmentId: string): Promise<ScanOutcome> {
    const [file]: Array<{ content: Buffer; channel: string | null; ticket_id: string | null }> = await this.dataSource.query(
      `SELECT a.content, coalesce(m.channel, e.channel) AS channel, m.ticket_id
       FROM attachments a LEFT JOIN messages m ON m.id = a.message_id LEFT JOIN inbound_events e ON e.id = a.inbound_event_id
       WHERE a.id = $1 AND a.scan_status = 'pending'`,
      [attachmentId],
    );
    if (!file) return 'done'; // scanned already, or erased
    const channel = file.channel ?? 'unknown';
    let verdict;
    try {
      verdict = await this.clamd.scan(file.content);
    } catch (error) {
      if (error instanceof ScannerUnavailable) this.metrics.fileScans.inc({ channel, outcome: 'unavailable' });
      throw error;
    }
    const [, updated]: [unknown, number] = await this.dataSource.query(
      `UPDATE attachments SET scan_status = $2, scan_threat = $3, scanned_at = now() WHERE id = $1 AND scan_status = 'pending'`,
      [attachmentId, verdict.infected ? 'infected' : 'clean', verdict.infected ? verdict.threat : null],
    );
    if (updated === 0) return 'done';
    const outcome = verdict.infected ? 'infected' : 'clean';
    this.metrics.fileScans.inc({ channel, outcome });
    if (verdict.infected) {
      this.logger.warn(
        { attachmentId, channel, threat: verdict.threat },
        'an arrived file is infected; it is quarantined and never served',
      );
    }
    // The ticket's page shows the file's state: let open pages read it again.
    const ticketId = file.ticket_id ?? (await this.ticketOf(attachmentId));
    if (ticketId) await this.realtime.ticketsChanged([ticketId]).catch(() => undefined);
    return outcome;
  }

  private async ticketOf(attachmentId: string): Promise<string | null> {
    const [row]: Array<{ ticket_id: string }> = await this.dataSource.query(
      `SELECT m.ticket_id FROM attachments a JOIN messages m ON m.id = a.message_id WHERE a.id = $1`,
      [attachmentId],
    );
    return row?.ticket_id ?? null;
  }

  /**
   * Scans files that still wait, oldest first, until none is left or clamd is away (then the rest wait for the
   * next sweep). Files younger than `minAgeMs` are left to their own job. Returns how many were decided.
   */
  async sweep(minAgeMs = 10_000, batch = 100): Promise<{ scanned: number; waiting: boolean }> {
    if (!this.clamd.enabled) return { scanned: 0, waiting: false };
    let scanned = 0;
    let after: { createdAt: Date; id: string } | null = null;
    for (;;) {
      const rows: Array<{ id: string; created_at: Date }> = await this.dataSource.query(
        `SELECT id, created_at FROM attachments
         WHERE scan_status = 'pending' AND created_at < now() - make_interval(secs => $1)
           AND ($2::timestamptz IS NULL OR (created_at, id) > ($2::timestamptz, $3::uuid))
         ORDER BY created_at, id LIMIT $4`,
        [minAgeMs / 1000, after?.createdAt ?? null, after?.id ?? null, batch],
      );
      for (const row of rows) {
        try {
          if ((await this.scan(row.id)) !== 'done') scanned++;
        } catch (error) {
          if (!(error instanceof ScannerUnavailable)) throw error;
          this.logger.warn({ err: error, scanned }, 'clamd is not scanning; files wait unscanned until the next sweep');
          return { scanned, waiting: true };
        }
      }
      if (rows.length < batch) return { scanned, waiting: false };
      after = { createdAt: rows[rows.length - 1].created_at, id: rows[rows.length - 1].id };
    }
  }

  /** How many files wait for clamd, for /health. */
  async waiting(): Promise<number> {
    const [row]: Array<{ n: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM attachments WHERE scan_status = 'pending'`,
    );
    return row.n;
  }
}

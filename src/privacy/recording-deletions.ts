import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { TWILIO_REST, type TwilioRestClient } from '../channels/voice/twilio-rest';
import { returnedRows } from '../database/rows';
import { MetricsService } from '../metrics/metrics.service';

/** Deletions tried per sweep; the rest wait for the next one. */
const BATCH = 50;
/** Backoff after a failed deletion: doubling from a minute, at most six hours. */
const MAX_BACKOFF_MINUTES = 360;

/**
 * Clears the recordings of these calls from our rows and, in the same transaction, queues Twilio's copies for
 * deletion, so that forgetting a recording here always forgets it there too. The recording's id comes from its
 * column or, for a call stored with only the link, from the link. Returns how many calls lost a recording; running
 * it again changes nothing.
 */
export async function forgetCallRecordings(m: EntityManager, callSids: string[]): Promise<number> {
  if (callSids.length === 0) return 0;
  const [{ cleared }] = await m.query(
    `WITH old AS (
       SELECT call_sid, coalesce(recording_sid, substring(recording_url from '/Recordings/(RE[0-9a-f]{32})')) AS sid
       FROM calls WHERE call_sid = ANY($1::text[]) AND (recording_sid IS NOT NULL OR recording_url IS NOT NULL)
       FOR UPDATE
     ), cleared AS (
       UPDATE calls c SET recording_sid = NULL, recording_url = NULL, updated_at = now() FROM old WHERE c.call_sid = old.call_sid RETURNING old.sid
     ), queued AS (
       INSERT INTO recording_deletions (recording_sid) SELECT DISTINCT sid FROM cleared WHERE sid ~ '^RE[0-9a-f]{32}$'
       ON CONFLICT (recording_sid) DO NOTHING
     )
     SELECT count(*)::int AS cleared FROM cleared`,
    [callSids],
  );
  return cleared;
}

export interface RecordingDeletionRun {
  deleted: number;
  failed: number;
  /** Twilio is not configured: nothing could be tried, and the recordings wait. */
  waiting: number;
}

/**
 * Deletes at Twilio the recordings that erasure and retention cleared here. A recording Twilio no longer has (404)
 * counts as deleted; any other failure is retried with backoff and stays visible in `last_error` and the metric.
 */
@Injectable()
export class RecordingDeletionsService {
  private readonly logger = new Logger(RecordingDeletionsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
    @Optional() @Inject(TWILIO_REST) private readonly twilio: TwilioRestClient | null,
  ) {}

  async deleteDue(): Promise<RecordingDeletionRun> {
    if (!this.twilio) {
      const [{ waiting }] = await this.dataSource.query(
        `SELECT count(*)::int AS waiting FROM recording_deletions WHERE deleted_at IS NULL`,
      );
      if (waiting > 0)
        this.logger.warn({ waiting }, 'recordings to delete at Twilio are waiting: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are not set');
      return { deleted: 0, failed: 0, waiting };
    }
    // Claimed by pushing their next attempt out, so a second worker's sweep (or a crash) never tries one twice at once.
    const due = returnedRows<{ recording_sid: string; attempts: number }>(
      await this.dataSource.query(
        `UPDATE recording_deletions d SET attempts = d.attempts + 1,
              next_attempt_at = now() + least(power(2, d.attempts), ${MAX_BACKOFF_MINUTES}) * interval '1 minute'
       FROM (SELECT recording_sid FROM recording_deletions WHERE deleted_at IS NULL AND next_attempt_at <= now()
             ORDER BY next_attempt_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED) due
       WHERE d.recording_sid = due.recording_sid
       RETURNING d.recording_sid, d.attempts`,
      ),
    );
    const run: RecordingDeletionRun = { deleted: 0, failed: 0, waiting: 0 };
    for (const { recording_sid: sid, attempts } of due) {
      const error = await this.deleteAtTwilio(sid);
      if (error === null) {
        await this.dataSource.query(`UPDATE recording_deletions SET deleted_at = now(), last_error = NULL WHERE recording_sid = $1`, [sid]);
        this.metrics.recordingDeletions.inc({ outcome: 'deleted' });
        run.deleted++;
      } else {
        await this.dataSource.query(`UPDATE recording_deletions SET last_error = $2 WHERE recording_sid = $1`, [sid, error]);
        this.metrics.recordingDeletions.inc({ outcome: 'failed' });
        this.logger.warn({ recordingSid: sid, attempts, error }, 'recording not deleted at Twilio; tried again later');
        run.failed++;
      }
    }
    return run;
  }

  /** null when Twilio no longer holds the recording, else why not. */
  private async deleteAtTwilio(sid: string): Promise<string | null> {
    try {
      await this.twilio!.recordings(sid).remove();
      return null;
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 404) return null;
      return status ? `http_${status}: ${(error as Error).message}` : (error as Error).message;
    }
  }
}

import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MicroBatcher, Settled } from '@lib/micro-batcher';
import { DataSource } from 'typeorm';
import { ASYNC_COMMIT, Progress } from './call-record';

/**
 * How long a step's progress waits for company before it is written. Nobody waits for these writes (the path
 * also travels in the signed URLs), so a longer window only means fewer statements: at 1,000 steps/s one
 * statement carries some 25 steps instead of two. Where a step does need the row, the write goes at once.
 */
const PROGRESS_WINDOW_MS = 25;

/** Writes where each call has got to in the menu, behind the IVR's answers. */
@Injectable()
export class CallProgressService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(CallProgressService.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * A call's progress through the menu (its path so far, carried in the signed URLs Twilio hands back) is
   * written in the background: the caller does not wait for it. Concurrent writes go out as one statement, each
   * carrying the whole path, and the longest path wins, so order, repeats and replays do not matter.
   */
  private readonly progressBatcher = new MicroBatcher<Progress, Settled<void>>((items) => this.writeProgress(items), {
    maxSize: 500,
    maxWaitMs: PROGRESS_WINDOW_MS,
    // A call's end writes its progress at once (settled): at saturation that was a statement for every ended call.
    // While one runs, the ends and the steps that arrive meanwhile go together as the next.
    maxInFlight: 1,
  });
  /** The latest progress write of each call in this process, so that its end can wait for it. */
  private readonly lastWrite = new Map<string, Promise<void>>();

  /**
   * Records the call's progress; resolves when it is stored. A step that goes on to read or change the row
   * awaits this, and its write (with whatever else is waiting) goes at once rather than after the window.
   */
  progress(progress: Progress): Promise<void> {
    const write = this.submit(progress);
    this.writeNow();
    return write;
  }

  private submit(progress: Progress): Promise<void> {
    const write = this.progressBatcher.submit(progress).then((settled) => {
      if (!settled.ok) throw settled.error;
    });
    const tracked = write.catch(() => undefined);
    this.lastWrite.set(progress.callSid, tracked);
    void tracked.finally(() => {
      if (this.lastWrite.get(progress.callSid) === tracked) this.lastWrite.delete(progress.callSid);
    });
    return write;
  }

  /** Progress the caller need not wait for: a failure is logged, and the next step's write carries the path again. */
  remember(progress: Progress): void {
    this.submit(progress).catch((error) => this.logger.warn({ err: error, callSid: progress.callSid }, 'could not record call progress'));
  }

  /**
   * Waits for the progress this process is still writing for the call. With several API instances the last step
   * may have been taken by another one; its write goes within the window plus a round trip, and Twilio's status
   * callback follows the caller's hang-up later than that (what could be late is the step's own path entry; the
   * flags that decide the outcome, such as having heard an answer, were written by the steps before it).
   */
  async settled(callSid: string): Promise<void> {
    const pending = this.lastWrite.get(callSid);
    if (!pending) return;
    this.writeNow();
    await pending;
  }

  /** Steps already answered are written before the process lets its database connections go. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.progressBatcher.drain();
  }

  private writeNow(): void {
    if (this.progressBatcher.waiting > 0) void this.progressBatcher.drain();
  }

  private async writeProgress(items: Progress[]): Promise<Array<Settled<void>>> {
    // One row per call in a statement (ON CONFLICT may touch a row once): the longest path, every flag.
    const merged = new Map<string, Progress>();
    for (const item of items) {
      const seen = merged.get(item.callSid);
      if (!seen) merged.set(item.callSid, { ...item });
      else {
        if (item.path.length > seen.path.length) seen.path = item.path;
        seen.language = item.language ?? seen.language;
        seen.heardAnswer = !!(seen.heardAnswer || item.heardAnswer);
        seen.institutionCode = item.institutionCode ?? seen.institutionCode;
        seen.topic = item.topic ?? seen.topic;
      }
    }
    const rows = [...merged.values()];
    try {
      await this.dataSource.query(
        `INSERT INTO calls AS c (call_sid, from_number, to_number, path, language, heard_answer, institution_code, topic)
         SELECT u.call_sid, u.from_number, u.to_number, CASE WHEN u.path = '' THEN '{}'::text[] ELSE string_to_array(u.path, '.') END,
                u.language, u.heard_answer, u.institution_code, u.topic
         FROM unnest($1::varchar[], $2::text[], $3::text[], $4::text[], $5::varchar[], $6::boolean[], $7::varchar[], $8::text[])
           AS u(call_sid, from_number, to_number, path, language, heard_answer, institution_code, topic), ${ASYNC_COMMIT}
         ON CONFLICT (call_sid) DO UPDATE SET
           path = CASE WHEN cardinality(EXCLUDED.path) > cardinality(c.path) THEN EXCLUDED.path ELSE c.path END,
           language = coalesce(EXCLUDED.language, c.language),
           heard_answer = c.heard_answer OR EXCLUDED.heard_answer,
           institution_code = coalesce(EXCLUDED.institution_code, c.institution_code),
           topic = coalesce(EXCLUDED.topic, c.topic),
           updated_at = now()`,
        [
          rows.map((r) => r.callSid),
          rows.map((r) => r.from || 'unknown'),
          rows.map((r) => r.to),
          rows.map((r) => r.path.join('.')),
          rows.map((r) => r.language ?? null),
          rows.map((r) => r.heardAnswer ?? false),
          rows.map((r) => r.institutionCode ?? null),
          rows.map((r) => r.topic ?? null),
        ],
      );
      return items.map(() => ({ ok: true as const, value: undefined }));
    } catch (error) {
      return items.map(() => ({ ok: false as const, error }));
    }
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** How far back the queue's pace is measured; an hour smooths one slow case without hiding a change of shift. */
const PACE_WINDOW_MINUTES = 60;

export interface QueuePlace {
  /** 1 for the next one to be taken; null when the ticket is not waiting in a queue (not yet, or taken). */
  position: number | null;
  /** Seconds until a person takes it at the pace the queue was taken in the last hour; null when nothing was. */
  expectedWaitSeconds: number | null;
}

/**
 * Where a visitor's ticket stands in its queue, as routing sees it: routing offers the unassigned tickets of a
 * queue oldest first (created_at, id), so the position counts those ahead in that order. The expected wait is the
 * position divided by the queue's recent pace (tickets of that queue given to a person in the last hour); with no
 * recent pace nothing honest can be said, and the visitor is told so.
 */
@Injectable()
export class ChatQueueService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async place(reference: string): Promise<QueuePlace> {
    const [row]: Array<{ position: number | null; taken: number | null }> = await this.dataSource.query(
      `WITH me AS (
         SELECT id, queue_id, created_at FROM tickets
          WHERE reference = $1 AND assignee_id IS NULL AND status IN ('new', 'queued') AND queue_id IS NOT NULL
       )
       SELECT (SELECT count(*)::int FROM tickets t, me
                WHERE t.queue_id = me.queue_id AND t.assignee_id IS NULL AND t.status IN ('new', 'queued')
                  AND (t.created_at, t.id) <= (me.created_at, me.id)) AS position,
              (SELECT count(DISTINCT a.subject_id)::int FROM audit_events a JOIN tickets t ON t.id::text = a.subject_id, me
                WHERE a.subject_type = 'ticket' AND a.action IN ('ticket.auto_assigned', 'ticket.claimed', 'ticket.assigned')
                  AND a.created_at > now() - make_interval(mins => $2) AND t.queue_id = me.queue_id) AS taken
         FROM me`,
      [reference, PACE_WINDOW_MINUTES],
    );
    if (!row?.position) return { position: null, expectedWaitSeconds: null };
    const perSecond = (row.taken ?? 0) / (PACE_WINDOW_MINUTES * 60);
    return { position: row.position, expectedWaitSeconds: perSecond > 0 ? Math.round(row.position / perSecond) : null };
  }
}

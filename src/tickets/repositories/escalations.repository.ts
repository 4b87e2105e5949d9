import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export type EscalationReason = 'escalated' | 'handed_back' | 'transferred';

/** One move of a ticket between queues or levels, as the history keeps it. */
export interface EscalationRow {
  ticketId: string;
  fromLevel: number | null;
  toLevel: number;
  fromQueueId: string | null;
  toQueueId: string;
  toInstitutionId: string | null;
  reason: EscalationReason;
  summary?: string | null;
  comment?: string | null;
  /** null: the system moved it (level 0's hand-over, an SLA breach action). */
  actorAgentId?: string | null;
  /** When it happened, if not now: a new ticket's routing at arrival happened when the contact arrived. */
  at?: Date | string | null;
}

/** The SQL of `escalations`: the history of moves, appended to and never changed (erasure aside). */
@Injectable()
export class EscalationsRepository {
  /** Appends the moves in one statement; returns their ids in the order given. */
  async append(m: EntityManager, rows: EscalationRow[]): Promise<string[]> {
    if (rows.length === 0) return [];
    const col = <T>(f: (r: EscalationRow) => T) => rows.map(f);
    const inserted: Array<{ id: string }> = await m.query(
      `INSERT INTO escalations (ticket_id, from_level, to_level, from_queue_id, to_queue_id, to_institution_id, reason, summary, comment, actor_agent_id,
                                created_at)
       SELECT u.ticket_id, u.from_level, u.to_level, u.from_queue_id, u.to_queue_id, u.to_institution_id, u.reason, u.summary, u.comment,
              u.actor_agent_id, coalesce(u.at, now())
       FROM unnest($1::uuid[], $2::int[], $3::int[], $4::uuid[], $5::uuid[], $6::uuid[], $7::varchar[], $8::text[], $9::text[], $10::uuid[],
                   $11::timestamptz[])
         AS u(ticket_id, from_level, to_level, from_queue_id, to_queue_id, to_institution_id, reason, summary, comment, actor_agent_id, at)
       RETURNING id`,
      [
        col((r) => r.ticketId),
        col((r) => r.fromLevel),
        col((r) => r.toLevel),
        col((r) => r.fromQueueId),
        col((r) => r.toQueueId),
        col((r) => r.toInstitutionId),
        col((r) => r.reason),
        col((r) => r.summary ?? null),
        col((r) => r.comment ?? null),
        col((r) => r.actorAgentId ?? null),
        col((r) => r.at ?? null),
      ],
    );
    return inserted.map((r) => r.id);
  }
}

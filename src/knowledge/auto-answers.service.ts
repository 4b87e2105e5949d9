import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { normaliseTopic } from '@lib/contact-classifier';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';

export interface TopicAutoAnswerView {
  topic: string;
  enabled: boolean;
  /** Written answers level 0 sent on this topic. */
  answersSent: number;
  updatedAt: Date | null;
}

/**
 * Which topics level 0 may answer in writing by itself: the only writer of topic_auto_answers. Ingest reads the
 * flags in every batch that has a candidate, so turning a topic off stops the next answer at once.
 */
@Injectable()
export class AutoAnswersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Every topic with a flag or an answer sent, with how many answers level 0 sent on it. */
  async list(): Promise<{ items: TopicAutoAnswerView[] }> {
    const rows: Array<{ topic: string; enabled: boolean | null; answers_sent: number; updated_at: Date | null }> =
      await this.dataSource.query(
        `WITH sent AS (
         SELECT t.topic, count(*)::int AS n FROM messages ms JOIN tickets t ON t.id = ms.ticket_id
         WHERE ms.direction = 'outbound' AND ms.author_type = 'bot' AND ms.meta->>'kind' = 'level0-answer' GROUP BY t.topic)
       SELECT coalesce(f.topic, s.topic) AS topic, f.enabled, coalesce(s.n, 0) AS answers_sent, f.updated_at
       FROM topic_auto_answers f FULL JOIN sent s ON s.topic = f.topic ORDER BY 1`,
      );
    return {
      items: rows.map((r) => ({ topic: r.topic, enabled: r.enabled ?? false, answersSent: r.answers_sent, updatedAt: r.updated_at })),
    };
  }

  async set(user: AuthUser, topic: string, enabled: boolean, context: { requestId?: string }): Promise<TopicAutoAnswerView> {
    const key = normaliseTopic(topic);
    return this.dataSource.transaction(async (m) => {
      await m.query(
        `INSERT INTO topic_auto_answers (topic, enabled, updated_by_id, updated_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (topic) DO UPDATE SET enabled = EXCLUDED.enabled, updated_by_id = EXCLUDED.updated_by_id, updated_at = now()`,
        [key, enabled, user.id],
      );
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'auto_answers.changed',
            subjectType: 'topic',
            subjectId: key,
            detail: { enabled },
            requestId: context.requestId ?? null,
          },
        ],
        m,
      );
      const [row]: Array<{ n: number; updated_at: Date }> = await m.query(
        `SELECT (SELECT count(*)::int FROM messages ms JOIN tickets t ON t.id = ms.ticket_id
                 WHERE t.topic = $1 AND ms.direction = 'outbound' AND ms.author_type = 'bot' AND ms.meta->>'kind' = 'level0-answer') AS n,
                updated_at FROM topic_auto_answers WHERE topic = $1`,
        [key],
      );
      return { topic: key, enabled, answersSent: row.n, updatedAt: row.updated_at };
    });
  }
}

import { Injectable } from '@nestjs/common';
import { normaliseTopic } from '@lib/contact-classifier';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import type { InboundJobData } from '../inbound/inbound-message';
import { KnowledgeSearchService } from '../knowledge/knowledge-search.service';
import type { ContactLabels } from './contact-classification';
import type { Language } from './entities/ticket.entity';

export interface PlannedAnswer {
  articleId: string;
  answer: string;
  language: Language;
  score: number;
}

/**
 * Which new written contacts level 0 answers by itself: an e-mail question (not an application, no files) that the
 * classifier placed confidently in a topic a supervisor turned on, and that a published article of that topic, in
 * the citizen's language, answers with a score of at least LEVEL0_ANSWER_MIN_SCORE. The flags are read in the
 * batch's transaction, so a topic turned off answers nothing from the next batch on; with every topic off (the
 * default) this costs one query per batch that has a candidate and no search at all.
 */
@Injectable()
export class Level0AnswerPlanner {
  constructor(
    private readonly knowledge: KnowledgeSearchService,
    private readonly config: AppConfig,
  ) {}

  async plan(m: EntityManager, candidates: Array<{ index: number; message: InboundJobData['message']; labels: ContactLabels }>): Promise<Map<number, PlannedAnswer>> {
    const planned = new Map<number, PlannedAnswer>();
    const eligible = candidates.filter(
      ({ message, labels }) =>
        message.channel === 'email' &&
        message.autoReply !== undefined &&
        'address' in message.autoReply &&
        message.attachmentIds.length === 0 &&
        !message.threadOnly &&
        labels.classifierVersion !== null &&
        !labels.unclassified &&
        labels.institutionCode !== undefined &&
        labels.topic !== undefined &&
        labels.kind !== 'application',
    );
    if (eligible.length === 0) return planned;
    const topics = [...new Set(eligible.map((c) => normaliseTopic(c.labels.topic!)))];
    const on: Array<{ topic: string }> = await m.query('SELECT topic FROM topic_auto_answers WHERE enabled AND topic = ANY($1::text[])', [topics]);
    const enabled = new Set(on.map((r) => r.topic));
    for (const { index, message, labels } of eligible) {
      const topic = normaliseTopic(labels.topic!);
      if (!enabled.has(topic)) continue;
      const language: Language = message.language ?? 'lv';
      const [best] = await this.knowledge.search([message.subject, message.text].filter(Boolean).join('\n'), { language, institution: labels.institutionCode, limit: 1 });
      if (!best || best.score < this.config.LEVEL0_ANSWER_MIN_SCORE) continue;
      if (best.article.language !== language || !best.article.topic || normaliseTopic(best.article.topic) !== topic) continue;
      planned.set(index, { articleId: best.article.id, answer: best.article.answer, language, score: best.score });
    }
    return planned;
  }
}

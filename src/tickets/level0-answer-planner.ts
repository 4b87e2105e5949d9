import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { normaliseTopic } from '@lib/contact-classifier';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import type { AcceptedEvent } from '../inbound/inbound-message';
import { KnowledgeSearchService } from '../knowledge/knowledge-search.service';
import type { ContactLabels } from './contact-classification';
import type { Language } from './entities/ticket.entity';
import { level0Answer } from '../automation/level0-answer';

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

  async plan(
    m: EntityManager,
    candidates: Array<{ index: number; message: AcceptedEvent['message']; labels: ContactLabels }>,
  ): Promise<Map<number, PlannedAnswer>> {
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
    const on: Array<{ topic: string }> = await m.query('SELECT topic FROM topic_auto_answers WHERE enabled AND topic = ANY($1::text[])', [
      topics,
    ]);
    const enabled = new Set(on.map((r) => r.topic));
    for (const { index, message, labels } of eligible) {
      const topic = normaliseTopic(labels.topic!);
      if (!enabled.has(topic)) continue;
      const language: Language = message.language ?? 'lv';
      const [best] = await this.knowledge.search([message.subject, message.text].filter(Boolean).join('\n'), {
        language,
        institution: labels.institutionCode,
        limit: 1,
      });
      if (!best || best.score < this.config.LEVEL0_ANSWER_MIN_SCORE) continue;
      if (best.article.language !== language || !best.article.topic || normaliseTopic(best.article.topic) !== topic) continue;
      planned.set(index, { articleId: best.article.id, answer: best.article.answer, language, score: best.score });
    }
    return planned;
  }
}

/** A planned written answer, if the daily brake on automatic mail to the address still allows one (it uses one). */
export function takeAnswer(
  planned: PlannedAnswer | undefined,
  message: AcceptedEvent['message'],
  budget: Map<string, number>,
): PlannedAnswer | null {
  if (!planned || !message.autoReply || !('address' in message.autoReply)) return null;
  const left = budget.get(message.autoReply.address) ?? 0;
  if (left <= 0) return null;
  budget.set(message.autoReply.address, left - 1);
  return planned;
}

/** Level 0's written answer as the ticket's outbound message row, sent by the outbound queue after commit. */
export function answerRow(
  e: AcceptedEvent,
  ticketId: string,
  reference: string,
  answer: PlannedAnswer,
  mailDomain: string,
): Record<string, unknown> {
  const { subject, text } = level0Answer(answer.language, reference, answer.answer, e.message.subject ?? null);
  return {
    id: randomUUID(),
    ticket_id: ticketId,
    channel: e.message.channel,
    external_id: `${randomUUID()}@${mailDomain}`,
    direction: 'outbound',
    author_type: 'bot',
    author_agent_id: null,
    subject,
    text,
    html: null,
    address: (e.message.autoReply as { address: string }).address,
    meta: JSON.stringify({ kind: 'level0-answer', inReplyTo: e.message.externalId, articleId: answer.articleId, score: answer.score }),
    delivery_status: 'queued',
    sent_at: null,
    created_at: e.receivedAt,
    event_id: null,
    has_attachments: false,
  };
}

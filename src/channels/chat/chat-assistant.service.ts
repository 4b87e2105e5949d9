import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AssistantDecision, ChatLanguage, decide, DEFAULT_POLICY } from '@lib/chat-assistant';
import { DataSource } from 'typeorm';
import { CalendarService } from '../../calendar/calendar.service';
import { AppConfig } from '../../config/app-config';
import { KnowledgeSearchService } from '../../knowledge/knowledge-search.service';
import { ChatSession } from './chat-session';

const OPENING_FORMAT: Record<ChatLanguage, string> = { lv: 'lv-LV', ru: 'ru-RU', en: 'en-GB' };

/** Level 0 of the chat: the knowledge base, in the visitor's language, and whether people are at work now. */
@Injectable()
export class ChatAssistantService {
  constructor(
    private readonly knowledge: KnowledgeSearchService,
    private readonly calendars: CalendarService,
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async think(session: ChatSession, text: string): Promise<AssistantDecision> {
    const matches = await this.knowledge.search(text, {
      language: session.language,
      institution: session.institution ?? undefined,
      limit: 5,
    });
    return decide(
      {
        text,
        language: session.language,
        topic: session.topic,
        unsureTurns: session.unsure,
        matches: matches.map((m) => ({
          articleId: m.article.id,
          question: m.article.questions[0] ?? '',
          answer: m.article.answer,
          topic: m.article.topic,
          score: m.score,
        })),
      },
      { ...DEFAULT_POLICY, handOverTopics: this.config.CHAT_HANDOVER_TOPICS },
    );
  }

  /** A published article in the session's language, for a choice the visitor picked. */
  async article(session: ChatSession, articleId: unknown): Promise<{ id: string; question: string; answer: string } | null> {
    if (typeof articleId !== 'string' || !/^[0-9a-f-]{36}$/.test(articleId)) return null;
    const [row]: Array<{ id: string; questions: string[]; answer: string }> = await this.dataSource.query(
      `SELECT id, questions, answer FROM knowledge_articles WHERE id = $1 AND published AND language = $2`,
      [articleId, session.language],
    );
    return row ? { id: row.id, question: row.questions[0] ?? '', answer: row.answer } : null;
  }

  /** Whether people are at work now and, when not, when they will be, worded for the visitor. */
  async opening(language: ChatLanguage, now = new Date()): Promise<{ open: boolean; next: Date; nextText: string }> {
    const calendar = await this.calendars.calendar();
    const open = calendar.isOpen(now);
    const next = calendar.nextOpening(now);
    const nextText = new Intl.DateTimeFormat(OPENING_FORMAT[language], {
      timeZone: 'Europe/Riga',
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      hour: '2-digit',
      minute: '2-digit',
    }).format(next);
    return { open, next, nextText };
  }
}

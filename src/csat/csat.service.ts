import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ProblemException, validationProblem } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { contactAddress } from '../tickets/ticket-contacts';
import { TicketsRepository } from '../tickets/repositories/tickets.repository';
import { signCsatToken, verifyCsatToken } from './csat-token';

/** Channels whose resolution is followed by a survey e-mail (a web form is answered by e-mail). */
const SURVEY_BY_EMAIL = new Set(['email', 'webform']);

const QUESTION: Record<string, { subject: (ref: string) => string; text: (ref: string, link: string) => string; thanks: string }> = {
  lv: {
    subject: (ref) => `Kā vērtējat mūsu atbildi? [${ref}]`,
    text: (ref, link) =>
      `Labdien!\n\nJūsu pieteikums ${ref} ir izskatīts. Kā vērtējat saņemto atbildi skalā no 1 (ļoti slikti) līdz 5 (ļoti labi)?\n\n` +
      [1, 2, 3, 4, 5].map((n) => `${n}: ${link}?score=${n}`).join('\n') +
      `\n\nPaldies, ka palīdzat mums strādāt labāk.\nValsts pārvaldes pakalpojumu portāla kontaktcentrs`,
    thanks: 'Paldies par novērtējumu!',
  },
  ru: {
    subject: (ref) => `Как вы оцениваете наш ответ? [${ref}]`,
    text: (ref, link) =>
      `Здравствуйте!\n\nВаше обращение ${ref} рассмотрено. Оцените, пожалуйста, полученный ответ от 1 (очень плохо) до 5 (очень хорошо):\n\n` +
      [1, 2, 3, 4, 5].map((n) => `${n}: ${link}?score=${n}`).join('\n') +
      `\n\nСпасибо, что помогаете нам работать лучше.`,
    thanks: 'Спасибо за оценку!',
  },
  en: {
    subject: (ref) => `How did we do? [${ref}]`,
    text: (ref, link) =>
      `Hello,\n\nYour request ${ref} has been dealt with. How would you rate the answer, from 1 (very poor) to 5 (very good)?\n\n` +
      [1, 2, 3, 4, 5].map((n) => `${n}: ${link}?score=${n}`).join('\n') +
      `\n\nThank you for helping us improve.`,
    thanks: 'Thank you for your rating!',
  },
};

export interface SurveyView {
  reference: string;
  language: string;
  question: string;
  scale: number[];
  score: number | null;
  expiresAt: Date;
}

/**
 * Customer satisfaction: one question (1–5) after resolution, stored on the ticket. E-mail and web-form
 * customers get a signed link by e-mail through the outbound queue; chat buttons and an IVR digit call
 * `record` with their own channel.
 */
@Injectable()
export class CsatService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
    private readonly tickets: TicketsRepository,
  ) {}

  thanks(language: string): string {
    return (QUESTION[language] ?? QUESTION.lv).thanks;
  }

  /**
   * Inside the transaction that resolves a ticket: stores the survey e-mail (queued) when the ticket's channel
   * is answered by e-mail, it has no score yet and was never sent one. Returns the message to enqueue after commit.
   */
  async planSurvey(m: EntityManager, ticketId: string): Promise<string | null> {
    const [t] = await m.query(
      `SELECT t.id, t.reference, t.channel, t.language, t.customer_id, t.csat_score,
              EXISTS (SELECT 1 FROM messages ms WHERE ms.ticket_id = t.id AND ms.meta->>'kind' = 'csat') AS surveyed
       FROM tickets t WHERE t.id = $1`,
      [ticketId],
    );
    if (!t || !SURVEY_BY_EMAIL.has(t.channel) || t.csat_score !== null || t.surveyed) return null;
    // Asked of the person who wrote this ticket, like every reply on it.
    const address = await contactAddress(m, ticketId, 'email');
    if (!address) return null;
    const copy = QUESTION[t.language] ?? QUESTION.lv;
    const link = this.link(ticketId);
    const id = randomUUID();
    const domain = /@([A-Za-z0-9.-]+)/.exec(this.config.MAIL_FROM ?? '')?.[1] ?? 'vpppd.invalid';
    await m.query(
      `INSERT INTO messages (id, ticket_id, channel, external_id, direction, author_type, subject, text, address, meta, delivery_status)
       VALUES ($1, $2, 'email', $3, 'outbound', 'bot', $4, $5, $6, $7, 'queued')`,
      [id, ticketId, `${randomUUID()}@${domain}`, copy.subject(t.reference), copy.text(t.reference, link), address, JSON.stringify({ kind: 'csat' })],
    );
    return id;
  }

  link(ticketId: string): string {
    const expires = new Date(Date.now() + this.config.CSAT_LINK_TTL_DAYS * 86_400_000);
    return `${this.config.PUBLIC_BASE_URL.replace(/\/+$/, '')}/v1/csat/${signCsatToken(this.config.JWT_SECRET, ticketId, expires)}`;
  }

  async survey(token: string): Promise<SurveyView & { ticketId: string }> {
    const check = verifyCsatToken(this.config.JWT_SECRET, token);
    if (!check.ok) {
      if (check.reason === 'expired') throw new ProblemException(HttpStatus.GONE, 'survey-expired', 'Survey closed', 'This survey link has expired.');
      throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', 'This survey link is not valid.');
    }
    const [t] = await this.dataSource.query('SELECT id, reference, language, csat_score FROM tickets WHERE id = $1', [check.ticketId]);
    if (!t) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', 'This survey link is not valid.');
    const copy = QUESTION[t.language] ?? QUESTION.lv;
    return {
      ticketId: t.id,
      reference: t.reference,
      language: t.language,
      question: copy.text(t.reference, '').split('\n')[2],
      scale: [1, 2, 3, 4, 5],
      score: t.csat_score,
      expiresAt: check.expiresAt,
    };
  }

  /**
   * Stores the customer's score (1–5) on the ticket, from whichever channel asked. A second answer replaces the
   * first (a customer who clicked the wrong number corrects it); the trail keeps both.
   */
  /** For channels that know the ticket by its reference (a chat session); null while it is not stored yet. */
  async recordByReference(reference: string, score: number, channel: string): Promise<{ reference: string; score: number } | null> {
    const [row] = await this.dataSource.query('SELECT id FROM tickets WHERE reference = $1', [reference]);
    return row ? this.record(row.id, score, channel) : null;
  }

  async record(ticketId: string, score: number, channel: string, comment?: string | null): Promise<{ reference: string; score: number }> {
    if (!Number.isInteger(score) || score < 1 || score > 5) {
      throw validationProblem([{ field: 'score', code: 'range', message: 'score must be a whole number from 1 to 5' }]);
    }
    // The score and its trail commit together: an answer is never stored unaudited, nor audited unstored.
    const row = await this.dataSource.transaction(async (m) => {
      const stored = await this.tickets.recordCsat(m, ticketId, { score, channel, comment: comment?.trim() || null });
      if (!stored) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', 'No such ticket.');
      await this.audit.record([{ actorAgentId: null, action: 'csat.recorded', subjectType: 'ticket', subjectId: ticketId, detail: { reference: stored.reference, score, channel } }], m);
      return stored;
    });
    this.metrics.csatAnswers.inc({ channel, score: String(score) });
    return { reference: row.reference, score };
  }
}

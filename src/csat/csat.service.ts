import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ProblemException, validationProblem } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { canTakeSms } from '../channels/sms/sms-number';
import { contactAddress } from '../tickets/ticket-contacts';
import { TicketsRepository } from '../tickets/repositories/tickets.repository';
import { signCsatToken, verifyCsatToken } from './csat-token';

/**
 * Channels whose resolution is followed by a survey link: by e-mail (a web form is answered by e-mail; a contact
 * logged at a counter or on a direct line when the person gave an address), else by SMS to a mobile number they gave.
 */
const SURVEY_BY_EMAIL = new Set(['email', 'webform', 'counter', 'phone']);
const SURVEY_BY_SMS = new Set(['counter', 'phone']);

/** A social survey's buttons carry this payload back: the reference and the score the citizen pressed. */
export const SOCIAL_CSAT_PAYLOAD = /^csat:([A-Z]{1,5}-\d{4}-\d{6,15}):([1-5])$/;

/** The short forms: a social conversation shows buttons 1–5 under the question; an SMS carries the link. */
const SHORT: Record<string, { social: (ref: string) => string; sms: (ref: string, link: string) => string }> = {
  lv: {
    social: (ref) => `Jūsu jautājums ${ref} ir izskatīts. Kā vērtējat mūsu atbildi no 1 (ļoti slikti) līdz 5 (ļoti labi)?`,
    sms: (ref, link) => `Jusu pieteikums ${ref} ir izskatits. Ludzu, novertejiet musu darbu: ${link}`,
  },
  ru: {
    social: (ref) => `Ваше обращение ${ref} рассмотрено. Оцените, пожалуйста, наш ответ от 1 (очень плохо) до 5 (очень хорошо).`,
    sms: (ref, link) => `Ваше обращение ${ref} рассмотрено. Оцените нашу работу: ${link}`,
  },
  en: {
    social: (ref) => `Your request ${ref} has been dealt with. How would you rate our answer, from 1 (very poor) to 5 (very good)?`,
    sms: (ref, link) => `Your request ${ref} has been dealt with. Please rate us: ${link}`,
  },
};

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
   * The survey is stamped with the clock, not the transaction's start, so a macro that replies and closes in one
   * transaction shows the reply before the survey in the timeline, as a person replying and then closing does.
   */
  async planSurvey(m: EntityManager, ticketId: string): Promise<string | null> {
    const [t] = await m.query(
      `SELECT t.id, t.reference, t.channel, t.language, t.level, t.customer_id, t.csat_score,
              EXISTS (SELECT 1 FROM messages ms WHERE ms.ticket_id = t.id AND ms.meta->>'kind' = 'csat') AS surveyed
       FROM tickets t WHERE t.id = $1`,
      [ticketId],
    );
    if (!t || t.csat_score !== null || t.surveyed) return null;
    if (t.channel === 'social') return this.planSocialSurvey(m, t);
    // A call a person answered was asked on the line (the digit after the bridged call); one the IVR served, by SMS.
    if (t.channel === 'voice') return t.level === 0 ? this.planSmsSurvey(m, t) : null;
    if (!SURVEY_BY_EMAIL.has(t.channel)) return null;
    // Asked of the person who wrote this ticket, like every reply on it.
    const address = await contactAddress(m, ticketId, 'email');
    if (!address) return SURVEY_BY_SMS.has(t.channel) ? this.planSmsSurvey(m, t) : null;
    const copy = QUESTION[t.language] ?? QUESTION.lv;
    const link = this.link(ticketId);
    const id = randomUUID();
    const domain = /@([A-Za-z0-9.-]+)/.exec(this.config.MAIL_FROM ?? '')?.[1] ?? 'vpppd.invalid';
    await m.query(
      `INSERT INTO messages (id, ticket_id, channel, external_id, direction, author_type, subject, text, address, meta, delivery_status, created_at)
       VALUES ($1, $2, 'email', $3, 'outbound', 'bot', $4, $5, $6, $7, 'queued', clock_timestamp())`,
      [
        id,
        ticketId,
        `${randomUUID()}@${domain}`,
        copy.subject(t.reference),
        copy.text(t.reference, link),
        address,
        JSON.stringify({ kind: 'csat' }),
      ],
    );
    return id;
  }

  /** In the conversation, with buttons 1–5 (Telegram inline keyboard, Messenger quick replies, a WhatsApp list). */
  private async planSocialSurvey(m: EntityManager, t: { id: string; reference: string; language: string }): Promise<string | null> {
    const address = await contactAddress(m, t.id, 'social');
    if (!address) return null;
    const choices = [1, 2, 3, 4, 5].map((n) => ({ id: `csat:${t.reference}:${n}`, title: String(n) }));
    const id = randomUUID();
    await m.query(
      `INSERT INTO messages (id, ticket_id, channel, direction, author_type, text, address, meta, delivery_status, created_at)
       VALUES ($1, $2, 'social', 'outbound', 'bot', $3, $4, $5, 'queued', clock_timestamp())`,
      [id, t.id, (SHORT[t.language] ?? SHORT.lv).social(t.reference), address, JSON.stringify({ kind: 'csat', choices })],
    );
    return id;
  }

  /** A contact served at a counter or on a direct line with a mobile number and no e-mail: the link by SMS. */
  private async planSmsSurvey(m: EntityManager, t: { id: string; reference: string; language: string }): Promise<string | null> {
    if (!this.config.TWILIO_SMS_FROM) return null;
    const phones: Array<{ value: string }> = await m.query(
      `SELECT value FROM ticket_contacts WHERE ticket_id = $1 AND kind = 'phone'
       ORDER BY array_position(ARRAY['portal', 'staff', 'channel', 'citizen'], provenance), created_at DESC`,
      [t.id],
    );
    const phone = phones.map((p) => p.value).find(canTakeSms);
    if (!phone) return null;
    const id = randomUUID();
    await m.query(
      `INSERT INTO messages (id, ticket_id, channel, direction, author_type, text, address, meta, delivery_status, created_at)
       VALUES ($1, $2, 'sms', 'outbound', 'bot', $3, $4, $5, 'queued', clock_timestamp())`,
      [id, t.id, (SHORT[t.language] ?? SHORT.lv).sms(t.reference, this.link(t.id)), phone, JSON.stringify({ kind: 'csat' })],
    );
    return id;
  }

  /**
   * A button pressed under a social survey: stored when the payload names a ticket of that same conversation (the
   * sender's platform address wrote to it), so nobody can score someone else's case by sending a made-up payload.
   * Returns null when it does not hold.
   */
  async recordSocialAnswer(payload: string, address: string): Promise<{ reference: string; score: number } | null> {
    const match = SOCIAL_CSAT_PAYLOAD.exec(payload);
    if (!match) return null;
    const [row]: Array<{ id: string; csat_score: number | null }> = await this.dataSource.query(
      `SELECT t.id, t.csat_score FROM tickets t WHERE t.reference = $1 AND t.channel = 'social'
         AND EXISTS (SELECT 1 FROM messages ms WHERE ms.ticket_id = t.id AND ms.direction = 'inbound' AND ms.address = $2)`,
      [match[1], address],
    );
    if (!row) return null;
    const score = Number(match[2]);
    // A platform delivering the same press again records nothing new.
    if (row.csat_score === score) return { reference: match[1], score };
    return this.record(row.id, score, 'social');
  }

  link(ticketId: string): string {
    const expires = new Date(Date.now() + this.config.CSAT_LINK_TTL_DAYS * 86_400_000);
    return `${this.config.PUBLIC_BASE_URL.replace(/\/+$/, '')}/v1/csat/${signCsatToken(this.config.JWT_SECRET, ticketId, expires)}`;
  }

  async survey(token: string): Promise<SurveyView & { ticketId: string }> {
    const check = verifyCsatToken(this.config.JWT_SECRET, token);
    if (!check.ok) {
      if (check.reason === 'expired')
        throw new ProblemException(HttpStatus.GONE, 'survey-expired', 'Survey closed', 'This survey link has expired.');
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
      await this.audit.record(
        [
          {
            actorAgentId: null,
            action: 'csat.recorded',
            subjectType: 'ticket',
            subjectId: ticketId,
            detail: { reference: stored.reference, score, channel },
          },
        ],
        m,
      );
      return stored;
    });
    this.metrics.csatAnswers.inc({ channel, score: String(score) });
    return { reference: row.reference, score };
  }
}

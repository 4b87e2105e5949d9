import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AnswerLanguage, fillTemplate, formatAnswerDate, legalAnswerDate, Placeholder, templateProblems } from '@lib/answer-templates';
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { FieldError, ProblemException, validationProblem } from '../common/problem';
import { CalendarService } from '../calendar/calendar.service';
import { InstitutionsService } from '../institutions/institutions.service';
import { TicketAnswerContext } from '../tickets/tickets-query.service';
import { AnswerTextsDto, CreateCannedAnswerDto, ListCannedAnswersQuery, Sharing, UpdateCannedAnswerDto } from './dto/canned-answer.dto';
import { isVisible, mayManage, Owned, sharingOf, visibleSql } from '../common/sharing';

const LANGUAGES: AnswerLanguage[] = ['lv', 'ru', 'en'];

export interface CannedAnswerRow extends Owned {
  id: string;
  title: string;
  text_lv: string | null;
  text_ru: string | null;
  text_en: string | null;
  institution: string | null;
  owner_name: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface CannedAnswerView {
  id: string;
  title: string;
  texts: Record<AnswerLanguage, string | null>;
  sharing: Sharing;
  institution: string | null;
  owner: { id: string; displayName: string } | null;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `a.id, a.title, a.text_lv, a.text_ru, a.text_en, a.owner_agent_id, a.institution_id, a.created_at, a.updated_at,
  (SELECT code FROM institutions i WHERE i.id = a.institution_id) AS institution,
  (SELECT display_name FROM agents ag WHERE ag.id = a.owner_agent_id) AS owner_name`;

export function cannedAnswerView(r: CannedAnswerRow): CannedAnswerView {
  return {
    id: r.id,
    title: r.title,
    texts: { lv: r.text_lv, ru: r.text_ru, en: r.text_en },
    sharing: sharingOf(r),
    institution: r.institution,
    owner: r.owner_agent_id ? { id: r.owner_agent_id, displayName: r.owner_name ?? '' } : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const encodeCursor = (title: string, id: string) => Buffer.from(JSON.stringify([title, id])).toString('base64url');
function decodeCursor(raw: string): { title: string; id: string } {
  try {
    const [title, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (typeof title !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) throw new Error();
    return { title, id };
  } catch {
    throw validationProblem([{ field: 'cursor', code: 'invalid', message: 'cursor is not one this API gave out' }]);
  }
}

/** Placeholder problems of each text given, at its field (`texts.lv`). */
function textProblems(texts: AnswerTextsDto): FieldError[] {
  return LANGUAGES.flatMap((language) => {
    const text = texts[language];
    return typeof text === 'string'
      ? templateProblems(text).map((p) => ({ field: `texts.${language}`, code: p.code, message: p.message }))
      : [];
  });
}

/**
 * Canned answers (table canned_answers) and the count of their uses (answer_uses, shared with macros): written once
 * in up to three languages, filled from the ticket they are used on.
 */
@Injectable()
export class CannedAnswersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly institutions: InstitutionsService,
    private readonly calendar: CalendarService,
  ) {}

  async list(user: AuthUser, q: ListCannedAnswersQuery): Promise<{ items: CannedAnswerView[]; nextCursor: string | null }> {
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    const where = [visibleSql(user, 'a', p)];
    if (q.q?.trim()) where.push(`a.title ILIKE ${p(`%${q.q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
    if (q.sharing === 'personal') where.push('a.owner_agent_id IS NOT NULL');
    if (q.sharing === 'centre') where.push('a.owner_agent_id IS NULL AND a.institution_id IS NULL');
    if (q.sharing === 'institution') where.push('a.owner_agent_id IS NULL AND a.institution_id IS NOT NULL');
    if (q.institution)
      where.push(`(a.institution_id IS NULL OR a.institution_id = ${p(await this.institutionId(q.institution, 'institution'))}::uuid)`);
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      where.push(`(a.title, a.id) > (${p(c.title)}, ${p(c.id)}::uuid)`);
    }
    const limit = q.limit ?? 50;
    const rows: CannedAnswerRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM canned_answers a WHERE ${where.join(' AND ')} ORDER BY a.title, a.id LIMIT ${p(limit + 1)}`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(cannedAnswerView), nextCursor: rows.length > limit && last ? encodeCursor(last.title, last.id) : null };
  }

  /** One answer the person may see; another's personal answer, or another institution's, is answered as missing. */
  async row(user: AuthUser, id: string, m: EntityManager | DataSource = this.dataSource, lock = false): Promise<CannedAnswerRow> {
    const [row]: CannedAnswerRow[] = await m.query(`SELECT ${COLUMNS} FROM canned_answers a WHERE a.id = $1${lock ? ' FOR UPDATE' : ''}`, [
      id,
    ]);
    if (!row || !isVisible(user, row))
      throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No canned answer ${id} that you may see.`);
    return row;
  }

  async get(user: AuthUser, id: string): Promise<CannedAnswerView> {
    return cannedAnswerView(await this.row(user, id));
  }

  async create(user: AuthUser, dto: CreateCannedAnswerDto): Promise<CannedAnswerView> {
    const owned = await this.ownership(user, dto.sharing ?? 'personal', dto.institution);
    const errors = textProblems(dto.texts);
    if (!LANGUAGES.some((l) => typeof dto.texts[l] === 'string'))
      errors.push({ field: 'texts', code: 'required', message: 'write the answer in at least one of lv, ru, en' });
    if (errors.length) throw validationProblem(errors);
    const [{ id }] = await this.dataSource.query(
      `INSERT INTO canned_answers (institution_id, owner_agent_id, title, text_lv, text_ru, text_en, created_by_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [owned.institution_id, owned.owner_agent_id, dto.title, dto.texts.lv ?? null, dto.texts.ru ?? null, dto.texts.en ?? null, user.id],
    );
    return this.get(user, id);
  }

  async update(user: AuthUser, id: string, dto: UpdateCannedAnswerDto): Promise<CannedAnswerView> {
    await this.dataSource.transaction(async (m) => {
      const row = await this.row(user, id, m, true);
      if (!mayManage(user, row))
        throw new ProblemException(HttpStatus.FORBIDDEN, 'forbidden', 'Forbidden', 'You may use this answer but not change it.');
      const texts = { lv: row.text_lv, ru: row.text_ru, en: row.text_en };
      for (const l of LANGUAGES) if (dto.texts && dto.texts[l] !== undefined) texts[l] = dto.texts[l] ?? null;
      const errors = dto.texts ? textProblems(dto.texts) : [];
      if (!LANGUAGES.some((l) => texts[l]))
        errors.push({ field: 'texts', code: 'required', message: 'an answer keeps at least one of lv, ru, en' });
      if (errors.length) throw validationProblem(errors);
      await m.query(`UPDATE canned_answers SET title = $2, text_lv = $3, text_ru = $4, text_en = $5, updated_at = now() WHERE id = $1`, [
        id,
        dto.title ?? row.title,
        texts.lv,
        texts.ru,
        texts.en,
      ]);
    });
    return this.get(user, id);
  }

  async remove(user: AuthUser, id: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const row = await this.row(user, id, m, true);
      if (!mayManage(user, row))
        throw new ProblemException(HttpStatus.FORBIDDEN, 'forbidden', 'Forbidden', 'You may use this answer but not delete it.');
      const macros: Array<{ name: string }> = await m.query('SELECT name FROM macros WHERE canned_answer_id = $1 ORDER BY name LIMIT 5', [
        id,
      ]);
      if (macros.length) {
        throw new ProblemException(
          HttpStatus.CONFLICT,
          'in-use',
          'In use',
          `Macros reply with this answer (${macros.map((x) => x.name).join(', ')}); change them first.`,
        );
      }
      await m.query('DELETE FROM canned_answers WHERE id = $1', [id]);
    });
  }

  /**
   * The answer's text for a ticket, in the ticket's language unless another is asked for, with the placeholders this
   * ticket has values for filled; the rest are named in `missing` and left in place for the person to complete.
   */
  async render(
    row: CannedAnswerRow,
    ticket: TicketAnswerContext,
    asked?: AnswerLanguage,
  ): Promise<{ text: string; language: AnswerLanguage; missing: Placeholder[] }> {
    const language = asked ?? ticket.language;
    const template = row[`text_${language}`];
    if (!template) {
      const has = LANGUAGES.filter((l) => row[`text_${l}`]);
      throw validationProblem([
        { field: 'language', code: 'noText', message: `the answer has no ${language} text (it has ${has.join(', ')})` },
      ]);
    }
    if (row.institution_id && row.institution_id !== ticket.institutionId) {
      throw validationProblem([
        {
          field: 'reference',
          code: 'otherInstitution',
          message: `the answer is ${row.institution}'s; ${ticket.reference} is not its ticket`,
        },
      ]);
    }
    const calendar = await this.calendar.calendar();
    const institution = ticket.institutionId
      ? [...(await this.institutions.all()).values()].find((i) => i.id === ticket.institutionId)
      : undefined;
    const filled = fillTemplate(template, {
      'customer.name': ticket.customerName,
      'ticket.reference': ticket.reference,
      'ticket.answerDate': formatAnswerDate(
        legalAnswerDate(ticket.receivedOn, (d) => calendar.isWorkingDay(d)),
        language,
      ),
      'institution.contact': institution?.publicContact ?? null,
    });
    return { ...filled, language };
  }

  /** Counts a use: supervisors see which answers are asked for (GET /v1/canned-answers/usage). */
  async recordUse(
    entry: { cannedAnswerId?: string | null; macroId?: string | null; agentId: string; ticketId: string },
    m: EntityManager | DataSource = this.dataSource,
  ): Promise<void> {
    await m.query('INSERT INTO answer_uses (canned_answer_id, macro_id, agent_id, ticket_id) VALUES ($1, $2, $3, $4)', [
      entry.cannedAnswerId ?? null,
      entry.macroId ?? null,
      entry.agentId,
      entry.ticketId,
    ]);
  }

  /** Uses per answer and macro on the days from..to (Riga time, inclusive), most used first; unused ones with 0. */
  async usage(from: string, to: string) {
    const range = `u.used_at >= ($1::date)::timestamp AT TIME ZONE 'Europe/Riga' AND u.used_at < ($2::date + 1)::timestamp AT TIME ZONE 'Europe/Riga'`;
    const rows: Array<Record<string, any>> = await this.dataSource.query(
      `SELECT 'answer' AS type, a.id, a.title AS name, a.owner_agent_id, a.institution_id, (SELECT code FROM institutions i WHERE i.id = a.institution_id) AS institution,
              count(u.id)::int AS uses, count(DISTINCT u.agent_id)::int AS agents, count(DISTINCT u.ticket_id)::int AS tickets, max(u.used_at) AS last_used_at
       FROM canned_answers a LEFT JOIN answer_uses u ON u.canned_answer_id = a.id AND ${range} GROUP BY a.id
       UNION ALL
       SELECT 'macro', x.id, x.name, x.owner_agent_id, x.institution_id, (SELECT code FROM institutions i WHERE i.id = x.institution_id),
              count(u.id)::int, count(DISTINCT u.agent_id)::int, count(DISTINCT u.ticket_id)::int, max(u.used_at)
       FROM macros x LEFT JOIN answer_uses u ON u.macro_id = x.id AND ${range} GROUP BY x.id
       ORDER BY uses DESC, name`,
      [from, to],
    );
    return rows.map((r) => ({
      type: r.type,
      id: r.id,
      name: r.name,
      sharing: sharingOf(r as Owned),
      institution: r.institution,
      uses: r.uses,
      agents: r.agents,
      tickets: r.tickets,
      lastUsedAt: r.last_used_at,
    }));
  }

  /** The owner columns for a new answer or macro shared this way, if the person may write one. */
  async ownership(user: AuthUser, sharing: Sharing, institution: string | undefined): Promise<Owned> {
    if (sharing !== 'institution' && institution)
      throw validationProblem([
        { field: 'institution', code: 'notShared', message: 'an institution is named only with sharing: institution' },
      ]);
    const owned: Owned =
      sharing === 'personal'
        ? { owner_agent_id: user.id, institution_id: null }
        : {
            owner_agent_id: null,
            institution_id: sharing === 'institution' ? await this.institutionId(institution!, 'institution') : null,
          };
    if (!mayManage(user, owned)) {
      throw validationProblem([
        {
          field: 'sharing',
          code: 'notAllowed',
          message:
            sharing === 'centre'
              ? "only supervisors and admins write the centre's"
              : "only supervisors, admins and the institution's own staff write an institution's",
        },
      ]);
    }
    return owned;
  }

  async institutionId(code: string, field: string): Promise<string> {
    const institution = await this.institutions.findByCode(code);
    if (!institution) throw validationProblem([{ field, code: 'unknown', message: `no institution has the code ${code}` }]);
    return institution.id;
  }
}

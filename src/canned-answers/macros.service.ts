import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { FieldError, ProblemException, validationProblem } from '../common/problem';
import { TagsService } from '../tags/tags.service';
import { TicketActionsService } from '../tickets/ticket-actions.service';
import { TicketEffectsPublisher } from '../tickets/ticket-effects.publisher';
import { TicketIngestService } from '../tickets/ticket-ingest.service';
import { TicketLevelsService } from '../tickets/ticket-levels.service';
import { TicketMessagesService } from '../tickets/ticket-messages.service';
import { TicketTagsService } from '../tickets/ticket-tags.service';
import { TicketsQueryService } from '../tickets/tickets-query.service';
import { CannedAnswersService } from './canned-answers.service';
import { Sharing } from './dto/canned-answer.dto';
import { ApplyMacroDto, CreateMacroDto, ListMacrosQuery, UpdateMacroDto } from './dto/macro.dto';
import { isVisible, mayManage, mayUse, Owned, sharingOf, visibleSql } from '../common/sharing';

interface MacroRow extends Owned {
  id: string;
  name: string;
  canned_answer_id: string | null;
  canned_answer_title: string | null;
  set_status: string | null;
  set_kind: string | null;
  add_tags: string[];
  escalate_queue: string | null;
  escalate_reason: string | null;
  institution: string | null;
  owner_name: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface MacroView {
  id: string;
  name: string;
  sharing: Sharing;
  institution: string | null;
  owner: { id: string; displayName: string } | null;
  cannedAnswer: { id: string; title: string } | null;
  status: string | null;
  kind: string | null;
  tags: string[];
  escalation: { queue: string; reason: string } | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One step a macro took, in order, as the person's own request would have answered it. */
export type AppliedStep =
  | { step: 'reply'; messageId: string; deliveryStatus: string; language: string }
  | { step: 'update'; status: string }
  | { step: 'tags'; tags: string[] }
  | { step: 'escalation'; toLevel: number; toQueue: string; reason: string };

const COLUMNS = `x.id, x.name, x.canned_answer_id, x.set_status, x.set_kind, x.add_tags, x.escalate_queue, x.escalate_reason, x.owner_agent_id, x.institution_id,
  x.created_at, x.updated_at, (SELECT title FROM canned_answers a WHERE a.id = x.canned_answer_id) AS canned_answer_title,
  (SELECT code FROM institutions i WHERE i.id = x.institution_id) AS institution,
  (SELECT display_name FROM agents ag WHERE ag.id = x.owner_agent_id) AS owner_name`;

function macroView(r: MacroRow): MacroView {
  return {
    id: r.id,
    name: r.name,
    sharing: sharingOf(r),
    institution: r.institution,
    owner: r.owner_agent_id ? { id: r.owner_agent_id, displayName: r.owner_name ?? '' } : null,
    cannedAnswer: r.canned_answer_id ? { id: r.canned_answer_id, title: r.canned_answer_title ?? '' } : null,
    status: r.set_status,
    kind: r.set_kind,
    tags: r.add_tags,
    escalation: r.escalate_queue ? { queue: r.escalate_queue, reason: r.escalate_reason ?? '' } : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const encodeCursor = (name: string, id: string) => Buffer.from(JSON.stringify([name, id])).toString('base64url');
function decodeCursor(raw: string): { name: string; id: string } {
  try {
    const [name, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (typeof name !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) throw new Error();
    return { name, id };
  } catch {
    throw validationProblem([{ field: 'cursor', code: 'invalid', message: 'cursor is not one this API gave out' }]);
  }
}

/**
 * Macros (table macros): several changes in one action. Applying one makes each change through the very service
 * the person's own request for it goes through (reply, status and kind, tags, escalation), as that person, in one
 * transaction: the same rows, audit events, webhooks and SLA clocks follow as if they had made the changes by hand,
 * one after another, and all of them or none.
 */
@Injectable()
export class MacrosService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly answers: CannedAnswersService,
    private readonly vocabulary: TagsService,
    private readonly tickets: TicketsQueryService,
    private readonly messages: TicketMessagesService,
    private readonly ingest: TicketIngestService,
    private readonly actions: TicketActionsService,
    private readonly ticketTags: TicketTagsService,
    private readonly levels: TicketLevelsService,
    private readonly effects: TicketEffectsPublisher,
  ) {}

  async list(user: AuthUser, q: ListMacrosQuery): Promise<{ items: MacroView[]; nextCursor: string | null }> {
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    const where = [visibleSql(user, 'x', p)];
    if (q.institution)
      where.push(
        `(x.institution_id IS NULL OR x.institution_id = ${p(await this.answers.institutionId(q.institution, 'institution'))}::uuid)`,
      );
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      where.push(`(x.name, x.id) > (${p(c.name)}, ${p(c.id)}::uuid)`);
    }
    const limit = q.limit ?? 50;
    const rows: MacroRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM macros x WHERE ${where.join(' AND ')} ORDER BY x.name, x.id LIMIT ${p(limit + 1)}`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(macroView), nextCursor: rows.length > limit && last ? encodeCursor(last.name, last.id) : null };
  }

  private async row(user: AuthUser, id: string, m: EntityManager | DataSource = this.dataSource, lock = false): Promise<MacroRow> {
    const [row]: MacroRow[] = await m.query(`SELECT ${COLUMNS} FROM macros x WHERE x.id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    if (!row || !isVisible(user, row))
      throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No macro ${id} that you may see.`);
    return row;
  }

  async get(user: AuthUser, id: string): Promise<MacroView> {
    return macroView(await this.row(user, id));
  }

  async create(user: AuthUser, dto: CreateMacroDto): Promise<MacroView> {
    const owned = await this.answers.ownership(user, dto.sharing ?? 'personal', dto.institution);
    const id = await this.dataSource.transaction(async (m) => {
      const fields = await this.checked(user, m, owned, {
        cannedAnswerId: dto.cannedAnswerId ?? null,
        status: dto.status ?? null,
        kind: dto.kind ?? null,
        tags: dto.tags ?? [],
        escalation: dto.escalation ?? null,
      });
      const [row] = await m.query(
        `INSERT INTO macros (institution_id, owner_agent_id, name, canned_answer_id, set_status, set_kind, add_tags, escalate_queue, escalate_reason, created_by_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
        [owned.institution_id, owned.owner_agent_id, dto.name, ...fields, user.id],
      );
      return row.id as string;
    });
    return this.get(user, id);
  }

  async update(user: AuthUser, id: string, dto: UpdateMacroDto): Promise<MacroView> {
    await this.dataSource.transaction(async (m) => {
      const row = await this.row(user, id, m, true);
      if (!mayManage(user, row))
        throw new ProblemException(HttpStatus.FORBIDDEN, 'forbidden', 'Forbidden', 'You may use this macro but not change it.');
      const keep = <T>(given: T | undefined, current: T) => (given === undefined ? current : given);
      const fields = await this.checked(user, m, row, {
        cannedAnswerId: keep(dto.cannedAnswerId, row.canned_answer_id),
        status: keep(dto.status, row.set_status),
        kind: keep(dto.kind, row.set_kind),
        tags: keep(dto.tags, row.add_tags),
        escalation: keep(dto.escalation, row.escalate_queue ? { queue: row.escalate_queue, reason: row.escalate_reason ?? '' } : null),
      });
      await m.query(
        `UPDATE macros SET name = $2, canned_answer_id = $3, set_status = $4, set_kind = $5, add_tags = $6, escalate_queue = $7, escalate_reason = $8, updated_at = now() WHERE id = $1`,
        [id, dto.name ?? row.name, ...fields],
      );
    });
    return this.get(user, id);
  }

  async remove(user: AuthUser, id: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const row = await this.row(user, id, m, true);
      if (!mayManage(user, row))
        throw new ProblemException(HttpStatus.FORBIDDEN, 'forbidden', 'Forbidden', 'You may use this macro but not delete it.');
      await m.query('DELETE FROM macros WHERE id = $1', [id]);
    });
  }

  /**
   * What a macro does, checked when it is saved: an answer everyone who sees the macro sees too, tags of its
   * vocabulary, an existing queue, and no status beside an escalation (an escalation puts the ticket in its queue).
   * Answers the column values in order: canned_answer_id, set_status, set_kind, add_tags, escalate_queue, escalate_reason.
   */
  private async checked(
    user: AuthUser,
    m: EntityManager,
    owned: Owned,
    f: {
      cannedAnswerId: string | null;
      status: string | null;
      kind: string | null;
      tags: string[];
      escalation: { queue: string; reason: string } | null;
    },
  ): Promise<unknown[]> {
    const errors: FieldError[] = [];
    if (!f.cannedAnswerId && !f.status && !f.kind && f.tags.length === 0 && !f.escalation) {
      errors.push({
        field: 'cannedAnswerId',
        code: 'nothingToDo',
        message: 'a macro replies, sets status or kind, adds tags or escalates: give at least one',
      });
    }
    if (f.cannedAnswerId) {
      const answer = await this.answers.row(user, f.cannedAnswerId, m).catch(() => null);
      if (!answer) errors.push({ field: 'cannedAnswerId', code: 'unknown', message: 'no canned answer with this id that you may see' });
      else if (!mayUse(owned, answer))
        errors.push({
          field: 'cannedAnswerId',
          code: 'notShared',
          message: 'the answer is not shared as widely as the macro: some who see the macro would not see it',
        });
    }
    if (f.status && f.escalation)
      errors.push({
        field: 'status',
        code: 'withEscalation',
        message: 'an escalation puts the ticket in its queue; set either a status or an escalation',
      });
    if (f.tags.length) {
      await this.vocabulary.resolve(m, owned.institution_id, f.tags, 'tags').catch((e: unknown) => {
        const body = e instanceof HttpException ? (e.getResponse() as { errors?: FieldError[] }) : null;
        if (!body?.errors) throw e;
        errors.push(...body.errors);
      });
    }
    let queue: { code: string } | undefined;
    if (f.escalation) {
      [queue] = await m.query('SELECT code FROM queues WHERE code = $1', [f.escalation.queue.toUpperCase()]);
      if (!queue) errors.push({ field: 'escalation.queue', code: 'unknown', message: `no queue has the code ${f.escalation.queue}` });
    }
    if (errors.length) throw validationProblem(errors);
    return [
      f.cannedAnswerId,
      f.status,
      f.kind,
      [...new Set(f.tags.map((t) => t.toLowerCase()))],
      queue?.code ?? null,
      f.escalation?.reason ?? null,
    ];
  }

  /**
   * Applies the macro to the ticket as the person: reply, then status and kind, then tags, then the escalation,
   * each through the service the person's own request uses, all in one transaction. What can be checked before
   * the transaction is (scope, the answer's language and placeholders, the tags); a step refused inside it all the
   * same (a reply collision, a ticket already in the queue) leaves the ticket exactly as it was.
   */
  async apply(
    user: AuthUser,
    reference: string,
    id: string,
    dto: ApplyMacroDto,
    context: { requestId?: string; ip?: string; idempotencyKey?: string },
  ): Promise<{ reference: string; applied: AppliedStep[] }> {
    const ticket = await this.tickets.answerContext(user, reference);
    const macro = await this.row(user, id);
    if (macro.institution_id && macro.institution_id !== ticket.institutionId) {
      throw validationProblem([
        { field: 'macro', code: 'otherInstitution', message: `the macro is ${macro.institution}'s; ${ticket.reference} is not its ticket` },
      ]);
    }
    let reply: { text: string; language: string } | null = null;
    if (macro.canned_answer_id) {
      const answer = await this.answers.row(user, macro.canned_answer_id);
      const rendered = await this.answers.render(answer, ticket);
      if (rendered.missing.length) {
        throw validationProblem([
          {
            field: 'macro',
            code: 'placeholderUnfilled',
            message: `${ticket.reference} has no value for ${rendered.missing.map((p) => `{{${p}}}`).join(', ')}; reply by hand with the answer instead`,
          },
        ]);
      }
      reply = rendered;
    }
    if (macro.add_tags.length) await this.vocabulary.resolve(this.dataSource.manager, ticket.institutionId, macro.add_tags, 'macro.tags');
    let toLevel: number | null = null;
    if (macro.escalate_queue) {
      const [queue] = await this.dataSource.query('SELECT level FROM queues WHERE code = $1', [macro.escalate_queue]);
      if (!queue)
        throw validationProblem([
          { field: 'macro', code: 'unknownQueue', message: `the queue ${macro.escalate_queue} no longer exists; change the macro` },
        ]);
      toLevel = queue.level;
    }

    // One transaction for every step: a step refused midway (someone replied meanwhile, the ticket already sits in
    // the queue) rolls back the steps before it, and the effects (delivery, timers, webhooks, the routing pass,
    // realtime) leave once, after commit, exactly as a person's own requests' effects would.
    const applied = await this.effects.transaction(async (m, fx) => {
      const steps: AppliedStep[] = [];
      if (reply) {
        const stored = await this.messages.replyIn(
          m,
          fx,
          user,
          ticket.reference,
          {
            text: reply.text,
            html: null,
            attachments: [],
            idempotencyKey: context.idempotencyKey,
            lastSeenMessageId: dto.lastSeenMessageId,
            force: dto.force,
          },
          this.ingest.mailDomain,
        );
        steps.push({ step: 'reply', messageId: stored.id, deliveryStatus: stored.deliveryStatus, language: reply.language });
      }
      if (macro.set_status || macro.set_kind) {
        const change: Record<string, string> = {};
        if (macro.set_status) change.status = macro.set_status;
        if (macro.set_kind) change.kind = macro.set_kind;
        const result = await this.actions.updateIn(m, fx, user, ticket.reference, change, { requestId: context.requestId });
        steps.push({ step: 'update', status: result.status });
      }
      if (macro.add_tags.length) {
        const result = await this.ticketTags.addIn(m, user, ticket.reference, macro.add_tags, { requestId: context.requestId });
        steps.push({ step: 'tags', tags: result.tags });
      }
      if (macro.escalate_queue && toLevel !== null) {
        const moved = await this.levels.moveIn(
          m,
          fx,
          user,
          ticket.reference,
          { toLevel, queue: macro.escalate_queue, reason: macro.escalate_reason ?? macro.name },
          context,
        );
        steps.push({ step: 'escalation', toLevel: moved.toLevel, toQueue: moved.toQueue, reason: macro.escalate_reason ?? macro.name });
      }
      await this.answers.recordUse(
        { macroId: macro.id, cannedAnswerId: reply ? macro.canned_answer_id : null, agentId: user.id, ticketId: ticket.id },
        m,
      );
      // Tags alone add no effect of their own; everyone who may see the ticket still hears of it, as after a person's tagging.
      fx.ticketsChanged([ticket.id]);
      return steps;
    });
    return { reference: ticket.reference, applied };
  }
}

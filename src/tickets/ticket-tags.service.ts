import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser, ticketScope, ticketScopeSql } from '../auth/auth-user';
import { ProblemException } from '../common/problem';
import { returnedRows } from '../database/rows';
import { TagsService } from '../tags/tags.service';
import { TICKET_ROW_LOCK } from './repositories/tickets.repository';

type TaggedTicket = { id: string; reference: string; institution_id: string | null; status: string };

/**
 * Tags on tickets (table ticket_tags). Each change runs on the ticket locked (as TicketsRepository.lock locks it), as
 * every ticket change does, and is audited as the person's; only names of the vocabulary that applies to the ticket
 * are taken.
 */
@Injectable()
export class TicketTagsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly vocabulary: TagsService,
    private readonly audit: AuditService,
  ) {}

  /** Adds the tags the ticket has not got yet; answers every tag it has now. */
  async add(user: AuthUser, reference: string, names: string[], context: { requestId?: string }): Promise<{ tags: string[] }> {
    return this.dataSource.transaction((m) => this.addIn(m, user, reference, names, context));
  }

  /** Adding tags on the caller's transaction (a macro's step), the ticket locked there. */
  async addIn(
    m: EntityManager,
    user: AuthUser,
    reference: string,
    names: string[],
    context: { requestId?: string },
  ): Promise<{ tags: string[] }> {
    const t = await this.lockIn(m, user, reference);
    const tags = await this.vocabulary.resolve(m, t.institution_id, names, 'tags');
    const added: Array<{ tag_id: string }> = await m.query(
      `INSERT INTO ticket_tags (ticket_id, tag_id, added_by_id) SELECT $1, unnest($2::uuid[]), $3 ON CONFLICT DO NOTHING RETURNING tag_id`,
      [t.id, tags.map((g) => g.id), user.id],
    );
    if (added.length > 0) {
      await m.query('UPDATE tickets SET updated_at = now() WHERE id = $1', [t.id]);
      const addedNames = tags.filter((g) => added.some((a) => a.tag_id === g.id)).map((g) => g.name);
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'ticket.tagged',
            subjectType: 'ticket',
            subjectId: t.id,
            detail: { reference: t.reference, tags: addedNames },
            requestId: context.requestId ?? null,
          },
        ],
        m,
      );
    }
    return { tags: await this.tagsOf(m, t.id) };
  }

  async remove(user: AuthUser, reference: string, name: string, context: { requestId?: string }): Promise<{ tags: string[] }> {
    return this.withTicket(user, reference, async (m, t) => {
      const removed = returnedRows<{ name: string }>(
        await m.query(
          `DELETE FROM ticket_tags tt USING tags g WHERE tt.ticket_id = $1 AND g.id = tt.tag_id AND lower(g.name) = lower($2) RETURNING g.name`,
          [t.id, name],
        ),
      );
      if (removed.length === 0)
        throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `${t.reference} has no tag ${name}.`);
      await m.query('UPDATE tickets SET updated_at = now() WHERE id = $1', [t.id]);
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'ticket.untagged',
            subjectType: 'ticket',
            subjectId: t.id,
            detail: { reference: t.reference, tags: removed.map((r) => r.name) },
            requestId: context.requestId ?? null,
          },
        ],
        m,
      );
      return { tags: await this.tagsOf(m, t.id) };
    });
  }

  /**
   * Tickets per tag received on the days from..to (Riga time, inclusive), with how many of them are still open,
   * within the caller's scope: which subjects the work is made of. A merged ticket counts in the one it went into.
   */
  async report(
    user: AuthUser,
    q: { from: string; to: string; institution: string | null },
  ): Promise<Array<{ tag: string; institution: string | null; tickets: number; open: number; resolved: number }>> {
    const params: unknown[] = [q.from, q.to, q.institution?.toUpperCase() ?? null];
    const scopeSql = ticketScopeSql(ticketScope(user), 't', (v) => `$${params.push(v)}`);
    return this.dataSource.query(
      `SELECT g.name AS tag, (SELECT code FROM institutions i WHERE i.id = g.institution_id) AS institution, count(*)::int AS tickets,
              count(*) FILTER (WHERE t.status NOT IN ('resolved', 'closed'))::int AS open,
              count(*) FILTER (WHERE t.status IN ('resolved', 'closed'))::int AS resolved
       FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id JOIN tickets t ON t.id = tt.ticket_id
       WHERE t.created_at >= ($1::date)::timestamp AT TIME ZONE 'Europe/Riga' AND t.created_at < ($2::date + 1)::timestamp AT TIME ZONE 'Europe/Riga'
         AND t.merged_into_id IS NULL AND ($3::text IS NULL OR t.institution_id = (SELECT id FROM institutions WHERE code = $3)) ${scopeSql}
       GROUP BY g.id ORDER BY tickets DESC, g.name`,
      params,
    );
  }

  private async tagsOf(m: EntityManager, ticketId: string): Promise<string[]> {
    const rows: Array<{ name: string }> = await m.query(
      'SELECT g.name FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.ticket_id = $1 ORDER BY g.name',
      [ticketId],
    );
    return rows.map((r) => r.name);
  }

  private withTicket<T>(user: AuthUser, reference: string, work: (m: EntityManager, t: TaggedTicket) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (m) => work(m, await this.lockIn(m, user, reference)));
  }

  private async lockIn(m: EntityManager, user: AuthUser, reference: string): Promise<TaggedTicket> {
    const params: unknown[] = [reference.toUpperCase()];
    const [ticket] = await m.query(
      `SELECT t.id, t.reference, t.institution_id, t.status FROM tickets t WHERE t.reference = $1 ${ticketScopeSql(ticketScope(user), 't', (v) => `$${params.push(v)}`)} ${TICKET_ROW_LOCK}`,
      params,
    );
    if (!ticket) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No ticket ${reference} that you may see.`);
    return ticket;
  }
}

import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { FieldError, ProblemException, validationProblem } from '../common/problem';
import { returnedRows } from '../database/rows';
import { TicketsRepository } from '../tickets/repositories/tickets.repository';
import { normalizedIdentifier } from './customers.service';
import { SplitCustomerDto } from './dto/customer.dto';

/** How long anyone may undo a merge: long enough for a colleague to notice a wrong one on the next shift. */
export const MERGE_UNDO_DAYS = 7;

type Row = Record<string, any>;

/**
 * Merging two records of one person, undoing a merge, and splitting a record that holds two people. Nothing is
 * lost either way: a merge moves every ticket and identifier and keeps the list of what moved, so an undo (by
 * anyone who may merge, within MERGE_UNDO_DAYS) moves exactly those back; a split moves the chosen ones to a new
 * record. These are centre-wide work (operators, supervisors): a record's tickets span institutions.
 */
@Injectable()
export class CustomerMergesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly tickets: TicketsRepository,
  ) {}

  async merge(user: AuthUser, keptId: string, mergedId: string, context: { requestId?: string }) {
    if (keptId === mergedId) throw validationProblem([{ field: 'from', code: 'same', message: 'a record is not merged into itself' }]);
    return this.dataSource.transaction(async (m) => {
      // Both rows locked in one statement, in a fixed order, so two opposite merges cannot deadlock.
      const rows: Row[] = await m.query('SELECT id, merged_into_id FROM customers WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [
        [keptId, mergedId],
      ]);
      const kept = rows.find((r) => r.id === keptId);
      const merged = rows.find((r) => r.id === mergedId);
      if (!kept) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No customer ${keptId}.`);
      if (!merged) throw validationProblem([{ field: 'from', code: 'unknown', message: 'no customer has this id' }]);
      if (kept.merged_into_id)
        throw validationProblem([{ field: 'id', code: 'merged', message: 'this record is merged into another: merge into that one' }]);
      if (merged.merged_into_id)
        throw validationProblem([{ field: 'from', code: 'merged', message: 'that record is already merged into another' }]);
      const tickets = (await this.tickets.moveToCustomer(m, { from: mergedId, to: keptId })).map((id) => ({ id }));
      const identifiers = returnedRows<{ id: string }>(
        await m.query('UPDATE customer_identifiers SET customer_id = $2 WHERE customer_id = $1 RETURNING id', [mergedId, keptId]),
      );
      await m.query('UPDATE customers SET merged_into_id = $2, updated_at = now() WHERE id = $1', [mergedId, keptId]);
      await m.query('UPDATE customers SET updated_at = now() WHERE id = $1', [keptId]);
      const [row] = await m.query(
        `INSERT INTO customer_merges (kept_customer_id, merged_customer_id, ticket_ids, identifier_ids, actor_agent_id, undo_until)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6)) RETURNING id, undo_until`,
        [keptId, mergedId, tickets.map((t) => t.id), identifiers.map((i) => i.id), user.id, MERGE_UNDO_DAYS],
      );
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'customer.merged',
            subjectType: 'customer',
            subjectId: keptId,
            detail: { merge: row.id, from: mergedId, tickets: tickets.length, identifiers: identifiers.length },
            requestId: context.requestId ?? null,
          },
        ],
        m,
      );
      return {
        merge: {
          id: row.id as string,
          kept: keptId,
          merged: mergedId,
          tickets: tickets.length,
          identifiers: identifiers.length,
          undoUntil: row.undo_until as Date,
        },
      };
    });
  }

  /** Moves back exactly what the merge moved (what was split off since stays where it went) and revives the record. */
  async undo(user: AuthUser, mergeId: string, context: { requestId?: string }) {
    return this.dataSource.transaction(async (m) => {
      const [merge]: Row[] = await m.query('SELECT *, undo_until < now() AS expired FROM customer_merges WHERE id = $1 FOR UPDATE', [
        mergeId,
      ]);
      if (!merge) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No customer merge ${mergeId}.`);
      if (merge.undone_at)
        throw new ProblemException(HttpStatus.CONFLICT, 'already-undone', 'Already undone', 'This merge was undone already.');
      if (merge.expired)
        throw new ProblemException(
          HttpStatus.CONFLICT,
          'undo-window-over',
          'Too late to undo',
          `A merge can be undone for ${MERGE_UNDO_DAYS} days; split the record instead.`,
        );
      await m.query('SELECT id FROM customers WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [
        [merge.kept_customer_id, merge.merged_customer_id],
      ]);
      const tickets = await this.tickets.moveToCustomer(m, {
        from: merge.kept_customer_id,
        ids: merge.ticket_ids,
        to: merge.merged_customer_id,
      });
      const identifiers = returnedRows(
        await m.query('UPDATE customer_identifiers SET customer_id = $2 WHERE id = ANY($1::uuid[]) AND customer_id = $3 RETURNING id', [
          merge.identifier_ids,
          merge.merged_customer_id,
          merge.kept_customer_id,
        ]),
      );
      await m.query('UPDATE customers SET merged_into_id = NULL, updated_at = now() WHERE id = $1', [merge.merged_customer_id]);
      await m.query('UPDATE customer_merges SET undone_at = now(), undone_by_id = $2 WHERE id = $1', [mergeId, user.id]);
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'customer.merge_undone',
            subjectType: 'customer',
            subjectId: merge.kept_customer_id,
            detail: { merge: mergeId, restored: merge.merged_customer_id, tickets: tickets.length, identifiers: identifiers.length },
            requestId: context.requestId ?? null,
          },
        ],
        m,
      );
      return {
        merge: mergeId,
        kept: merge.kept_customer_id as string,
        restored: merge.merged_customer_id as string,
        tickets: tickets.length,
        identifiers: identifiers.length,
      };
    });
  }

  /** A new record for the other person, with the identifiers and tickets named (each must be this record's). */
  async split(user: AuthUser, id: string, dto: SplitCustomerDto, context: { requestId?: string }) {
    const wanted = dto.identifiers ?? [];
    const references = (dto.tickets ?? []).map((r) => r.toUpperCase());
    if (!wanted.length && !references.length)
      throw validationProblem([
        { field: 'identifiers', code: 'nothingToSplit', message: "name the identifiers or tickets that are the other person's" },
      ]);
    return this.dataSource.transaction(async (m: EntityManager) => {
      const [customer]: Row[] = await m.query('SELECT id, merged_into_id FROM customers WHERE id = $1 FOR UPDATE', [id]);
      if (!customer) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No customer ${id}.`);
      const errors: FieldError[] = [];
      const identifierIds: string[] = [];
      for (const [i, w] of wanted.entries()) {
        const normalized = normalizedIdentifier(w.kind, w.value);
        const [held]: Row[] =
          'error' in normalized
            ? []
            : await m.query('SELECT id FROM customer_identifiers WHERE customer_id = $1 AND kind = $2 AND value = $3', [
                id,
                w.kind,
                normalized.value,
              ]);
        if (held) identifierIds.push(held.id);
        else errors.push({ field: `identifiers[${i}]`, code: 'notHere', message: 'this record holds no such identifier' });
      }
      const tickets: Row[] = references.length
        ? await m.query('SELECT id, reference FROM tickets WHERE customer_id = $1 AND reference = ANY($2::text[])', [id, references])
        : [];
      references.forEach((r, i) => {
        if (!tickets.some((t) => t.reference === r))
          errors.push({ field: `tickets[${i}]`, code: 'notHere', message: `${r} is not this record's ticket` });
      });
      if (errors.length) throw validationProblem(errors);
      const [created] = await m.query('INSERT INTO customers (first_name, last_name) VALUES ($1, $2) RETURNING id', [
        dto.firstName?.trim() || null,
        dto.lastName?.trim() || null,
      ]);
      if (identifierIds.length)
        await m.query('UPDATE customer_identifiers SET customer_id = $2 WHERE id = ANY($1::uuid[])', [identifierIds, created.id]);
      if (tickets.length) await this.tickets.moveToCustomer(m, { ids: tickets.map((t) => t.id as string), to: created.id });
      await m.query('UPDATE customers SET updated_at = now() WHERE id = $1', [id]);
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'customer.split',
            subjectType: 'customer',
            subjectId: id,
            detail: { into: created.id, identifiers: identifierIds.length, tickets: tickets.map((t) => t.reference) },
            requestId: context.requestId ?? null,
          },
        ],
        m,
      );
      return { id: created.id as string, identifiers: identifierIds.length, tickets: tickets.map((t) => t.reference) };
    });
  }
}

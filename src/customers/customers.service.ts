import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { maskPersonalCode, normalizePersonalCode } from '@lib/personal-code';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser, maySeePersonalCodes, ticketScope, ticketScopeSql } from '../auth/auth-user';
import { ProblemException, validationProblem } from '../common/problem';
import { phoneNumber } from '../tickets/ticket-search';
import { strongerProvenance, type Provenance } from './customer-matching';
import { LinkIdentifierDto, UpdateCustomerDto } from './dto/customer.dto';

type Row = Record<string, any>;

const encodeCursor = (createdAt: string, id: string) => Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
function decodeCursor(raw: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)) || !/^[0-9a-f-]{36}$/.test(id)) throw new Error();
    return { createdAt, id };
  } catch {
    throw validationProblem([{ field: 'cursor', code: 'invalid', message: 'cursor is not one this API gave out' }]);
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The identifier as customer_identifiers stores it, or the reason it is not one. */
export function normalizedIdentifier(kind: string, raw: string): { value: string } | { error: string } {
  const value = raw.trim();
  if (kind === 'email') return EMAIL.test(value) ? { value: value.toLowerCase() } : { error: 'not an e-mail address' };
  if (kind === 'phone') {
    const phone = phoneNumber(value);
    return phone ? { value: phone } : { error: 'not a phone number (e.g. +371 2000 0001)' };
  }
  if (kind === 'personal_code') {
    const code = normalizePersonalCode(value);
    return code ? { value: code } : { error: 'not a valid personas kods' };
  }
  return value.length > 0 ? { value } : { error: 'empty' };
}

/**
 * Customers as a record of their own: search, the profile with every identifier and one timeline of all their
 * tickets across channels, the preferences staff record, and identifiers linked by hand. Institution staff see a
 * customer only through a ticket they may see, and only those tickets on the timeline; a customer they may not see
 * answers 404 like a missing id. The ingest's matching (customer-matching.ts) stays the one rule for new contacts.
 */
@Injectable()
export class CustomersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async search(user: AuthUser, raw: string, page: { cursor?: string; limit?: number }) {
    const q = raw.trim();
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    const byIdentifier: Array<{ kind: string; value: string }> = [];
    if (EMAIL.test(q)) byIdentifier.push({ kind: 'email', value: q.toLowerCase() });
    const code = normalizePersonalCode(q);
    if (code) byIdentifier.push({ kind: 'personal_code', value: code });
    const phone = !code ? phoneNumber(q) : null;
    if (phone) byIdentifier.push({ kind: 'phone', value: phone });
    const words = byIdentifier.length ? [] : q.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    if (!byIdentifier.length && !words.length)
      throw validationProblem([
        { field: 'q', code: 'invalid', message: 'search by words of the name, an e-mail address, a phone number or a personas kods' },
      ]);
    const match = byIdentifier.length
      ? `EXISTS (SELECT 1 FROM customer_identifiers ci WHERE ci.customer_id = c.id AND (ci.kind, ci.value) IN (${byIdentifier.map((i) => `(${p(i.kind)}, ${p(i.value)})`).join(', ')}))`
      : `to_tsvector('simple'::regconfig, kb_unaccent(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, ''))) @@ to_tsquery('simple', kb_unaccent(${p(words.map((w) => `${w}:*`).join(' & '))}))`;
    const where = [match, 'c.merged_into_id IS NULL', this.visibleSql(user, 'c', p)].filter(Boolean);
    if (page.cursor) {
      const c = decodeCursor(page.cursor);
      where.push(`(c.created_at, c.id) < (${p(c.createdAt)}::timestamptz, ${p(c.id)}::uuid)`);
    }
    const limit = page.limit ?? 50;
    const scopeParams = ticketScopeSql(ticketScope(user), 't', p);
    const rows: Row[] = await this.dataSource.query(
      `SELECT c.id, c.first_name, c.last_name, c.preferred_language, c.preferred_channel,
              to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at,
              (SELECT count(*)::int FROM tickets t WHERE t.customer_id = c.id ${scopeParams}) AS tickets
       FROM customers c WHERE ${where.join(' AND ')} ORDER BY c.created_at DESC, c.id DESC LIMIT ${p(limit + 1)}`,
      params,
    );
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map((r) => ({
        id: r.id,
        firstName: r.first_name,
        lastName: r.last_name,
        preferredLanguage: r.preferred_language,
        preferredChannel: r.preferred_channel,
        tickets: r.tickets,
      })),
      nextCursor: rows.length > limit && last ? encodeCursor(last.cursor_at, last.id) : null,
    };
  }

  /** The profile: names, preferences, every identifier with its provenance (personas kods masked as on a ticket), and the timeline. */
  async profile(user: AuthUser, id: string, context: { ip?: string; requestId?: string }) {
    const customer = await this.visible(user, id);
    const params: unknown[] = [id];
    const scopeSql = ticketScopeSql(ticketScope(user), 't', (v) => `$${params.push(v)}`);
    const [identifiers, tickets, merges]: Row[][] = await Promise.all([
      this.dataSource.query(
        'SELECT kind, value, provenance, created_at FROM customer_identifiers WHERE customer_id = $1 ORDER BY kind, value',
        [id],
      ),
      this.dataSource.query(
        `SELECT t.reference, t.channel, t.status, t.kind, t.level, t.subject, t.language, t.created_at, t.resolved_at, t.closed_at,
                (SELECT code FROM institutions i WHERE i.id = t.institution_id) AS institution,
                (SELECT reference FROM tickets mi WHERE mi.id = t.merged_into_id) AS merged_into,
                (SELECT count(*)::int FROM messages ms WHERE ms.ticket_id = t.id AND NOT ms.internal) AS messages,
                (SELECT max(ms.created_at) FROM messages ms WHERE ms.ticket_id = t.id AND NOT ms.internal) AS last_message_at
         FROM tickets t WHERE t.customer_id = $1 ${scopeSql} ORDER BY t.created_at DESC, t.id DESC LIMIT 500`,
        params,
      ),
      this.dataSource.query(
        `SELECT id, merged_customer_id, created_at, undo_until, actor_agent_id FROM customer_merges
         WHERE kept_customer_id = $1 AND undone_at IS NULL AND undo_until > now() ORDER BY created_at DESC`,
        [id],
      ),
    ]);
    const unmasked = maySeePersonalCodes(user);
    const codes = identifiers.filter((i) => i.kind === 'personal_code');
    if (unmasked && codes.length) {
      await this.audit.record([
        {
          actorAgentId: user.id,
          action: 'personal_code.read',
          subjectType: 'customer',
          subjectId: id,
          detail: { via: 'customer profile', count: codes.length },
          ip: context.ip ?? null,
          requestId: context.requestId ?? null,
        },
      ]);
    }
    return {
      id,
      firstName: customer.first_name,
      lastName: customer.last_name,
      preferredLanguage: customer.preferred_language,
      preferredChannel: customer.preferred_channel,
      createdAt: customer.created_at,
      mergedInto: customer.merged_into_id,
      // Merges into this record that may still be undone (POST /v1/customers/merges/{id}/undo).
      merges: merges.map((x) => ({
        id: x.id,
        from: x.merged_customer_id,
        at: x.created_at,
        undoUntil: x.undo_until,
        by: x.actor_agent_id,
      })),
      identifiers: identifiers.map((i) => ({
        kind: i.kind,
        value: i.kind === 'personal_code' && !unmasked ? maskPersonalCode(i.value) : i.value,
        masked: i.kind === 'personal_code' && !unmasked,
        provenance: i.provenance,
        since: i.created_at,
      })),
      channels: [...new Set(tickets.map((t) => t.channel))],
      // Every ticket of theirs the person may see, whatever channel it came on, newest first.
      timeline: tickets.map((t) => ({
        reference: t.reference,
        channel: t.channel,
        institution: t.institution,
        status: t.status,
        kind: t.kind,
        level: t.level,
        subject: t.subject,
        language: t.language,
        messages: t.messages,
        lastMessageAt: t.last_message_at,
        createdAt: t.created_at,
        resolvedAt: t.resolved_at,
        closedAt: t.closed_at,
        mergedInto: t.merged_into,
      })),
    };
  }

  async update(user: AuthUser, id: string, dto: UpdateCustomerDto, context: { requestId?: string }) {
    await this.dataSource.transaction(async (m) => {
      const before = await this.visible(user, id, m, true);
      const next = {
        first_name: dto.firstName === undefined ? before.first_name : dto.firstName?.trim() || null,
        last_name: dto.lastName === undefined ? before.last_name : dto.lastName?.trim() || null,
        preferred_language: dto.preferredLanguage === undefined ? before.preferred_language : dto.preferredLanguage,
        preferred_channel: dto.preferredChannel === undefined ? before.preferred_channel : dto.preferredChannel,
      };
      await m.query(
        'UPDATE customers SET first_name = $2, last_name = $3, preferred_language = $4, preferred_channel = $5, updated_at = now() WHERE id = $1',
        [id, next.first_name, next.last_name, next.preferred_language, next.preferred_channel],
      );
      const changed = Object.fromEntries(
        Object.entries(next)
          .filter(([k, v]) => before[k] !== v)
          .map(([k, v]) => [k, { from: before[k], to: v }]),
      );
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'customer.updated',
            subjectType: 'customer',
            subjectId: id,
            detail: changed,
            requestId: context.requestId ?? null,
          },
        ],
        m,
      );
    });
    return this.profile(user, id, context);
  }

  /**
   * Staff link an identifier to the person by hand, having verified it with them: it is recorded as `staff`
   * provenance (customer-matching.ts), so a later contact proving it joins this record. An identifier another record
   * holds is refused (409): which of the two records is the person is for a merge to decide, not for a link.
   */
  async linkIdentifier(user: AuthUser, id: string, dto: LinkIdentifierDto, context: { ip?: string; requestId?: string }) {
    const normalized = normalizedIdentifier(dto.kind, dto.value);
    if ('error' in normalized) throw validationProblem([{ field: 'value', code: 'invalid', message: normalized.error }]);
    await this.dataSource.transaction(async (m) => {
      await this.visible(user, id, m, true);
      const [held]: Row[] = await m.query(
        'SELECT customer_id, provenance FROM customer_identifiers WHERE kind = $1 AND value = $2 FOR UPDATE',
        [dto.kind, normalized.value],
      );
      if (held && held.customer_id !== id) {
        throw new ProblemException(
          HttpStatus.CONFLICT,
          'identifier-held',
          'Held by another record',
          'Another customer record holds this identifier; if both are this person, the records are to be merged.',
        );
      }
      if (held) {
        const provenance = strongerProvenance(held.provenance as Provenance, 'staff');
        await m.query('UPDATE customer_identifiers SET provenance = $3 WHERE kind = $1 AND value = $2', [
          dto.kind,
          normalized.value,
          provenance,
        ]);
      } else {
        await m.query(`INSERT INTO customer_identifiers (customer_id, kind, value, provenance) VALUES ($1, $2, $3, 'staff')`, [
          id,
          dto.kind,
          normalized.value,
        ]);
      }
      await m.query('UPDATE customers SET updated_at = now() WHERE id = $1', [id]);
      const shown = dto.kind === 'personal_code' ? maskPersonalCode(normalized.value) : normalized.value;
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'customer.identifier_linked',
            subjectType: 'customer',
            subjectId: id,
            detail: { kind: dto.kind, value: shown, before: held?.provenance ?? null },
            ip: context.ip ?? null,
            requestId: context.requestId ?? null,
          },
        ],
        m,
      );
    });
    return this.profile(user, id, context);
  }

  /** Institution staff see a customer only through a ticket they may see; everyone else answers as missing. */
  private visibleSql(user: AuthUser, alias: string, p: (v: unknown) => string): string {
    const scope = ticketScope(user);
    if (scope.all) return '';
    return `EXISTS (SELECT 1 FROM tickets t WHERE t.customer_id = ${alias}.id ${ticketScopeSql(scope, 't', p)})`;
  }

  private async visible(user: AuthUser, id: string, m: EntityManager | DataSource = this.dataSource, lock = false): Promise<Row> {
    const params: unknown[] = [id];
    const visibility = this.visibleSql(user, 'c', (v) => `$${params.push(v)}`);
    const [row]: Row[] = await m.query(
      `SELECT c.id, c.first_name, c.last_name, c.preferred_language, c.preferred_channel, c.merged_into_id, c.created_at FROM customers c WHERE c.id = $1 ${visibility ? `AND ${visibility}` : ''}${lock ? ' FOR UPDATE OF c' : ''}`,
      params,
    );
    if (!row) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No customer ${id} that you may see.`);
    return row;
  }
}

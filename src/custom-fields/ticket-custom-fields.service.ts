import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { changedValues, checkValues, CustomFieldType, CustomFieldValue } from '@lib/custom-fields';
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser, ticketScope, ticketScopeSql } from '../auth/auth-user';
import { ProblemException, validationProblem } from '../common/problem';
import { TicketsRepository } from '../tickets/repositories/tickets.repository';
import { TicketChanges } from '../tickets/ticket-changes.service';
import { TicketEffectsPublisher } from '../tickets/ticket-effects.publisher';

export interface TicketCustomField {
  key: string;
  labels: { lv: string; en: string };
  type: CustomFieldType;
  choices: string[];
  required: boolean;
  /** Switched off: shown with the value it had, takes no new one. */
  active: boolean;
  value: CustomFieldValue | null;
}

interface FieldRow {
  id: string;
  key: string;
  label_lv: string;
  label_en: string;
  type: CustomFieldType;
  choices: string[];
  required: boolean;
  active: boolean;
  value: CustomFieldValue | null;
}

const notFound = (reference: string) =>
  new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No ticket ${reference} that you may see.`);

/**
 * A ticket's custom field values (table ticket_custom_field_values): its institution's fields only, read and set by
 * whoever may see the ticket (the ticket scope, so another institution's specialist gets 404 as for the ticket).
 * Setting them is a ticket change like any other: on the ticket locked (TicketsRepository.lock), then TicketChanges
 * writes the history, audit event and webhook delivery, and the effects leave after commit.
 */
@Injectable()
export class TicketCustomFieldsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly effects: TicketEffectsPublisher,
    private readonly tickets: TicketsRepository,
    private readonly changes: TicketChanges,
  ) {}

  async get(user: AuthUser, reference: string): Promise<{ reference: string; fields: TicketCustomField[] }> {
    const params: unknown[] = [reference.toUpperCase()];
    const [ticket]: Array<{ id: string; reference: string; institution_id: string | null }> = await this.dataSource.query(
      `SELECT t.id, t.reference, t.institution_id FROM tickets t WHERE t.reference = $1 ${ticketScopeSql(ticketScope(user), 't', (v) => `$${params.push(v)}`)}`,
      params,
    );
    if (!ticket) throw notFound(reference);
    return {
      reference: ticket.reference,
      fields: (await this.fieldsOf(this.dataSource.manager, ticket)).filter((f) => f.active || f.value !== null).map(fieldView),
    };
  }

  /** The ticket's whole set of values: a field left out or null is cleared; switched-off fields keep theirs. */
  async set(
    user: AuthUser,
    reference: string,
    given: Record<string, unknown>,
    context: { requestId?: string; ip?: string },
  ): Promise<{ reference: string; fields: TicketCustomField[] }> {
    const scope = ticketScope(user);
    await this.effects.transaction(async (m, fx) => {
      const params: unknown[] = [reference.toUpperCase()];
      const [ticket] = await this.tickets.lockWhere(
        m,
        `t.reference = $1 ${ticketScopeSql(scope, 't', (v) => `$${params.push(v)}`)}`,
        params,
      );
      if (!ticket) throw notFound(reference);
      const fields = await this.fieldsOf(m, ticket);
      const { values, problems } = checkValues(fields, given);
      if (problems.length) throw validationProblem(problems);
      const before = Object.fromEntries(
        fields.filter((f) => f.active && f.value !== null).map((f) => [f.key, f.value as CustomFieldValue]),
      );
      const changes = changedValues(before, values);
      if (changes.length === 0) return;
      const byKey = new Map(fields.map((f) => [f.key, f]));
      const cleared = changes.filter((c) => c.to === null).map((c) => byKey.get(c.key)!.id);
      const written = changes.filter((c) => c.to !== null);
      if (cleared.length)
        await m.query('DELETE FROM ticket_custom_field_values WHERE ticket_id = $1 AND field_id = ANY($2::uuid[])', [ticket.id, cleared]);
      if (written.length) {
        await m.query(
          `INSERT INTO ticket_custom_field_values (ticket_id, field_id, value, updated_by_id)
           SELECT $1, f, v, $4 FROM unnest($2::uuid[], $3::jsonb[]) AS x(f, v)
           ON CONFLICT (ticket_id, field_id) DO UPDATE SET value = excluded.value, updated_by_id = excluded.updated_by_id, updated_at = now()`,
          [ticket.id, written.map((c) => byKey.get(c.key)!.id), written.map((c) => JSON.stringify(c.to)), user.id],
        );
      }
      await this.changes.customFieldsChanged(m, fx, ticket, changes, { agentId: user.id, requestId: context.requestId, ip: context.ip });
    });
    return this.get(user, reference);
  }

  /** The fields of the ticket's institution with the ticket's value of each; none for a ticket with no institution yet. */
  private async fieldsOf(m: EntityManager, ticket: { id: string; institution_id: string | null }): Promise<FieldRow[]> {
    if (!ticket.institution_id) return [];
    return m.query(
      `SELECT d.id, d.key, d.label_lv, d.label_en, d.type, d.choices, d.required, d.active, v.value
       FROM custom_field_definitions d LEFT JOIN ticket_custom_field_values v ON v.field_id = d.id AND v.ticket_id = $2
       WHERE d.institution_id = $1 ORDER BY d.position, d.key`,
      [ticket.institution_id, ticket.id],
    );
  }
}

function fieldView(f: FieldRow): TicketCustomField {
  return {
    key: f.key,
    labels: { lv: f.label_lv, en: f.label_en },
    type: f.type,
    choices: f.choices,
    required: f.required,
    active: f.active,
    value: f.value,
  };
}

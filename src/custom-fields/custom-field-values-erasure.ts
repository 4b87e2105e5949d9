import type { EntityManager } from 'typeorm';

/**
 * Takes the tickets' custom field values away, in the caller's transaction (an erasure's or retention's): a case
 * number or a free-text field may say who the ticket is about, and the reports count nothing by them. This module
 * owns the table; src/privacy calls this rather than writing it. Answers how many values went; a second run, none.
 */
export async function eraseCustomFieldValues(m: EntityManager, ticketIds: string[]): Promise<number> {
  const [, count] = await m.query<[unknown, number]>('DELETE FROM ticket_custom_field_values WHERE ticket_id = ANY($1::uuid[])', [
    ticketIds,
  ]);
  return count;
}

import type { EntityManager } from 'typeorm';
import { eraseTicketContent } from '../tickets/ticket-content-erasure';
import { eraseCustomFieldValues } from '../custom-fields/custom-field-values-erasure';
import { forgetCallRecordings } from './recording-deletions';
import { CALLS_OF_TICKETS, chatSessionsOf } from './subject-data';
import type { FoundSubject } from './subject-finder';

/** What the first step of an erasure found, kept on the request (in `working`) for the steps after it. */
export interface ErasurePlan {
  eraseTicketIds: string[];
  eraseCustomerIds: string[];
  held: Array<{ ticketId: string; reference: string; reason: string }>;
  /**
   * Inbound events of the erased tickets, whose jobs go from Redis: an inbound job queued by an older version holds the
   * message (today's hold only the event's id), and a social message's file job holds the file's link.
   */
  events: Array<{ id: string; channel: string; externalId: string }>;
  chatSessions: string[];
  callSids: string[];
  /** Identifiers and names of the person, blanked wherever else they appear (the audit trail, other requests). */
  secrets: string[];
}

/** Free text in an audit entry about an erased ticket or customer: whatever staff wrote there may name the person. */
const FREE_TEXT_KEYS = ['reason', 'comment', 'summary', 'text', 'subject', 'to', 'note'];
export const ERASED = '[erased]';

/**
 * Decides what an erasure does: every ticket and record found goes, except tickets under legal hold, which stay
 * whole with the customer record they belong to (the held case must still say whom it concerns).
 */
export async function planErasure(m: EntityManager, found: FoundSubject, given: string[]): Promise<ErasurePlan> {
  const held: ErasurePlan['held'] = await m.query(
    `SELECT h.ticket_id AS "ticketId", t.reference, h.reason FROM legal_holds h JOIN tickets t ON t.id = h.ticket_id
     WHERE h.ticket_id = ANY($1::uuid[]) ORDER BY t.reference`,
    [found.ticketIds],
  );
  const heldIds = new Set(held.map((h) => h.ticketId));
  const eraseTicketIds = found.ticketIds.filter((id) => !heldIds.has(id));
  const keptCustomers: Array<{ id: string }> = await m.query(
    `SELECT DISTINCT customer_id AS id FROM tickets WHERE id = ANY($1::uuid[]) AND customer_id IS NOT NULL`,
    [[...heldIds]],
  );
  const kept = new Set(keptCustomers.map((c) => c.id));
  const eraseCustomerIds = found.customerIds.filter((id) => !kept.has(id));
  const events: ErasurePlan['events'] = await m.query(
    `SELECT id, channel, external_id AS "externalId" FROM inbound_events WHERE ticket_id = ANY($1::uuid[])`,
    [eraseTicketIds],
  );
  const calls: Array<{ call_sid: string }> = await m.query(CALLS_OF_TICKETS, [eraseTicketIds]);
  const strings: Array<{ s: string | null }> = await m.query(
    `SELECT value AS s FROM customer_identifiers WHERE customer_id = ANY($1::uuid[])
     UNION SELECT first_name FROM customers WHERE id = ANY($1::uuid[])
     UNION SELECT last_name FROM customers WHERE id = ANY($1::uuid[])
     UNION SELECT concat_ws(' ', first_name, last_name) FROM customers WHERE id = ANY($1::uuid[])
     UNION SELECT value FROM ticket_contacts WHERE ticket_id = ANY($2::uuid[])
     UNION SELECT payload->'from'->>'firstName' FROM inbound_events WHERE ticket_id = ANY($2::uuid[])
     UNION SELECT payload->'from'->>'lastName' FROM inbound_events WHERE ticket_id = ANY($2::uuid[])
     UNION SELECT payload->'from'->>'address' FROM inbound_events WHERE ticket_id = ANY($2::uuid[])`,
    [eraseCustomerIds, eraseTicketIds],
  );
  // Very short strings (an initial) would blank unrelated text; identifiers are never that short.
  const secrets = [...new Set([...given, ...strings.map((r) => r.s?.trim() ?? '')])].filter((s) => s.length >= 3);
  return {
    eraseTicketIds,
    eraseCustomerIds,
    held,
    events,
    chatSessions: await chatSessionsOf(m, eraseTicketIds),
    callSids: calls.map((c) => c.call_sid),
    secrets,
  };
}

/**
 * Blanks what tickets say while keeping them as counted facts (channel, institution, kind, status, times, CSAT
 * score), with their messages as empty rows, so every report gives the same figures before and after. Safe to run
 * again: a second run changes nothing. Erasure and retention share it.
 */
export async function anonymiseTickets(m: EntityManager, ticketIds: string[], callSids: string[]): Promise<Record<string, number>> {
  const t = ticketIds;
  const count = async (sql: string, params: unknown[]) => (await m.query<[unknown, number]>(sql, params))[1];
  // Tickets, their messages, files, moves and contacts belong to the tickets module, which blanks them.
  const changed: Record<string, number> = await eraseTicketContent(m, t);
  changed.customFieldValues = await eraseCustomFieldValues(m, t);
  // The stored raw event (the e-mail's headers and body, the form, the caller's number) keeps only its shape.
  changed.inboundEvents = await count(
    `UPDATE inbound_events SET payload = jsonb_build_object('erased', true, 'channel', channel), last_error = NULL
     WHERE ticket_id = ANY($1::uuid[]) AND NOT (payload ? 'erased')`,
    [t],
  );
  // Twilio's copy of a recording goes with our link to it (queued here, deleted there by the recording sweep).
  changed.callRecordings = await forgetCallRecordings(m, callSids);
  changed.calls = await count(
    `UPDATE calls SET from_number = '', to_number = NULL, callback_number = NULL
     WHERE call_sid = ANY($1::text[]) AND from_number <> ''`,
    [callSids],
  );
  return changed;
}

/**
 * Blanks the person in PostgreSQL, in one transaction (`m`): either all of it is gone or none of it, so nothing
 * half-erased is ever readable, and running it again changes nothing more.
 */
export async function eraseInDatabase(m: EntityManager, plan: ErasurePlan): Promise<Record<string, number>> {
  const count = async (sql: string, params: unknown[]) => (await m.query<[unknown, number]>(sql, params))[1];
  const changed = await anonymiseTickets(m, plan.eraseTicketIds, plan.callSids);
  changed.customerIdentifiers = await count(`DELETE FROM customer_identifiers WHERE customer_id = ANY($1::uuid[])`, [
    plan.eraseCustomerIds,
  ]);
  changed.customers = await count(
    `UPDATE customers SET first_name = NULL, last_name = NULL WHERE id = ANY($1::uuid[]) AND (first_name IS NOT NULL OR last_name IS NOT NULL)`,
    [plan.eraseCustomerIds],
  );
  changed.auditEvents = await redactAudit(m, plan);
  changed.otherRequests = await count(
    `UPDATE subject_requests SET identifiers = NULL, working = NULL, archive = NULL
     WHERE identifiers IS NOT NULL AND status IN ('done', 'failed')
       AND EXISTS (SELECT 1 FROM jsonb_array_elements(identifiers) e WHERE e->>'value' = ANY($1::text[]))`,
    [plan.secrets],
  );
  // A request's reason may name the person ("letter of …"): this one's and any other's.
  changed.requestReasons = await count(`UPDATE subject_requests SET reason = $2 WHERE reason ILIKE ANY($1::text[])`, [
    plan.secrets.map((s) => `%${s.replace(/[\\%_]/g, '\\$&')}%`),
    ERASED,
  ]);
  return changed;
}

/**
 * The audit trail keeps who did what to which record and when; only personal data inside `detail` is blanked, in
 * the one way its append-only trigger allows (vpppd.audit_redaction, for this transaction only).
 */
async function redactAudit(m: EntityManager, plan: ErasurePlan): Promise<number> {
  const subjects = [...plan.eraseTicketIds, ...plan.eraseCustomerIds];
  const patterns = plan.secrets.map(
    (s) =>
      `%${JSON.stringify(s)
        .slice(1, -1)
        .replace(/[\\%_]/g, '\\$&')}%`,
  );
  const rows: Array<{ id: string; subject_id: string; detail: unknown }> = await m.query(
    `SELECT id, subject_id, detail FROM audit_events WHERE subject_id = ANY($1::text[]) OR detail::text ILIKE ANY($2::text[])`,
    [subjects, patterns],
  );
  const heldIds = new Set(plan.held.map((h) => h.ticketId));
  const ofPerson = new Set(subjects);
  const lowered = plan.secrets.map((s) => s.toLowerCase());
  const scrub = (value: unknown, key?: string, dropFreeText = false): unknown => {
    if (typeof value === 'string') {
      if (dropFreeText && key && FREE_TEXT_KEYS.includes(key)) return ERASED;
      return lowered.some((s) => value.toLowerCase().includes(s)) ? ERASED : value;
    }
    if (Array.isArray(value)) return value.map((v) => scrub(v, key, dropFreeText));
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, k, dropFreeText)]));
    return value;
  };
  let changed = 0;
  await m.query(`SET LOCAL vpppd.audit_redaction = 'on'`);
  for (const row of rows) {
    if (heldIds.has(row.subject_id)) continue;
    const detail = scrub(row.detail, undefined, ofPerson.has(row.subject_id));
    if (JSON.stringify(detail) === JSON.stringify(row.detail)) continue;
    await m.query(`UPDATE audit_events SET detail = $2::jsonb WHERE id = $1`, [row.id, JSON.stringify(detail)]);
    changed++;
  }
  await m.query(`SET LOCAL vpppd.audit_redaction = 'off'`);
  return changed;
}

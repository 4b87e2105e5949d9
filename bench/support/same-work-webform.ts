/**
 * The same-work baseline of `npm run bench` (bench/ingest.ts): the rows the service writes for one Latvija.lv web
 * form, written by one statement. Its bare handler requires this file from dist/, and test/bench-baselines.e2e-spec.ts
 * checks against the service itself that the statement still writes what the service writes, table by table, so
 * that a migration cannot quietly make the baseline do less (or fail) between benchmark runs.
 *
 * The rows: the event (stored once, as processed), the customer found by an identifier or made with its three
 * identifiers, the ticket with its SLA summary, the message, the ticket's three contacts, two SLA clocks with their
 * "started" events, the escalation from level 0, and the search document (by the schema's own triggers). What it
 * leaves out is what the service does besides: the durable accept before the answer, the queue and the worker's
 * hand-off, batching, classification, validation beyond the fields it reads, business-time deadlines (fixed
 * intervals here), limits, logs.
 */
import { randomUUID } from 'node:crypto';

/**
 * One form, one statement: $1 event, $2 customer, $3 ticket and $4 message ids, $5 the reference's year, $6 the
 * submission id, $7 the form as received, $8–$10 name and language, $11 institution code, $12 topic, $13 kind,
 * $14 subject, $15 text, $16 sent at, $17–$19 personal code, e-mail and phone, $20 the message's meta. The queue
 * and the SLA policy are chosen as the service chooses them for such a form (src/sla/policy-match.ts: the most
 * specific active policy that matches); only the deadlines are fixed intervals instead of business time.
 */
export const PLACE_FORM_SQL = `
  WITH contact(kind, value) AS (
    SELECT * FROM (VALUES ('personal_code', $17::text), ('email', $18::text), ('phone', $19::text)) AS c(kind, value) WHERE value <> ''
  ), known AS (
    SELECT ci.customer_id FROM customer_identifiers ci JOIN contact c ON ci.kind = c.kind AND ci.value = c.value LIMIT 1
  ), customer AS (
    INSERT INTO customers (id, first_name, last_name, preferred_language) SELECT $2, $8, $9, $10 WHERE NOT EXISTS (SELECT 1 FROM known)
  ), owner AS (
    SELECT coalesce((SELECT customer_id FROM known), $2::uuid) AS id
  ), identifiers AS (
    INSERT INTO customer_identifiers (customer_id, kind, value, provenance)
    SELECT owner.id, kind, value, 'citizen' FROM contact, owner ON CONFLICT (kind, value) DO NOTHING
  ), institution AS (
    SELECT id FROM institutions WHERE code = upper($11)
  ), queue AS (
    SELECT id FROM queues WHERE level = 1 AND (institution_id = (SELECT id FROM institution) OR is_general)
    ORDER BY is_general, code LIMIT 1
  ), policy AS (
    SELECT id FROM sla_policies
    WHERE active AND scope = 'case' AND (channel IS NULL OR channel = 'webform') AND (level IS NULL OR level = 1)
      AND (priority IS NULL OR priority = 'normal') AND (institution_id IS NULL OR institution_id = (SELECT id FROM institution))
    ORDER BY (institution_id IS NOT NULL)::int * 8 + (channel IS NOT NULL)::int * 4 + (level IS NOT NULL)::int * 2
             + (priority IS NOT NULL)::int DESC, name
    LIMIT 1
  ), ref AS (
    SELECT 'VP-' || $5 || '-' || lpad(nextval('bench_same_work_references')::text, 6, '0') AS reference
  ), ticket AS (
    INSERT INTO tickets (id, reference, channel, institution_id, topic, kind, language, priority, status, level, queue_id, customer_id,
                         subject, created_at, updated_at, sla_policy_id, sla_state, sla_due_at, sla_warning_at, first_response_due_at,
                         resolution_due_at)
    SELECT $3, ref.reference, 'webform', (SELECT id FROM institution), $12, $13, $10, 'normal', 'queued', 1, (SELECT id FROM queue), owner.id,
           $14, now(), now(), (SELECT id FROM policy), 'ok', now() + interval '82 hours', now() + interval '66 hours',
           now() + interval '82 hours', now() + interval '82 hours'
    FROM ref, owner
    RETURNING id
  ), message AS (
    INSERT INTO messages (id, ticket_id, channel, external_id, direction, author_type, subject, text, meta, sent_at, created_at)
    SELECT $4, ticket.id, 'webform', $6, 'inbound', 'customer', $14, $15, $20::jsonb, $16::timestamptz, now() FROM ticket
  ), event AS (
    INSERT INTO inbound_events (id, channel, external_id, received_at, payload, reference, status, ticket_id, message_id, attempts, processed_at)
    SELECT $1, 'webform', $6, now(), $7::jsonb, ref.reference, 'processed', $3, $4, 1, now() FROM ref
  ), contacts AS (
    INSERT INTO ticket_contacts (ticket_id, kind, value, provenance) SELECT ticket.id, kind, value, 'citizen' FROM ticket, contact
  ), clocks AS (
    INSERT INTO sla_clocks (ticket_id, metric, policy_id, status, measure, started_at, budget_ms, consumed_ms, running_since,
                            warning_at, due_at, warning_fire_at, breach_fire_at)
    SELECT ticket.id, metric, (SELECT id FROM policy), 'running', 'business', now(), 295200000, 0, now(),
           now() + interval '66 hours', now() + interval '82 hours', now() + interval '66 hours', now() + interval '82 hours'
    FROM ticket, unnest(ARRAY['first_response', 'resolution']) AS metric
  ), history AS (
    INSERT INTO sla_clock_events (ticket_id, metric, kind, policy_id, cycle, due_at, consumed_ms, at)
    SELECT ticket.id, metric, 'started', (SELECT id FROM policy), 1, now() + interval '82 hours', 0, now()
    FROM ticket, unnest(ARRAY['first_response', 'resolution']) AS metric
  ), escalation AS (
    INSERT INTO escalations (ticket_id, from_level, to_level, to_queue_id, to_institution_id, reason)
    SELECT ticket.id, 0, 1, (SELECT id FROM queue), (SELECT id FROM institution), 'routed' FROM ticket
  )
  SELECT reference FROM ref`;

/**
 * The statement's values for a form as it was posted (the raw JSON body); throws on a form without the fields it
 * reads. Personal codes are written without their hyphen, as the service normalises them.
 */
export function placeFormValues(raw: string, year = new Date().getFullYear()): unknown[] {
  const form = JSON.parse(raw) as Record<string, any>;
  const applicant = (form.applicant ?? {}) as Record<string, any>;
  if (typeof form.submissionId !== 'string' || typeof applicant.firstName !== 'string' || typeof form.message !== 'string')
    throw new Error('submissionId, applicant.firstName and message are required');
  const meta = JSON.stringify({ form: form.form, replyTo: applicant.email ? 'email' : 'phone' });
  return [
    randomUUID(),
    randomUUID(),
    randomUUID(),
    randomUUID(),
    year,
    form.submissionId,
    raw,
    applicant.firstName.trim(),
    String(applicant.lastName ?? '').trim(),
    form.language ?? 'lv',
    form.institution ?? null,
    form.topic ?? null,
    form.form ?? 'question',
    form.subject ?? null,
    form.message,
    form.submittedAt,
    String(applicant.personalCode ?? '').replace('-', ''),
    applicant.email ?? null,
    applicant.phone ?? null,
    meta,
  ];
}

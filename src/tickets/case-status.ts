import type { DataSource, EntityManager } from 'typeorm';
import type { TicketStatus } from './entities/ticket.entity';

/** What a citizen is told of where their case stands: nothing about the person, nothing they wrote. */
export interface CaseStatusRow {
  reference: string;
  status: TicketStatus;
  level: number;
  channel: string;
  language: string;
  /** The institution working the case; for a referral, the one it was forwarded to. */
  institutionCode: string | null;
  institutionNameLv: string | null;
  institutionNameEn: string | null;
  referred: boolean;
  receivedAt: Date;
  /** The resolution due time of the SLA clock (for written submissions the Submissions Law's deadline). */
  answerDueAt: Date | null;
  /** The last thing the citizen could see happen: received, an answer sent to them, resolved or closed. */
  lastUpdateAt: Date;
  lastUpdate: 'received' | 'answered' | 'resolved' | 'closed';
  /** Set when the case was merged into another: the status is that one's. */
  mergedInto: string | null;
}

export type CaseProof =
  { kind: 'link'; reference: string } | { kind: 'contact'; reference: string; contact: { kind: 'email' | 'phone'; value: string } };

/**
 * Reads a case for its citizen, only when the proof holds: a signed link names the reference; otherwise the e-mail
 * or phone must be one the ticket's own contact came with (ticket_contacts). A missing case and a wrong pair both
 * answer null, so a caller cannot tell them apart. A merged case answers with the case it was merged into.
 */
export async function caseStatusFor(db: DataSource | EntityManager, proof: CaseProof): Promise<CaseStatusRow | null> {
  const [asked]: Array<{ id: string; merged_into_id: string | null }> = await db.query(
    proof.kind === 'link'
      ? `SELECT id, merged_into_id FROM tickets WHERE reference = $1`
      : `SELECT t.id, t.merged_into_id FROM tickets t
         WHERE t.reference = $1 AND EXISTS (SELECT 1 FROM ticket_contacts tc WHERE tc.ticket_id = t.id AND tc.kind = $2 AND tc.value = $3)`,
    proof.kind === 'link' ? [proof.reference] : [proof.reference, proof.contact.kind, proof.contact.value],
  );
  if (!asked) return null;
  let id = asked.id;
  let mergedInto: string | null = null;
  // Merges chain rarely and never loop, but a bound keeps a bad row from hanging a public request.
  for (let next = asked.merged_into_id, hops = 0; next && hops < 5; hops += 1) {
    const [target]: Array<{ id: string; reference: string; merged_into_id: string | null }> = await db.query(
      'SELECT id, reference, merged_into_id FROM tickets WHERE id = $1',
      [next],
    );
    if (!target) break;
    id = target.id;
    mergedInto = target.reference;
    next = target.merged_into_id;
  }
  const [r] = await db.query(
    `SELECT t.reference, t.status, t.level, t.channel, t.language, t.created_at, t.resolution_due_at, t.resolved_at, t.closed_at,
            t.referred_institution_id IS NOT NULL AS referred,
            i.code AS institution_code, i.name_lv AS institution_name_lv, i.name_en AS institution_name_en,
            (SELECT max(coalesce(m.sent_at, m.created_at)) FROM messages m
              WHERE m.ticket_id = t.id AND m.direction = 'outbound' AND NOT m.internal AND m.delivery_status IN ('sent', 'delivered')
                AND coalesce(m.meta->>'kind', '') NOT IN ('acknowledgement', 'csat')) AS answered_at
     FROM tickets t LEFT JOIN institutions i ON i.id = coalesce(t.referred_institution_id, t.institution_id)
     WHERE t.id = $1`,
    [id],
  );
  const candidates: Array<[CaseStatusRow['lastUpdate'], Date | null]> = [
    ['received', r.created_at],
    ['answered', r.answered_at],
    ['resolved', r.resolved_at],
    ['closed', r.closed_at],
  ];
  const [lastUpdate, lastUpdateAt] = candidates
    .filter((c): c is [CaseStatusRow['lastUpdate'], Date] => c[1] !== null)
    .reduce((a, b) => (b[1] >= a[1] ? b : a));
  return {
    reference: r.reference,
    status: r.status,
    level: r.level,
    channel: r.channel,
    language: r.language,
    institutionCode: r.institution_code,
    institutionNameLv: r.institution_name_lv,
    institutionNameEn: r.institution_name_en,
    referred: r.referred,
    receivedAt: r.created_at,
    answerDueAt: r.resolution_due_at,
    lastUpdateAt,
    lastUpdate,
    mergedInto,
  };
}

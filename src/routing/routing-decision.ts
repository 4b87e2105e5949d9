import type { EscalationReason } from '../tickets/entities/escalation.entity';

export interface RoutingInstitution {
  id: string;
  code: string;
  accepts_cases: boolean;
  referral_info: string | null;
}

export interface RoutingQueue {
  id: string;
  institution_id: string | null;
  level: number;
  is_general: boolean;
}

/** A routing rule as data: every condition given must match; the first matching rule (by position) wins. */
export interface RoutingRuleRow {
  institution_id: string | null;
  language: string | null;
  channel: string | null;
  topic: string | null;
  queue_id: string;
}

export interface RoutingContact {
  channel: string;
  language: string;
  topic: string | null;
}

export interface RoutingDecision {
  institutionId: string | null;
  referredInstitutionId: string | null;
  queueId: string;
  level: number;
  reason: EscalationReason;
  summary: string | null;
}

/**
 * Level 0 hands every new contact to level 1: the institution's own queue when it takes cases, the general
 * queue otherwise. An institution that only takes referrals (police, fire and rescue) never gets a case from
 * us: the contact goes to the general queue marked to be routed on, with where to.
 */
export function decideRouting(
  institutionCode: string | undefined,
  institutions: Map<string, RoutingInstitution>,
  queues: RoutingQueue[],
  rules: RoutingRuleRow[] = [],
  contact?: RoutingContact,
): RoutingDecision {
  const general = queues.find((q) => q.is_general);
  if (!general) throw new Error('no general queue is configured');
  const institution = institutionCode ? institutions.get(institutionCode.toUpperCase()) : undefined;
  const ruled = contact && institution?.accepts_cases !== false ? matchRule(rules, queues, institution?.id ?? null, contact) : undefined;
  if (ruled) {
    // A rule may name another institution's queue (a topic only it handles): the ticket becomes that institution's.
    const institutionId = ruled.institution_id ?? institution?.id ?? null;
    return { institutionId, referredInstitutionId: null, queueId: ruled.id, level: ruled.level, reason: 'routed', summary: null };
  }
  if (!institution) {
    return { institutionId: null, referredInstitutionId: null, queueId: general.id, level: general.level, reason: 'routed', summary: null };
  }
  if (!institution.accepts_cases) {
    const where = institution.referral_info ? `: ${institution.referral_info}` : '';
    return {
      institutionId: null,
      referredInstitutionId: institution.id,
      queueId: general.id,
      level: general.level,
      reason: 'referral',
      summary: `${institution.code} only takes referrals; route the contact on${where}`,
    };
  }
  const own = queues.filter((q) => q.institution_id === institution.id).sort((a, b) => a.level - b.level)[0];
  const queue = own ?? general;
  return {
    institutionId: institution.id,
    referredInstitutionId: null,
    queueId: queue.id,
    level: queue.level,
    reason: 'routed',
    summary: null,
  };
}

function matchRule(
  rules: RoutingRuleRow[],
  queues: RoutingQueue[],
  institutionId: string | null,
  contact: RoutingContact,
): RoutingQueue | undefined {
  const topic = contact.topic?.trim().toLocaleLowerCase('lv') ?? null;
  const rule = rules.find(
    (r) =>
      (r.institution_id === null || r.institution_id === institutionId) &&
      (r.language === null || r.language === contact.language) &&
      (r.channel === null || r.channel === contact.channel) &&
      (r.topic === null || r.topic.trim().toLocaleLowerCase('lv') === topic),
  );
  return rule ? queues.find((q) => q.id === rule.queue_id) : undefined;
}

import type { SlaTarget } from '@lib/sla-clock';
import type { BreachAction, SlaScope } from './entities/sla-policy.entity';

export interface PolicyRow {
  id: string;
  name: string;
  scope: SlaScope;
  channel: string | null;
  level: number | null;
  priority: string | null;
  institutionId: string | null;
  firstResponse: SlaTarget | null;
  nextResponse: SlaTarget | null;
  resolution: SlaTarget | null;
  resolutionExtension: SlaTarget | null;
  warningPercent: number;
  goalPercent: number;
  breachActions: BreachAction[];
  remindOutsideHours: boolean;
  active: boolean;
}

export interface TicketFacts {
  channel: string;
  level: number;
  priority: string;
  institutionId: string | null;
  referred: boolean;
}

/**
 * The policy for a ticket: of the active policies whose criteria all match (a missing criterion matches
 * anything), the most specific. Institution weighs more than the other three together, then channel, level and
 * priority, so "VID, any channel" beats "e-mail, level 1, urgent". A referral uses the referral policies, and
 * the case policies when there is none.
 */
export function choosePolicy<P extends PolicyRow>(policies: readonly P[], t: TicketFacts): P | null {
  const pick = (scope: SlaScope) => {
    let best: P | null = null;
    let bestScore = -1;
    for (const p of policies) {
      if (!p.active || p.scope !== scope) continue;
      if (p.channel !== null && p.channel !== t.channel) continue;
      if (p.level !== null && p.level !== t.level) continue;
      if (p.priority !== null && p.priority !== t.priority) continue;
      if (p.institutionId !== null && p.institutionId !== t.institutionId) continue;
      const score =
        (p.institutionId !== null ? 8 : 0) + (p.channel !== null ? 4 : 0) + (p.level !== null ? 2 : 0) + (p.priority !== null ? 1 : 0);
      if (score > bestScore) [best, bestScore] = [p, score];
    }
    return best;
  };
  return (t.referred ? pick('referral') : null) ?? pick('case');
}

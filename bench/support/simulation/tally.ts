/**
 * The day's figures per channel two ways: from the simulator's own tickets (each read through the API by its
 * reference), and from the reports (`/v1/reports/volumes`, `/funding`, `/csat`) as they changed over the run.
 */
import type { SimChannel } from '@lib/simulated-day';

export interface Figures {
  received: number;
  solvedAtLevel0: number;
  /** Tickets a person answered (a first response was sent). */
  answered: number;
  /** Tickets ever escalated to level 2 or 3 (also when handed back since). */
  escalated: number;
  slaMet: number;
  csatResponses: number;
  /** Sum of the scores: with the responses it gives the average without rounding. */
  csatScoreSum: number;
}

/**
 * First-response cycles met within target, as the funding report's service level counts them: from the clock's
 * history, a cycle counts once it was met or breached, and is within target when it was met in time and never
 * breached. A ticket resolved without an answer (a call back noted, not replied) has its clock stopped: neither.
 */
export function firstResponseCyclesMet(
  history: Array<{ metric: string; kind: string; cycle: number; detail?: { withinTarget?: boolean } | null }>,
): number {
  const cycles = new Map<number, { met: boolean; metInTime: boolean; breached: boolean }>();
  for (const e of history) {
    if (e.metric !== 'first_response') continue;
    const c = cycles.get(e.cycle) ?? { met: false, metInTime: false, breached: false };
    if (e.kind === 'met') {
      c.met = true;
      if (e.detail?.withinTarget !== false) c.metInTime = true;
    }
    if (e.kind === 'breached') c.breached = true;
    cycles.set(e.cycle, c);
  }
  return [...cycles.values()].filter((c) => c.metInTime && !c.breached).length;
}

type Api = (method: string, path: string, token: string | null) => Promise<any>;

const CHANNEL_OF: Record<SimChannel, string> = {
  phone: 'voice',
  email: 'email',
  webform: 'webform',
  chat: 'chat',
  social: 'social',
  counter: 'counter',
};
export const ticketChannel = (c: SimChannel) => CHANNEL_OF[c];

const empty = (): Figures => ({ received: 0, solvedAtLevel0: 0, answered: 0, escalated: 0, slaMet: 0, csatResponses: 0, csatScoreSum: 0 });

/** What the simulator caused: each of its tickets, read by reference, counted the way the reports define it. */
export async function tally(api: Api, token: string, references: string[]): Promise<Record<string, Figures>> {
  const out: Record<string, Figures> = {};
  for (const reference of references) {
    const t = await api('GET', `/v1/tickets/${reference}`, token);
    if (t.mergedInto) continue;
    const f = (out[t.channel] ??= empty());
    f.received += 1;
    const raised = (t.escalations as Array<{ toLevel: number }>).some((e) => e.toLevel > 0);
    if (t.resolvedAt && t.level === 0 && !raised) f.solvedAtLevel0 += 1;
    if (t.firstResponseAt) f.answered += 1;
    if ((t.escalations as Array<{ toLevel: number }>).some((e) => e.toLevel >= 2)) f.escalated += 1;
    f.slaMet += firstResponseCyclesMet((await api('GET', `/v1/tickets/${reference}/sla`, token)).history);
    if (t.csat) {
      f.csatResponses += 1;
      f.csatScoreSum += t.csat.score;
    }
  }
  return out;
}

/** The reports' figures for the month, per channel (the funding report is VPPPD's, where the simulator's staff work). */
export async function readReports(api: Api, token: string, month: string): Promise<Record<string, Figures>> {
  const [volumes, funding, csat] = await Promise.all([
    api('GET', `/v1/reports/volumes?from=${month}&format=json`, token),
    api('GET', `/v1/reports/funding?month=${month}&centre=VPPPD&format=json`, token),
    api('GET', `/v1/reports/csat?from=${month}&format=json`, token),
  ]);
  const out: Record<string, Figures> = {};
  const of = (channel: string) => (out[channel] ??= empty());
  for (const r of volumes.levelZeroByChannel as any[]) {
    of(r.channel).received += r.tickets;
    of(r.channel).solvedAtLevel0 += r.resolvedAtLevel0;
    of(r.channel).escalated += r.escalatedToLevel2Or3;
  }
  for (const r of funding.quality.firstResponse as any[]) of(r.channel).answered += r.answered;
  for (const r of funding.quality.serviceLevel as any[]) of(r.channel).slaMet += r.withinTarget;
  for (const r of csat.items as any[]) {
    of(r.channel).csatResponses += r.responses;
    of(r.channel).csatScoreSum += [1, 2, 3, 4, 5].reduce((s, n) => s + n * r[`score_${n}`], 0);
  }
  return out;
}

/**
 * Who gets which waiting ticket. Pure: the caller reads the waiting work and the online agents under one lock,
 * asks for a plan, and writes it. Work is taken oldest first; nobody is given more than their capacity for the
 * ticket's channel, counting what this plan itself gives them.
 */
export type Strategy = 'manual' | 'round_robin' | 'least_loaded' | 'skills';

export interface WaitingTicket {
  id: string;
  channel: string;
  language: string;
  topic: string | null;
  /** The institution whose queue the ticket waits in (null: the general queue). */
  institutionId: string | null;
  level: number;
  strategy: Strategy;
}

export interface AvailableAgent {
  id: string;
  roles: string[];
  institutionIds: string[];
  languages: string[];
  skills: string[];
  /** How many tickets of each channel the agent holds at once; a channel not listed cannot be given. */
  capacity: Record<string, number>;
  /** Open tickets the agent holds now, per channel. */
  load: Record<string, number>;
  /** When the agent was last given work (null: never), for round-robin. */
  lastAssignedAt: Date | null;
}

export interface Assignment {
  ticketId: string;
  agentId: string;
}

/** The role that works each level: level 1 operators, level 2 specialists, level 3 experts. */
const ROLE_OF_LEVEL: Record<number, string> = { 1: 'operator', 2: 'specialist', 3: 'expert' };

const CENTRE_WIDE = ['operator', 'supervisor', 'admin'];

export function mayWork(agent: AvailableAgent, ticket: WaitingTicket): boolean {
  const role = ROLE_OF_LEVEL[ticket.level];
  if (!role || !agent.roles.includes(role)) return false;
  const centreWide = agent.roles.some((r) => CENTRE_WIDE.includes(r));
  if (!centreWide && (!ticket.institutionId || !agent.institutionIds.includes(ticket.institutionId))) return false;
  if (!agent.languages.includes(ticket.language)) return false;
  if (ticket.strategy === 'skills' && ticket.topic) {
    const topic = ticket.topic.toLocaleLowerCase('lv');
    if (!agent.skills.some((s) => s.toLocaleLowerCase('lv') === topic)) return false;
  }
  return true;
}

const total = (values: Record<string, number>) => Object.values(values).reduce((sum, n) => sum + (Number.isFinite(n) ? n : 0), 0);

/** Share of the agent's whole capacity in use: 2 of 10 is less loaded than 1 of 3. */
function loadShare(agent: AvailableAgent): number {
  const capacity = total(agent.capacity);
  return capacity > 0 ? total(agent.load) / capacity : Number.POSITIVE_INFINITY;
}

const assignedAt = (agent: AvailableAgent) => agent.lastAssignedAt?.getTime() ?? Number.NEGATIVE_INFINITY;

function better(strategy: Strategy, a: AvailableAgent, b: AvailableAgent): number {
  if (strategy === 'round_robin') return assignedAt(a) - assignedAt(b) || a.id.localeCompare(b.id);
  return loadShare(a) - loadShare(b) || assignedAt(a) - assignedAt(b) || a.id.localeCompare(b.id);
}

/**
 * The channels on which at least one of these agents can still take work. Nothing waiting on any other
 * channel can be given out now, so a pass need not read it (nor, with nobody free, read anything at all).
 */
export function channelsWithRoom(agents: AvailableAgent[]): string[] {
  const channels = new Set<string>();
  for (const agent of agents) {
    for (const [channel, capacity] of Object.entries(agent.capacity)) {
      if (Number.isFinite(capacity) && (agent.load[channel] ?? 0) < capacity) channels.add(channel);
    }
  }
  return [...channels].sort();
}

export function planAssignments(waiting: WaitingTicket[], agents: AvailableAgent[], now = new Date()): Assignment[] {
  // Working copies: the plan's own assignments count against capacity and move agents to the back of the line.
  const pool = agents.map((a) => ({ ...a, load: { ...a.load } }));
  const plan: Assignment[] = [];
  let tick = 0;
  for (const ticket of waiting) {
    if (ticket.strategy === 'manual') continue;
    const free = pool.filter((a) => (a.load[ticket.channel] ?? 0) < (a.capacity[ticket.channel] ?? 0) && mayWork(a, ticket));
    if (free.length === 0) continue;
    const chosen = free.sort((a, b) => better(ticket.strategy, a, b))[0];
    chosen.load[ticket.channel] = (chosen.load[ticket.channel] ?? 0) + 1;
    // Strictly increasing, so agents given work within this plan keep their order for round-robin.
    chosen.lastAssignedAt = new Date(now.getTime() + tick++);
    plan.push({ ticketId: ticket.id, agentId: chosen.id });
  }
  return plan;
}

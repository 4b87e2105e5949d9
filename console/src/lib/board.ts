/** GET /v1/supervisor/board, and the `board` event on /agents, which carries the same snapshot. */
export interface BoardQueue {
  queue: string;
  level: number;
  institution: string | null;
  channel: string;
  waiting: number;
  longestWaitSeconds: number | null;
  offeredToday: number;
  answeredToday: number;
  abandonedToday: number;
  serviceLevel: number | null;
  averageSpeedOfAnswerSeconds: number | null;
  atRisk: number;
  breached: number;
}

export interface BoardAgent {
  agentId: string;
  displayName: string;
  roles: string[];
  state: 'online' | 'away' | 'offline';
  load: Record<string, number>;
  capacity: Record<string, number>;
  handledToday: number;
  busy: boolean;
}

export interface Board {
  at: string;
  queues: BoardQueue[];
  agents: BoardAgent[];
  totals: { online: number; away: number; waiting: number; atRisk: number; breached: number };
}

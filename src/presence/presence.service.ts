import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import { RoutingSignals } from '../routing/routing-signals';
import { TicketChanges } from '../tickets/ticket-changes.service';
import { TicketEffectsPublisher } from '../tickets/ticket-effects.publisher';
import type { PresenceState } from './entities/agent-presence.entity';
import { returnedRows } from '../database/rows';

export interface PresenceView {
  agentId: string;
  displayName: string;
  roles: string[];
  state: PresenceState;
  stateSince: Date;
  lastSeenAt: Date;
  /** Open tickets the agent is working now, per channel, beside their capacity. */
  load: Record<string, number>;
  capacity: Record<string, number>;
}

/**
 * Where agents are: online (takes work), away (keeps work, takes none), offline. Only PostgreSQL holds it, so every
 * API instance and worker agrees; the socket's heartbeats keep `last_seen_at` fresh and the sweep ends the rest.
 */
@Injectable()
export class PresenceService {
  private readonly logger = new Logger(PresenceService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly realtime: RealtimePublisher,
    private readonly signals: RoutingSignals,
    private readonly metrics: MetricsService,
    private readonly effects: TicketEffectsPublisher,
    private readonly changes: TicketChanges,
  ) {}

  /** A sign of life, optionally with a new state; an agent coming online is offered waiting work at once. */
  async heartbeat(agentId: string, state?: Exclude<PresenceState, 'offline'>): Promise<PresenceState> {
    const [row]: Array<{ state: PresenceState; changed: boolean }> = await this.dataSource.query(
      `INSERT INTO agent_presence AS p (agent_id, state, state_since, last_seen_at) VALUES ($1, $2, now(), now())
       ON CONFLICT (agent_id) DO UPDATE SET last_seen_at = now(),
         state = coalesce($3, CASE WHEN p.state = 'offline' THEN 'online' ELSE p.state END),
         state_since = CASE WHEN p.state IS DISTINCT FROM coalesce($3, CASE WHEN p.state = 'offline' THEN 'online' ELSE p.state END)
                            THEN now() ELSE p.state_since END
       RETURNING state, (xmax = 0 OR state_since = last_seen_at) AS changed`,
      [agentId, state ?? 'online', state ?? null],
    );
    if (row.changed) await this.changed([agentId], row.state, 'heartbeat');
    return row.state;
  }

  /** The agent's last socket closed. Their unanswered work goes back to its queue for someone online. */
  async disconnected(agentId: string): Promise<void> {
    const gone = returnedRows<{ agent_id: string }>(
      await this.dataSource.query(
        `UPDATE agent_presence SET state = 'offline', state_since = now() WHERE agent_id = $1 AND state <> 'offline' RETURNING agent_id`,
        [agentId],
      ),
    );
    if (gone.length) await this.wentOffline([agentId], 'disconnect');
  }

  /** Agents silent for longer than the timeout are offline: their sockets died without a word. */
  async sweepTimeouts(): Promise<number> {
    const gone = returnedRows<{ agent_id: string }>(
      await this.dataSource.query(
        `UPDATE agent_presence SET state = 'offline', state_since = now()
         WHERE state <> 'offline' AND last_seen_at < now() - make_interval(secs => $1) RETURNING agent_id`,
        [this.config.PRESENCE_TIMEOUT_SECONDS],
      ),
    );
    if (gone.length)
      await this.wentOffline(
        gone.map((g) => g.agent_id),
        'timeout',
      );
    return gone.length;
  }

  async list(): Promise<PresenceView[]> {
    const rows: Array<Record<string, any>> = await this.dataSource.query(
      `SELECT a.id, a.display_name, a.roles, a.capacity, coalesce(p.state, 'offline') AS state, p.state_since, p.last_seen_at,
              coalesce((SELECT jsonb_object_agg(l.channel, l.n) FROM (
                SELECT channel, count(*)::int AS n FROM tickets WHERE assignee_id = a.id AND status = 'assigned' GROUP BY channel) l), '{}') AS load
       FROM agents a LEFT JOIN agent_presence p ON p.agent_id = a.id
       WHERE a.active ORDER BY a.display_name, a.id`,
    );
    return rows.map((r) => ({
      agentId: r.id,
      displayName: r.display_name,
      roles: r.roles,
      state: r.state,
      stateSince: r.state_since,
      lastSeenAt: r.last_seen_at,
      load: r.load,
      capacity: r.capacity,
    }));
  }

  /**
   * Work the agent had not answered yet — the customer's message is the last word — returns to its queue, but only
   * in queues that assign automatically: a case a specialist picked by hand stays theirs overnight.
   */
  private async wentOffline(agentIds: string[], cause: 'disconnect' | 'timeout'): Promise<void> {
    // The tickets' new state and the routing pass for them are published by the writer's effects, after commit.
    const returned = await this.effects.transaction((m, effects) => this.changes.returnToQueue(m, effects, agentIds, cause));
    if (returned.length) this.logger.log({ count: returned.length, cause }, 'unanswered work of agents gone offline returned to the queue');
    await this.changed(agentIds, 'offline', cause);
  }

  /**
   * The history follows each change: the agents' open stretch ends, and a new one starts unless they went
   * offline. Kept apart from the state itself, so that a failure here is logged and never refuses a heartbeat.
   */
  private async recordPeriods(agentIds: string[], state: PresenceState): Promise<void> {
    try {
      await this.dataSource.transaction(async (m) => {
        await m.query(`UPDATE presence_periods SET ended_at = now() WHERE agent_id = ANY($1::uuid[]) AND ended_at IS NULL`, [agentIds]);
        if (state !== 'offline') {
          await m.query(
            `INSERT INTO presence_periods (agent_id, state) SELECT a, $2 FROM unnest($1::uuid[]) AS a
             ON CONFLICT (agent_id) WHERE ended_at IS NULL DO NOTHING`,
            [agentIds, state],
          );
        }
      });
    } catch (error) {
      this.logger.warn({ err: error, agentIds, state }, 'presence history not recorded');
    }
  }

  private async changed(agentIds: string[], state: PresenceState, cause: string): Promise<void> {
    await this.recordPeriods(agentIds, state);
    for (const agentId of agentIds) {
      this.metrics.presenceChanges.inc({ state, cause });
      const payload = { agentId, state, cause, at: new Date().toISOString() };
      this.realtime.toSupervisors('presence', payload);
      this.realtime.toAgent(agentId, 'presence', payload);
    }
    // Online: this agent may take waiting work. Offline: what they gave back may go to someone else.
    if (state !== 'away') await this.signals.offerWork(`presence:${state}`);
  }
}

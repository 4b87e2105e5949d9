import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createRedis, RedisClient } from '../common/redis-connection';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { Rooms, roomsForTicket } from './realtime-rooms';
import { namespaceEmitter, NamespaceEmitter } from './realtime-emitter';

export const AGENTS_NAMESPACE = '/agents';

/** The Redis channel prefix socket.io servers and emitters share; per deployment, like every other key. */
export const socketIoKey = (config: AppConfig) => `${config.REDIS_PREFIX}:socket.io`;

export type TicketEventKind = 'created' | 'changed' | 'assigned';

/**
 * Sends events to agents' sockets from any process — an API instance or a worker — through Redis, so that the
 * socket.io server holding the socket delivers it whichever instance that is. Best effort by design: the REST API
 * stays the source of truth, and a lost event is repaired by the client's next read.
 */
@Injectable()
export class RealtimePublisher implements OnApplicationShutdown {
  private readonly logger = new Logger(RealtimePublisher.name);
  private readonly redis: RedisClient;
  private readonly emitter: NamespaceEmitter;

  constructor(
    config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    // Pipelined: a committed batch of inbound events announces each of its tickets in the same turn of the event
    // loop, and those PUBLISHes then leave in one socket write instead of one each (a tenth of the worker's time
    // went to socket writes, in a profile under `npm run bench`). This connection only publishes.
    this.redis = createRedis(
      config,
      { maxRetriesPerRequest: 1, enableOfflineQueue: true, lazyConnect: false, enableAutoPipelining: true },
      { enableAutoPipelining: true },
    );
    this.redis.on('error', (error) => this.logger.debug({ err: error }, 'realtime publisher: Redis error (reconnecting)'));
    this.emitter = namespaceEmitter(config, this.redis, socketIoKey(config), AGENTS_NAMESPACE, this.logger);
  }

  /** The last shutdown phase: workers finishing their jobs before it may still publish. */
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** Tells everyone who may see these tickets what they look like now (no personal data: references and state). */
  /** `kind` may differ per ticket (a batch of inbound events opens some tickets and adds to others): one read. */
  async ticketsChanged(ticketIds: string[], kind: TicketEventKind | ((ticketId: string) => TicketEventKind) = 'changed'): Promise<void> {
    if (ticketIds.length === 0) return;
    await this.publish('t.id = ANY($1::uuid[])', [...new Set(ticketIds)], kind);
  }

  async ticketsChangedByReference(references: string[], kind: TicketEventKind = 'changed'): Promise<void> {
    if (references.length === 0) return;
    await this.publish('t.reference = ANY($1::text[])', [...new Set(references.map((r) => r.toUpperCase()))], kind);
  }

  private async publish(where: string, keys: string[], kind: TicketEventKind | ((ticketId: string) => TicketEventKind)): Promise<void> {
    const kindOf = typeof kind === 'function' ? kind : () => kind;
    try {
      const rows: Array<Record<string, any>> = await this.dataSource.query(
        `SELECT t.id, t.reference, t.channel, t.status, t.level, t.priority, t.kind, t.institution_id, t.assignee_id,
                t.updated_at, t.sla_state, t.sla_due_at, q.code AS queue, i.code AS institution
         FROM tickets t LEFT JOIN queues q ON q.id = t.queue_id LEFT JOIN institutions i ON i.id = t.institution_id
         WHERE ${where}`,
        [keys],
      );
      for (const t of rows) {
        this.emitter
          .to(roomsForTicket(t as { institution_id: string | null; level: number; assignee_id: string | null }))
          .emit(`ticket.${kindOf(t.id)}`, {
            reference: t.reference,
            channel: t.channel,
            status: t.status,
            level: t.level,
            priority: t.priority,
            kind: t.kind,
            queue: t.queue,
            institution: t.institution,
            assigneeId: t.assignee_id,
            updatedAt: t.updated_at,
            sla: { state: t.sla_state, dueAt: t.sla_due_at },
          });
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'could not publish ticket events');
    }
  }

  toAgent(agentId: string, event: string, payload: unknown): void {
    this.safely(() => this.emitter.to(Rooms.agent(agentId)).emit(event, payload));
  }

  toSupervisors(event: string, payload: unknown): void {
    this.safely(() => this.emitter.to(Rooms.supervisors).emit(event, payload));
  }

  /** Any room of the agents' namespace (a chat's room holds the staff who joined that chat). */
  toRoom(room: string, event: string, payload: unknown): void {
    this.safely(() => this.emitter.to(room).emit(event, payload));
  }

  toTicketViewers(ticketId: string, event: string, payload: unknown): void {
    this.safely(() => this.emitter.to(Rooms.ticket(ticketId)).emit(event, payload));
  }

  /**
   * Disconnects, on every instance, the sockets of sessions that were just revoked (logout, a disabled account, a
   * new password, a replayed refresh token): without this they kept receiving chats until their next heartbeat.
   * Called after the revocation is committed; a socket connecting meanwhile re-checks its session once it has
   * joined its rooms (AgentsGateway), so none slips between the two.
   */
  endSessions(sessionIds: string[]): void {
    if (sessionIds.length === 0) return;
    const rooms = sessionIds.map(Rooms.session);
    this.safely(() => {
      this.emitter.to(rooms).emit('unauthorized', { detail: 'The session has ended, or the account is disabled.' });
      this.emitter.in(rooms).disconnectSockets(true);
    });
  }

  /** The agent's access changed (roles, institutions): their sockets' rooms are wrong, so they connect again. */
  scopeChanged(agentId: string): void {
    this.safely(() => {
      this.emitter.to(Rooms.agent(agentId)).emit('scope-changed', {});
      this.emitter.in(Rooms.agent(agentId)).disconnectSockets(true);
    });
  }

  private safely(send: () => unknown): void {
    try {
      send();
    } catch (error) {
      this.logger.warn({ err: error }, 'could not publish a realtime event');
    }
  }
}

import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { createRedis, RedisClient } from '../../common/redis-connection';
import type { Server } from 'socket.io';
import { AppConfig } from '../../config/app-config';
import { RealtimePublisher, socketIoKey } from '../../realtime/realtime.publisher';
import { namespaceEmitter, NamespaceEmitter } from '../../realtime/realtime-emitter';
import { AGENTS_NAMESPACE } from '../../realtime/realtime.publisher';
import { Rooms } from '../../realtime/realtime-rooms';
import { CHAT_NAMESPACE, chatAgentsRoom, ChatSession, visitorRoom } from './chat-session';

/**
 * Realtime between visitors and staff, from any process: to the visitor's sockets on /chat through a Redis
 * emitter (so an operator's reply sent by a worker reaches the instance holding the visitor's socket), and to the
 * staff's sockets on /agents through the RealtimePublisher. In an API process the relay goes through the
 * process's own socket.io server instead: sockets held here get the event at once, without a round trip
 * through Redis, and the Redis adapter still carries it to the other instances. Best effort: the ticket and the transcript are the
 * record, and a client that missed an event gets it back with the history on reconnect.
 */
@Injectable()
export class ChatRelay implements OnModuleDestroy {
  private readonly logger = new Logger(ChatRelay.name);
  private readonly redis: RedisClient;
  private readonly visitors: NamespaceEmitter;
  private server: Server | null = null;

  constructor(
    config: AppConfig,
    private readonly agents: RealtimePublisher,
  ) {
    this.redis = createRedis(config, { maxRetriesPerRequest: 1 });
    this.redis.on('error', (error) => this.logger.debug({ err: error }, 'chat relay: Redis error (reconnecting)'));
    this.visitors = namespaceEmitter(config, this.redis, socketIoKey(config), CHAT_NAMESPACE, this.logger);
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** Called by the /chat gateway of an API process with its socket.io server. */
  useServer(server: Server): void {
    this.server = server;
  }

  toVisitor(sessionId: string, event: string, payload: unknown): void {
    try {
      if (this.server) this.server.of(CHAT_NAMESPACE).to(visitorRoom(sessionId)).emit(event, payload);
      else this.visitors.to(visitorRoom(sessionId)).emit(event, payload);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not relay to a visitor');
    }
  }

  /** To the staff who joined the chat, and to the operator holding it even before they open it. */
  toStaff(session: Pick<ChatSession, 'id' | 'reference' | 'operatorId'>, event: string, payload: Record<string, unknown>): void {
    const body = { sessionId: session.id, reference: session.reference, ...payload };
    const rooms = [chatAgentsRoom(session.id), ...(session.operatorId ? [Rooms.agent(session.operatorId)] : [])];
    if (!this.server) {
      for (const room of rooms) this.agents.toRoom(room, event, body);
      return;
    }
    try {
      // One emit to both rooms: a socket in both hears it once.
      this.server.of(AGENTS_NAMESPACE).to(rooms).emit(event, body);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not relay to staff');
    }
  }
}

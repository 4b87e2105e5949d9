import { Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import { createRedis, RedisClient } from '../common/redis-connection';
import type { Namespace, Socket } from 'socket.io';
import { DataSource } from 'typeorm';
import { AccessTokens } from '../auth/access-tokens';
import { AuthUser, ticketScope, ticketScopeSql } from '../auth/auth-user';
import { AppConfig } from '../config/app-config';
import { ChatStaffService } from '../channels/chat/chat-staff.service';
import { chatAgentsRoom, ChatSession } from '../channels/chat/chat-session';
import { PresenceService } from '../presence/presence.service';
import { AGENTS_NAMESPACE, RealtimePublisher } from './realtime.publisher';
import { Rooms, roomsForScope } from './realtime-rooms';

interface SocketData {
  user: AuthUser;
  displayName: string;
  rooms: string[];
  /** Tickets this socket has open: id by reference. */
  viewing: Map<string, string>;
}

type Ack<T> = ({ ok: true } & T) | { ok: false; status: number; code: string; detail: string };

const REFERENCE = /^[A-Z]{1,5}-\d{4}-\d{6,}$/;

/**
 * The agents' realtime socket (namespace /agents, websocket transport). Connecting with an access token
 * (`auth: { token }`) joins the rooms of what the agent may see — the same scope rule as the REST API — and
 * brings them online; heartbeats keep them online and re-check the session, and a revoked session's sockets are
 * disconnected at once from whichever instance revoked it (RealtimePublisher.endSessions). Opening a ticket (`ticket.view`) shows
 * who else is viewing it and who is writing a reply (`ticket.replying`). Events are documented in docs/realtime.md.
 */
@WebSocketGateway({ namespace: AGENTS_NAMESPACE })
export class AgentsGateway implements OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy {
  private readonly logger = new Logger(AgentsGateway.name);
  private readonly redis: RedisClient;

  @WebSocketServer()
  private readonly server!: Namespace;

  constructor(
    private readonly tokens: AccessTokens,
    private readonly presence: PresenceService,
    private readonly realtime: RealtimePublisher,
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly chat: ChatStaffService,
  ) {
    this.redis = createRedis(config, { maxRetriesPerRequest: 1 });
    this.redis.on('error', () => undefined); // reconnects by itself; callers see their command fail
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  async handleConnection(socket: Socket): Promise<void> {
    const token =
      typeof socket.handshake.auth?.token === 'string'
        ? socket.handshake.auth.token
        : /^Bearer (.+)$/.exec(socket.handshake.headers.authorization ?? '')?.[1];
    const result = token
      ? await this.tokens.authenticate(token).catch(() => ({ refused: 'The session could not be checked.' }))
      : { refused: 'An access token is required (auth.token).' };
    if ('refused' in result) {
      socket.emit('unauthorized', { detail: result.refused });
      socket.disconnect(true);
      return;
    }
    const user = result.user;
    const [agent] = await this.dataSource.query('SELECT display_name FROM agents WHERE id = $1', [user.id]);
    const rooms = roomsForScope(ticketScope(user), user.id, user.roles);
    const data: SocketData = { user, displayName: agent?.display_name ?? user.email, rooms, viewing: new Map() };
    socket.data = data;
    await socket.join([...rooms, Rooms.session(user.sessionId!)]);
    // A revocation committed after the check above may have been broadcast before the join: look once more.
    const still = await this.tokens.session(user.id, user.sessionId!).catch(() => ({ refused: 'The session could not be checked.' }));
    if ('refused' in still) {
      socket.emit('unauthorized', { detail: still.refused });
      socket.disconnect(true);
      return;
    }
    const requested = socket.handshake.auth?.state === 'away' ? 'away' : 'online';
    const state = await this.presence.heartbeat(user.id, requested);
    socket.emit('ready', { agentId: user.id, state, heartbeatSeconds: Math.max(1, Math.floor(this.config.PRESENCE_TIMEOUT_SECONDS / 3)) });
  }

  async handleDisconnect(socket: Socket): Promise<void> {
    const data = socket.data as SocketData | undefined;
    if (!data?.user) return;
    for (const [reference, ticketId] of data.viewing) {
      await this.removeViewer(ticketId, socket.id)
        .then(() => this.broadcastViewers({ id: ticketId, reference }))
        .catch(() => undefined);
    }
    try {
      // Another tab or another instance may still hold a socket for the agent; only the last one leaving counts.
      const others = await this.server.in(Rooms.agent(data.user.id)).fetchSockets();
      if (others.every((s) => s.id === socket.id)) await this.presence.disconnected(data.user.id);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not settle presence on disconnect; the timeout will');
    }
  }

  @SubscribeMessage('heartbeat')
  async heartbeat(@ConnectedSocket() socket: Socket, @MessageBody() body: { state?: string } | undefined): Promise<Ack<{ state: string }>> {
    const data = socket.data as SocketData;
    const state = body?.state;
    if (state !== undefined && state !== 'online' && state !== 'away') return refused(422, 'invalid-state', 'state must be online or away');
    const check = await this.tokens.session(data.user.id, data.user.sessionId!);
    if ('refused' in check) {
      socket.emit('unauthorized', { detail: check.refused });
      socket.disconnect(true);
      return refused(401, 'unauthorized', check.refused);
    }
    // Roles or institutions changed: the socket's rooms are no longer right; the client reconnects and gets new ones.
    const rooms = roomsForScope(ticketScope(check.user), check.user.id, check.user.roles);
    if (rooms.join() !== data.rooms.join()) {
      socket.emit('scope-changed', {});
      socket.disconnect(true);
      return refused(409, 'scope-changed', 'your access changed; connect again');
    }
    return { ok: true, state: await this.presence.heartbeat(data.user.id, state) };
  }

  @SubscribeMessage('ticket.view')
  async view(
    @ConnectedSocket() socket: Socket,
    @MessageBody() body: { reference?: string } | undefined,
  ): Promise<Ack<{ viewers: unknown[] }>> {
    const data = socket.data as SocketData;
    const ticket = await this.visibleTicket(data.user, body?.reference);
    if (!ticket) return refused(404, 'not-found', `No ticket ${String(body?.reference ?? '')} that you may see.`);
    data.viewing.set(ticket.reference, ticket.id);
    await socket.join(Rooms.ticket(ticket.id));
    await this.setViewer(ticket.id, socket.id, { agentId: data.user.id, displayName: data.displayName, replying: false });
    return { ok: true, viewers: await this.broadcastViewers(ticket) };
  }

  @SubscribeMessage('ticket.replying')
  async replying(
    @ConnectedSocket() socket: Socket,
    @MessageBody() body: { reference?: string; replying?: boolean } | undefined,
  ): Promise<Ack<{ viewers: unknown[] }>> {
    const data = socket.data as SocketData;
    const reference = String(body?.reference ?? '').toUpperCase();
    const ticketId = data.viewing.get(reference);
    if (!ticketId) return refused(409, 'not-viewing', 'open the ticket (ticket.view) before saying you are replying');
    await this.setViewer(ticketId, socket.id, { agentId: data.user.id, displayName: data.displayName, replying: body?.replying !== false });
    return { ok: true, viewers: await this.broadcastViewers({ id: ticketId, reference }) };
  }

  @SubscribeMessage('ticket.leave')
  async leave(@ConnectedSocket() socket: Socket, @MessageBody() body: { reference?: string } | undefined): Promise<Ack<object>> {
    const data = socket.data as SocketData;
    const reference = String(body?.reference ?? '').toUpperCase();
    const ticketId = data.viewing.get(reference);
    if (ticketId) {
      data.viewing.delete(reference);
      await socket.leave(Rooms.ticket(ticketId));
      await this.removeViewer(ticketId, socket.id);
      await this.broadcastViewers({ id: ticketId, reference });
    }
    return { ok: true };
  }

  /**
   * Joining a chat from the inbox: the agent hears the visitor's messages, typing and receipts in real time, and the
   * visitor is told who joined. Replies go through POST /v1/tickets/{reference}/replies like on every channel.
   */
  @SubscribeMessage('chat.join')
  async chatJoin(
    @ConnectedSocket() socket: Socket,
    @MessageBody() body: { reference?: string; takeOver?: boolean } | undefined,
  ): Promise<Ack<{ session: object; history: unknown[] }>> {
    const data = socket.data as SocketData;
    const ticket = await this.visibleTicket(data.user, body?.reference);
    if (!ticket) return refused(404, 'not-found', `No ticket ${String(body?.reference ?? '')} that you may see.`);
    const [{ level }] = await this.dataSource.query('SELECT level FROM tickets WHERE id = $1', [ticket.id]);
    const joined = await this.chat.join(
      { id: ticket.id, level },
      { id: data.user.id, displayName: data.displayName },
      { takeOver: body?.takeOver === true },
    );
    if (!joined.ok) return joined;
    await socket.join(chatAgentsRoom(joined.session.id));
    const { tokenHash: _secret, ...session } = joined.session;
    return { ok: true, session, history: joined.history };
  }

  @SubscribeMessage('chat.leave')
  async chatLeave(@ConnectedSocket() socket: Socket, @MessageBody() body: { reference?: string } | undefined): Promise<Ack<object>> {
    const found = await this.chatOf(socket, body?.reference);
    if ('refused' in found) return found.refused;
    await socket.leave(chatAgentsRoom(found.session.id));
    return { ok: true };
  }

  @SubscribeMessage('chat.typing')
  async chatTyping(
    @ConnectedSocket() socket: Socket,
    @MessageBody() body: { reference?: string; typing?: boolean } | undefined,
  ): Promise<Ack<object>> {
    const found = await this.chatOf(socket, body?.reference);
    if ('refused' in found) return found.refused;
    this.chat.typing(found.session, { displayName: (socket.data as SocketData).displayName }, body?.typing !== false);
    return { ok: true };
  }

  @SubscribeMessage('chat.receipt')
  async chatReceipt(
    @ConnectedSocket() socket: Socket,
    @MessageBody() body: { reference?: string; kind?: string; ids?: unknown } | undefined,
  ): Promise<Ack<object>> {
    const found = await this.chatOf(socket, body?.reference);
    if ('refused' in found) return found.refused;
    const ids = Array.isArray(body?.ids) ? body.ids.filter((x): x is string => typeof x === 'string').slice(0, 100) : [];
    if ((body?.kind !== 'delivered' && body?.kind !== 'read') || ids.length === 0)
      return refused(422, 'validation', 'kind (delivered or read) and ids are required');
    this.chat.receipt(found.session, body.kind, ids);
    return { ok: true };
  }

  @SubscribeMessage('chat.close')
  async chatClose(@ConnectedSocket() socket: Socket, @MessageBody() body: { reference?: string } | undefined): Promise<Ack<object>> {
    const found = await this.chatOf(socket, body?.reference);
    if ('refused' in found) return found.refused;
    return this.chat.close(found.session, { id: (socket.data as SocketData).user.id });
  }

  /** The chat of a ticket the agent may see, after chat.join (so its scope was checked). */
  private async chatOf(socket: Socket, reference: unknown): Promise<{ refused: ReturnType<typeof refused> } | { session: ChatSession }> {
    const data = socket.data as SocketData;
    const ticket = await this.visibleTicket(data.user, reference);
    const session = ticket ? await this.chat.sessionOfTicket(ticket.id) : null;
    if (!session)
      return {
        refused: refused(404, 'not-found', `No chat on a ticket ${typeof reference === 'string' ? reference : ''} that you may see.`),
      };
    if (!socket.rooms.has(chatAgentsRoom(session.id))) return { refused: refused(409, 'not-joined', 'join the chat (chat.join) first') };
    return { session };
  }

  private async visibleTicket(user: AuthUser, reference: unknown): Promise<{ id: string; reference: string } | null> {
    if (typeof reference !== 'string' || !REFERENCE.test(reference.toUpperCase())) return null;
    const params: unknown[] = [reference.toUpperCase()];
    const [row] = await this.dataSource.query(
      `SELECT t.id, t.reference FROM tickets t WHERE t.reference = $1 ${ticketScopeSql(ticketScope(user), 't', (v) => `$${params.push(v)}`)}`,
      params,
    );
    return row ?? null;
  }

  // Viewers live in Redis (one hash per ticket, a field per socket) so that every instance sees the same list.
  private viewersKey(ticketId: string): string {
    return `${this.config.REDIS_PREFIX}:viewers:${ticketId}`;
  }

  private async setViewer(
    ticketId: string,
    socketId: string,
    viewer: { agentId: string; displayName: string; replying: boolean },
  ): Promise<void> {
    const key = this.viewersKey(ticketId);
    await this.redis
      .multi()
      .hset(key, socketId, JSON.stringify({ ...viewer, at: Date.now() }))
      .expire(key, 12 * 3600)
      .exec();
  }

  private async removeViewer(ticketId: string, socketId: string): Promise<void> {
    await this.redis.hdel(this.viewersKey(ticketId), socketId);
  }

  /** The current viewers, one entry per agent (several tabs count once; replying in any of them counts). */
  private async broadcastViewers(ticket: { id: string; reference: string }): Promise<unknown[]> {
    const key = this.viewersKey(ticket.id);
    const entries = await this.redis.hgetall(key);
    // Sockets of an instance that died never said goodbye: keep only those the adapter still knows.
    const live = new Set((await this.server.in(Rooms.ticket(ticket.id)).fetchSockets()).map((s) => s.id));
    const stale = Object.keys(entries).filter((id) => !live.has(id));
    if (stale.length) await this.redis.hdel(key, ...stale);
    const byAgent = new Map<string, { agentId: string; displayName: string; replying: boolean }>();
    for (const [socketId, raw] of Object.entries(entries)) {
      if (!live.has(socketId)) continue;
      const v = JSON.parse(raw) as { agentId: string; displayName: string; replying: boolean };
      const seen = byAgent.get(v.agentId);
      byAgent.set(v.agentId, { agentId: v.agentId, displayName: v.displayName, replying: v.replying || (seen?.replying ?? false) });
    }
    const viewers = [...byAgent.values()];
    this.realtime.toTicketViewers(ticket.id, 'ticket.viewers', { reference: ticket.reference, viewers });
    return viewers;
  }
}

function refused(status: number, code: string, detail: string): { ok: false; status: number; code: string; detail: string } {
  return { ok: false, status, code, detail };
}

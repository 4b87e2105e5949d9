import { INestApplication } from '@nestjs/common';
import { io, Socket } from 'socket.io-client';

/** A member of staff's realtime connection, as the agents' web app holds it: websocket, token, heartbeats. */
export class AgentSocket {
  readonly events: Array<{ event: string; payload: any }> = [];
  private heartbeatTimer: NodeJS.Timeout | null = null;

  private constructor(readonly socket: Socket) {
    socket.onAny((event, payload) => this.events.push({ event, payload }));
  }

  /** Connects and waits for `ready`; with `heartbeatMs` it keeps itself online like the real client. */
  static async connect(
    app: INestApplication,
    token: string | undefined,
    options: { heartbeatMs?: number; state?: 'online' | 'away' } = {},
  ): Promise<AgentSocket> {
    const address = app.getHttpServer().address();
    const socket = io(`http://127.0.0.1:${address.port}/agents`, {
      transports: ['websocket'],
      auth: { token, state: options.state },
      forceNew: true,
      reconnection: false,
    });
    const agent = new AgentSocket(socket);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no ready event within 10 s')), 10000);
      socket.once('ready', () => (clearTimeout(timer), resolve()));
      socket.once('unauthorized', (e) => (clearTimeout(timer), reject(Object.assign(new Error('unauthorized'), { detail: e?.detail }))));
      socket.once('connect_error', (e) => (clearTimeout(timer), reject(e)));
    });
    if (options.heartbeatMs) agent.heartbeatTimer = setInterval(() => socket.emit('heartbeat', {}), options.heartbeatMs);
    return agent;
  }

  request<T = any>(event: string, payload: unknown): Promise<T> {
    return this.socket.timeout(5000).emitWithAck(event, payload) as Promise<T>;
  }

  /** Events about one ticket, in the order they arrived. */
  about(reference: string): Array<{ event: string; payload: any }> {
    return this.events.filter((e) => e.payload?.reference === reference);
  }

  stopHeartbeats(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  close(): void {
    this.stopHeartbeats();
    this.socket.disconnect();
  }
}

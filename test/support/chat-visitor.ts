import { INestApplication } from '@nestjs/common';
import { io, Socket } from 'socket.io-client';

/** A visitor's chat connection, as the widget holds it: websocket to /chat, everything answered by ack. */
export class ChatVisitor {
  readonly events: Array<{ event: string; payload: any }> = [];
  sessionId = '';
  resumeToken = '';
  private counter = 0;

  private constructor(readonly socket: Socket) {
    socket.onAny((event, payload) => this.events.push({ event, payload }));
  }

  /** `headers` go with the handshake, e.g. the X-Forwarded-For a load balancer adds. */
  static async connect(app: INestApplication, headers: Record<string, string> = {}): Promise<ChatVisitor> {
    const socket = io(`http://127.0.0.1:${app.getHttpServer().address().port}/chat`, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      extraHeaders: headers,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return new ChatVisitor(socket);
  }

  request<T = any>(event: string, payload: unknown = {}): Promise<T> {
    return this.socket.timeout(10000).emitWithAck(event, payload) as Promise<T>;
  }

  async start(payload: Record<string, unknown>): Promise<any> {
    const ack = await this.request('start', payload);
    if (ack.ok) {
      this.sessionId = ack.sessionId;
      this.resumeToken = ack.resumeToken;
    }
    return ack;
  }

  nextId(): string {
    return `m${++this.counter}-${Date.now()}`;
  }

  say(text: string, clientMessageId = this.nextId(), extra: Record<string, unknown> = {}): Promise<any> {
    return this.request('message', { clientMessageId, text, ...extra });
  }

  /** Messages the server pushed, in order (not the visitor's own acks). */
  messages(author?: string): any[] {
    return this.events.filter((e) => e.event === 'message' && (!author || e.payload.author === author)).map((e) => e.payload);
  }

  close(): void {
    this.socket.disconnect();
  }
}

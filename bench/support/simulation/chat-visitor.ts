import { io, Socket } from 'socket.io-client';

export type ChatAck =
  { ok: true; [key: string]: any } | { ok: false; status: number; code: string; detail?: string; retryAfterMs?: number };

const LOST: ChatAck = { ok: false, status: 0, code: 'connection-lost', detail: 'the connection was lost before the answer' };
const TIMED_OUT: ChatAck = { ok: false, status: 0, code: 'timeout', detail: 'no answer in time' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A visitor on the web chat who holds the conversation the way the widget does (widget/src/app/connection.ts):
 * a websocket to `/chat` that socket.io opens again when it drops (a process behind the load balancer died),
 * the session resumed with its token on every new connection before anything else is sent, and a request whose
 * answer was lost sent again, a message under the same client message id, which the service keeps once. So a
 * cut connection costs the visitor a moment, never a second ticket.
 */
export class ResumingChatVisitor {
  readonly socket: Socket;
  sessionId: string | null = null;
  /** Connections after the first one, each resumed. */
  reconnects = 0;
  /** Requests sent again after a lost connection, a timeout or a busy answer. */
  resent = 0;
  /** Failed attempts to connect, and the last one's reason: a visitor who gives up says whether it ever got through. */
  connectErrors = 0;
  private lastConnectError = '';
  private resumeToken: string | null = null;
  /** Connected, and the session (once there is one) resumed on this connection. */
  private ready = false;
  private connectedBefore = false;
  private closed = false;
  /** The service no longer knows the session (resume answered 404): every request answers this. */
  private gone: ChatAck | null = null;
  private readonly waitingForReady = new Set<() => void>();
  private readonly pending = new Set<(ack: ChatAck) => void>();

  constructor(
    baseUrl: string,
    private readonly options: { ackTimeoutMs?: number; giveUpMs?: number } = {},
  ) {
    this.socket = io(`${baseUrl}/chat`, {
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: 300,
      reconnectionDelayMax: 2000,
    });
    this.socket.on('connect', () => {
      if (this.connectedBefore) this.reconnects += 1;
      this.connectedBefore = true;
      void this.resume();
    });
    this.socket.on('connect_error', (e) => {
      this.connectErrors += 1;
      this.lastConnectError = e.message;
    });
    this.socket.on('disconnect', (reason) => {
      this.ready = false;
      // Answers of this connection will never come: settle them now, the next connection sends again.
      for (const settle of [...this.pending]) settle(LOST);
      this.pending.clear();
      // socket.io opens again by itself after a cut, but not after the server closed the socket on purpose.
      if (reason === 'io server disconnect' && !this.closed) this.socket.connect();
    });
  }

  /** Starts the session; a start whose answer was lost is sent again (the abandoned session has no message, so no ticket). */
  async start(payload: Record<string, unknown>): Promise<ChatAck> {
    const ack = await this.request('start', payload);
    if (ack.ok) {
      this.sessionId = ack.sessionId;
      this.resumeToken = ack.resumeToken;
    }
    return ack;
  }

  send(clientMessageId: string, text: string): Promise<ChatAck> {
    return this.request('message', { clientMessageId, text });
  }

  /**
   * An event answered by ack, sent until it is answered: after a lost connection (once the next one has resumed
   * the session), a timeout, or a busy answer (429, 5xx, after the wait it names). A refusal is returned as it
   * came, and so is giving up after `giveUpMs` (default 180 s).
   */
  async request(event: string, payload: unknown = {}): Promise<ChatAck> {
    const giveUpAt = Date.now() + (this.options.giveUpMs ?? 180_000);
    let last = LOST;
    for (let attempt = 0; Date.now() < giveUpAt && !this.closed; attempt++) {
      if (attempt > 0) this.resent += 1;
      if (!(await this.whenReady(giveUpAt))) break;
      if (this.gone) return this.gone;
      const ack = await this.emit(event, payload);
      if (ack.ok) return ack;
      last = ack;
      if (ack.code === 'connection-lost') await sleep(100);
      else if (ack.code === 'timeout' || ack.status === 429 || ack.status >= 500) await sleep(Math.max(500, ack.retryAfterMs ?? 1000));
      else return ack;
    }
    return {
      ok: false,
      status: 0,
      code: 'gave-up',
      detail: `${event}: not answered; last: ${last.code} ${last.ok ? '' : (last.detail ?? '')}`,
    };
  }

  close(): void {
    this.closed = true;
    this.socket.disconnect();
    for (const wake of [...this.waitingForReady]) wake();
  }

  private async resume(): Promise<void> {
    if (!this.sessionId) return this.markReady();
    for (;;) {
      const ack = await this.emit('resume', { sessionId: this.sessionId, resumeToken: this.resumeToken });
      // Lost again: the next connection resumes.
      if (!ack.ok && ack.code === 'connection-lost') return;
      if (!ack.ok && ack.status === 404) this.gone = ack;
      if (ack.ok || ack.status === 404 || this.closed) return this.markReady();
      // Busy or rate-limited: the session is still there; ask again rather than lose it.
      await sleep(Math.max(1000, ack.retryAfterMs ?? 0));
      if (!this.socket.connected) return;
    }
  }

  private markReady(): void {
    this.ready = true;
    for (const wake of [...this.waitingForReady]) wake();
    this.waitingForReady.clear();
  }

  /** True once ready, false at `until` or when closed. */
  private whenReady(until: number): Promise<boolean> {
    if (this.ready && this.socket.connected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waitingForReady.delete(wake);
        resolve(this.ready && !this.closed);
      };
      const timer = setTimeout(wake, Math.max(0, until - Date.now()));
      this.waitingForReady.add(wake);
    });
  }

  private emit(event: string, payload: unknown): Promise<ChatAck> {
    if (!this.socket.connected) return Promise.resolve(LOST);
    return new Promise((resolve) => {
      const settle = (ack: ChatAck) => {
        if (!this.pending.delete(settle)) return;
        resolve(ack);
      };
      this.pending.add(settle);
      this.socket
        .timeout(this.options.ackTimeoutMs ?? 60_000)
        .emit(event, payload, (err: unknown, ack: ChatAck) => settle(err ? TIMED_OUT : ack));
    });
  }
}

import { io, Socket } from 'socket.io-client';

export type Ack = { ok: true; [k: string]: any } | { ok: false; status: number; code: string; detail: string; retryAfterMs?: number };
export interface Saved {
  sessionId: string;
  resumeToken: string;
}
export interface Outgoing {
  clientMessageId: string;
  text: string;
  /** Files stay in memory only: a reload forgets an unsent file, never a typed line. */
  files?: Array<{ filename: string; content: ArrayBuffer; size: number }>;
}

const LOST: Ack = { ok: false, status: 0, code: 'connection-lost', detail: 'connection lost' };

/**
 * The socket to /chat and what must survive it: the session (id and resume token, in this frame's own storage,
 * so a reload or a page change on the host site resumes it) and the outbox of typed messages not yet
 * acknowledged. After every (re)connect the session is resumed and the outbox sent again in order with the same
 * client message ids, which the server answers as duplicates if it already has them: each message is kept once.
 */
export class Connection {
  readonly socket: Socket;
  private readonly pending = new Set<(ack: Ack) => void>();
  private readonly waiting = new Map<string, (ack: Ack) => void>();
  private outbox: Outgoing[] = [];
  private flushing = false;
  private epoch = 0;
  ready = false;

  constructor(
    private readonly key: string,
    private readonly hooks: {
      onResumed(ack: Ack): void;
      onAcked(item: Outgoing, ack: Ack): void;
      onConnection(up: boolean): void;
    },
  ) {
    this.socket = io('/chat', { transports: ['websocket'], reconnectionDelay: 300, reconnectionDelayMax: 2000, autoConnect: false });
    this.outbox = this.loadOutbox();
    // A first visit has nothing to resume: the pre-chat is shown at once, not after the socket connects.
    if (!this.saved) queueMicrotask(() => this.hooks.onResumed({ ok: false, status: 404, code: 'no-session', detail: '' }));
    this.socket.on('connect', () => {
      this.epoch++;
      this.hooks.onConnection(true);
      void this.resume();
    });
    this.socket.on('disconnect', () => {
      this.ready = false;
      this.epoch++;
      // Acks of this connection will never come: settle them now, the next connection sends again.
      for (const settle of [...this.pending]) settle(LOST);
      this.pending.clear();
      this.hooks.onConnection(false);
    });
  }

  /** Opens the socket (once; socket.io reconnects by itself after that). */
  connect(): void {
    if (!this.socket.active) this.socket.connect();
  }

  /** Settles when the socket is connected, or after `ms` (the caller's request then answers connection-lost). */
  private connected(ms: number): Promise<void> {
    if (this.socket.connected || !this.socket.active) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.socket.off('connect', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.socket.on('connect', done);
    });
  }

  get saved(): Saved | null {
    try {
      return JSON.parse(localStorage.getItem(this.key) ?? 'null');
    } catch {
      return null;
    }
  }

  private save(value: Saved | null): void {
    try {
      if (value) localStorage.setItem(this.key, JSON.stringify(value));
      else localStorage.removeItem(this.key);
    } catch {
      /* storage disabled: the conversation lasts as long as the page */
    }
  }

  /** An event answered by ack; a lost connection answers `connection-lost` at once instead of hanging. */
  request(event: string, payload: unknown, timeoutMs = 15000): Promise<Ack> {
    if (!this.socket.connected) return Promise.resolve(LOST);
    return new Promise((resolve) => {
      const settle = (ack: Ack) => {
        if (!this.pending.delete(settle)) return;
        resolve(ack);
      };
      this.pending.add(settle);
      this.socket.timeout(timeoutMs).emit(event, payload, (err: unknown, ack: Ack) => settle(err ? LOST : ack));
    });
  }

  async start(payload: Record<string, unknown>): Promise<Ack> {
    // The pre-chat is shown before the socket is up: a quick visitor's start waits for it rather than fail.
    await this.connected(5000);
    const ack = await this.request('start', payload);
    if (ack.ok) {
      this.save({ sessionId: ack.sessionId, resumeToken: ack.resumeToken });
      this.ready = true;
    }
    return ack;
  }

  private async resume(): Promise<void> {
    const saved = this.saved;
    if (!saved) return;
    const ack = await this.request('resume', saved);
    if (!ack.ok && ack.code === 'connection-lost') return;
    if (!ack.ok && ack.status !== 404) {
      // Busy or rate-limited: the session is still there; ask again rather than lose it.
      const epoch = this.epoch;
      setTimeout(() => this.epoch === epoch && void this.resume(), Math.max(1000, ack.retryAfterMs ?? 0));
      return;
    }
    if (!ack.ok) {
      this.forget();
      return this.hooks.onResumed(ack);
    }
    // What the server already has (the ack of its message was lost) is not sent again.
    const known = new Set((ack.history as Array<{ clientMessageId?: string }>).map((m) => m.clientMessageId).filter(Boolean));
    for (const item of this.outbox.filter((o) => known.has(o.clientMessageId)))
      this.acked(item, { ok: true, duplicate: true, id: this.idOf(ack, item) });
    this.outbox = this.outbox.filter((o) => !known.has(o.clientMessageId));
    this.storeOutbox();
    this.ready = true;
    this.hooks.onResumed(ack);
    void this.flush();
  }

  private idOf(ack: Ack, item: Outgoing): string | undefined {
    return (ack as unknown as { history: Array<{ id: string; clientMessageId?: string }> }).history.find(
      (m) => m.clientMessageId === item.clientMessageId,
    )?.id;
  }

  forget(): void {
    this.save(null);
    this.outbox = [];
    this.storeOutbox();
    this.ready = false;
  }

  pendingMessages(): Outgoing[] {
    return [...this.outbox];
  }

  /** Queues a message; the promise settles with its ack (after however many reconnects that takes). */
  send(item: Outgoing): Promise<Ack> {
    const acked = new Promise<Ack>((resolve) => this.waiting.set(item.clientMessageId, resolve));
    this.outbox.push(item);
    this.storeOutbox();
    void this.flush();
    return acked;
  }

  private acked(item: Outgoing, ack: Ack): void {
    this.waiting.get(item.clientMessageId)?.(ack);
    this.waiting.delete(item.clientMessageId);
    this.hooks.onAcked(item, ack);
  }

  /** One message at a time, in the order typed; stops when the connection goes and starts again when it is back. */
  private async flush(): Promise<void> {
    if (this.flushing || !this.ready) return;
    this.flushing = true;
    const epoch = this.epoch;
    try {
      while (this.outbox.length && this.ready && this.epoch === epoch) {
        const item = this.outbox[0];
        const attachments = item.files?.map((f) => ({ filename: f.filename, content: f.content }));
        const ack = await this.request('message', { clientMessageId: item.clientMessageId, text: item.text, attachments }, 60000);
        if (!ack.ok && ack.code === 'connection-lost') break;
        if (!ack.ok && (ack.status === 429 || ack.status === 503)) {
          await new Promise((r) => setTimeout(r, ack.retryAfterMs ?? 1000));
          continue;
        }
        this.outbox.shift();
        this.storeOutbox();
        this.acked(item, ack);
      }
    } finally {
      this.flushing = false;
      if (this.ready && this.epoch !== epoch && this.outbox.length) void this.flush();
    }
  }

  private loadOutbox(): Outgoing[] {
    try {
      return JSON.parse(sessionStorage.getItem(`${this.key}:outbox`) ?? '[]');
    } catch {
      return [];
    }
  }

  private storeOutbox(): void {
    try {
      sessionStorage.setItem(
        `${this.key}:outbox`,
        JSON.stringify(this.outbox.filter((o) => o.text).map(({ clientMessageId, text }) => ({ clientMessageId, text }))),
      );
    } catch {
      /* the outbox then lives as long as the page */
    }
  }
}

import { io, type Socket } from 'socket.io-client';
import type { Board } from './board';
import { session } from './session';

/** What ticket events carry (no personal data): enough to know which row to fetch again. */
export interface TicketEvent {
  reference: string;
  channel?: string;
  status: string;
  level: number;
  assigneeId: string | null;
  updatedAt: string;
}

/** The `sla` push: a warning or breach just recorded (GET /v1/sla/events has the full row). */
export interface SlaEvent {
  reference: string;
  metric: string;
  kind: 'warning' | 'breached';
  at: string;
}

type Handler = (event: TicketEvent) => void;

/** What the person says about themselves: online takes new work, away keeps theirs but takes none, offline ends the socket. */
export type PresenceState = 'online' | 'away' | 'offline';
const PRESENCE_KEY = 'console.presence';

/** An event of a chat this person joined (or holds), as the server relays it. */
export interface ChatEvent {
  type: 'message' | 'typing' | 'receipt' | 'session' | 'closed';
  reference: string;
  sessionId: string;
  payload: Record<string, any>;
}

/** The acknowledgement of a client → server event. */
export type Ack<T = object> = ({ ok: true } & T) | { ok: false; status: number; code: string; detail: string };

/** `reminder.due`: a reminder the person set on a ticket has come due. */
export interface ReminderEvent {
  id: string;
  reference: string;
  subject: string | null;
  note: string;
  at: string;
}

export interface Viewer {
  agentId: string;
  displayName: string;
  replying: boolean;
}

/**
 * The one /agents socket of the console (websocket only, as the server requires). It carries the current access
 * token on every (re)connection; when the server refuses it, the token is renewed and the socket connects again.
 * A heartbeat keeps the agent present.
 */
class Realtime {
  private socket: Socket | null = null;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private readonly handlers = new Set<Handler>();
  private readonly statusListeners = new Set<(connected: boolean) => void>();
  private readonly boardListeners = new Set<(board: Board) => void>();
  private readonly assignmentListeners = new Set<(event: { reference: string }) => void>();
  private readonly reminderListeners = new Set<(event: ReminderEvent) => void>();
  private readonly viewerListeners = new Set<(reference: string, viewers: Viewer[]) => void>();
  private readonly presenceListeners = new Set<(state: PresenceState) => void>();
  private readonly chatListeners = new Set<(event: ChatEvent) => void>();
  /** The chats joined on this socket: joined again on every (re)connection, as rooms do not survive it. */
  private readonly chats = new Set<string>();
  presence: PresenceState = (sessionStorage.getItem(PRESENCE_KEY) as PresenceState | null) ?? 'online';
  private readonly slaListeners = new Set<(event: SlaEvent) => void>();
  /** The tickets open on screen: told to the server again on every (re)connection. */
  private readonly viewing = new Set<string>();
  connected = false;

  start(): void {
    if (this.socket || this.presence === 'offline') return;
    const socket = io('/agents', {
      transports: ['websocket'],
      auth: (cb) => cb({ token: session.token ?? '', state: this.presence === 'away' ? 'away' : 'online' }),
      reconnectionDelayMax: 5000,
    });
    this.socket = socket;
    socket.on('ready', ({ heartbeatSeconds, state }: { heartbeatSeconds: number; state: PresenceState }) => {
      this.setConnected(true);
      this.setPresence(state);
      clearInterval(this.heartbeat);
      this.heartbeat = setInterval(() => socket.emit('heartbeat', {}, () => undefined), heartbeatSeconds * 1000);
      for (const reference of this.viewing) this.emitView(reference);
      for (const reference of this.chats) socket.emit('chat.join', { reference }, () => undefined);
    });
    // The server may put this person offline (silent past the timeout) or back: the control shows what holds.
    socket.on('presence', ({ agentId, state }: { agentId: string; state: PresenceState }) => {
      if (agentId === session.profile?.id && state !== 'offline') this.setPresence(state);
    });
    const chat = (type: ChatEvent['type']) => (body: Record<string, any>) =>
      this.chatListeners.forEach((l) => l({ type, reference: body.reference, sessionId: body.sessionId, payload: body }));
    socket.on('chat.message', chat('message'));
    socket.on('chat.typing', chat('typing'));
    socket.on('chat.receipt', chat('receipt'));
    socket.on('chat.session', chat('session'));
    socket.on('chat.closed', chat('closed'));
    socket.on('disconnect', (reason) => {
      this.setConnected(false);
      clearInterval(this.heartbeat);
      // The server ends a socket whose token or scope no longer holds: renew, then connect again.
      if (reason === 'io server disconnect' && this.socket === socket) {
        void session.refresh().then((ok) => ok && this.socket === socket && socket.connect());
      }
    });
    socket.on('board', (board: Board) => this.boardListeners.forEach((l) => l(board)));
    socket.on('sla', (event: SlaEvent) => this.slaListeners.forEach((l) => l(event)));
    socket.on('assignment', (event: { reference: string }) => this.assignmentListeners.forEach((l) => l(event)));
    socket.on('reminder.due', (event: ReminderEvent) => this.reminderListeners.forEach((l) => l(event)));
    socket.on('ticket.viewers', ({ reference, viewers }: { reference: string; viewers: Viewer[] }) =>
      this.viewerListeners.forEach((l) => l(reference, viewers)),
    );
    for (const name of ['ticket.created', 'ticket.changed', 'ticket.assigned']) {
      socket.on(name, (event: TicketEvent) => this.handlers.forEach((h) => h(event)));
    }
  }

  stop(): void {
    clearInterval(this.heartbeat);
    this.socket?.disconnect();
    this.socket = null;
    this.setConnected(false);
  }

  /**
   * Online or away is said on the socket (the heartbeat carries it); offline closes the socket, which the server
   * treats as leaving: unanswered work in automatic queues goes back, and no live updates come until online again.
   */
  async setPresenceState(state: PresenceState): Promise<void> {
    sessionStorage.setItem(PRESENCE_KEY, state);
    if (state === 'offline') {
      this.stop();
      this.setPresence('offline');
      return;
    }
    if (!this.socket) {
      this.presence = state;
      this.start();
      return;
    }
    const answer = await this.request<{ state: PresenceState }>('heartbeat', { state });
    if (answer.ok) this.setPresence(answer.state);
  }

  /** Signed out: the next person in this tab starts online, with no chats joined. */
  reset(): void {
    sessionStorage.removeItem(PRESENCE_KEY);
    this.presence = 'online';
    this.chats.clear();
    this.viewing.clear();
  }

  onPresence(listener: (state: PresenceState) => void): () => void {
    this.presenceListeners.add(listener);
    return () => this.presenceListeners.delete(listener);
  }

  private setPresence(state: PresenceState): void {
    this.presence = state;
    this.presenceListeners.forEach((l) => l(state));
  }

  /** Sends one event and waits for its acknowledgement; without a socket, answers as the server would refuse. */
  request<T = object>(event: string, payload: unknown): Promise<Ack<T>> {
    const socket = this.socket;
    if (!socket?.connected) return Promise.resolve({ ok: false, status: 0, code: 'offline', detail: 'not connected' });
    return socket
      .timeout(10_000)
      .emitWithAck(event, payload)
      .catch(() => ({ ok: false, status: 0, code: 'timeout', detail: 'no answer' })) as Promise<Ack<T>>;
  }

  /** Joins a chat (with takeOver, also one the assistant still holds); its events then come to onChat. */
  async joinChat<T>(reference: string, takeOver = false): Promise<Ack<T>> {
    const answer = await this.request<T>('chat.join', { reference, ...(takeOver ? { takeOver: true } : {}) });
    if (answer.ok) this.chats.add(reference);
    return answer;
  }

  leaveChat(reference: string): void {
    if (this.chats.delete(reference)) void this.request('chat.leave', { reference });
  }

  onChat(listener: (event: ChatEvent) => void): () => void {
    this.chatListeners.add(listener);
    return () => this.chatListeners.delete(listener);
  }

  onTicket(handler: Handler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** The live board, pushed to supervisors and admins every SUPERVISOR_BOARD_PUSH_SECONDS. */
  onBoard(listener: (board: Board) => void): () => void {
    this.boardListeners.add(listener);
    return () => this.boardListeners.delete(listener);
  }

  onStatus(listener: (connected: boolean) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** SLA warnings and breaches as they are recorded (supervisors and admins). */
  onSla(listener: (event: SlaEvent) => void): () => void {
    this.slaListeners.add(listener);
    return () => this.slaListeners.delete(listener);
  }

  /** Work a router gave this person (an automatic queue): shown as a notice, without sound. */
  onAssignment(listener: (event: { reference: string }) => void): () => void {
    this.assignmentListeners.add(listener);
    return () => this.assignmentListeners.delete(listener);
  }

  /** The person's own reminder on a ticket, at the time they set. */
  onReminder(listener: (event: ReminderEvent) => void): () => void {
    this.reminderListeners.add(listener);
    return () => this.reminderListeners.delete(listener);
  }

  /** Who else has a ticket open, and who of them is writing a reply. */
  onViewers(listener: (reference: string, viewers: Viewer[]) => void): () => void {
    this.viewerListeners.add(listener);
    return () => this.viewerListeners.delete(listener);
  }

  /** Tells others who is looking at a ticket; the viewers come back in the answer and then as events. */
  view(reference: string, viewing: boolean): void {
    if (!viewing) {
      this.viewing.delete(reference);
      if (this.connected) this.socket?.emit('ticket.leave', { reference }, () => undefined);
      return;
    }
    this.viewing.add(reference);
    if (this.connected) this.emitView(reference);
  }

  private emitView(reference: string): void {
    this.socket?.emit('ticket.view', { reference }, (answer: { ok: boolean; viewers?: Viewer[] }) => {
      if (answer?.ok && answer.viewers) this.viewerListeners.forEach((l) => l(reference, answer.viewers!));
    });
  }

  /** Tells those viewing the ticket that this person is (or no longer is) writing a reply. */
  replying(reference: string, replying: boolean): void {
    this.socket?.emit('ticket.replying', { reference, replying }, () => undefined);
  }

  private setConnected(value: boolean): void {
    this.connected = value;
    this.statusListeners.forEach((l) => l(value));
  }
}

export const realtime = new Realtime();

import { io, type Socket } from 'socket.io-client';
import type { Board } from './board';
import { session } from './session';

/** What ticket events carry (no personal data): enough to know which row to fetch again. */
export interface TicketEvent {
  reference: string;
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
  private readonly viewerListeners = new Set<(reference: string, viewers: Viewer[]) => void>();
  private readonly slaListeners = new Set<(event: SlaEvent) => void>();
  /** The tickets open on screen: told to the server again on every (re)connection. */
  private readonly viewing = new Set<string>();
  connected = false;

  start(): void {
    if (this.socket) return;
    const socket = io('/agents', {
      transports: ['websocket'],
      auth: (cb) => cb({ token: session.token ?? '', state: 'online' }),
      reconnectionDelayMax: 5000,
    });
    this.socket = socket;
    socket.on('ready', ({ heartbeatSeconds }: { heartbeatSeconds: number }) => {
      this.setConnected(true);
      clearInterval(this.heartbeat);
      this.heartbeat = setInterval(() => socket.emit('heartbeat', {}, () => undefined), heartbeatSeconds * 1000);
      for (const reference of this.viewing) this.emitView(reference);
    });
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

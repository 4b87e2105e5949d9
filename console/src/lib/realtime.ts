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

type Handler = (event: TicketEvent) => void;

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

  /** Tells others who is looking at a ticket; the answer is ignored (viewers arrive as events). */
  view(reference: string, viewing: boolean): void {
    this.socket?.emit(viewing ? 'ticket.view' : 'ticket.leave', { reference }, () => undefined);
  }

  private setConnected(value: boolean): void {
    this.connected = value;
    this.statusListeners.forEach((l) => l(value));
  }
}

export const realtime = new Realtime();

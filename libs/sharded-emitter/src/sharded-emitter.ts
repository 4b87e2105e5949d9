import { randomBytes } from 'node:crypto';

/**
 * Emits to the sockets of socket.io servers that use the sharded Redis adapter (`createShardedAdapter` of
 * @socket.io/redis-adapter, Redis 7 sharded pub/sub), from a process without a socket.io server (a worker).
 * @socket.io/redis-emitter only speaks the classic adapter's protocol (PUBLISH of msgpack'd packets on
 * `<key>#<nsp>#`); the sharded adapter listens with SSUBSCRIBE for socket.io-adapter's ClusterAdapter messages.
 * This writes those messages, on the channels the adapter itself would choose, so a room's events travel on the
 * shard that room's channel hashes to.
 */

/** socket.io-parser's EVENT packet type. */
const EVENT_PACKET = 2;
/** socket.io-adapter's ClusterAdapter message types this emitter sends. */
const BROADCAST = 3;
const DISCONNECT_SOCKETS = 6;

/** Sends one message on a sharded channel (SPUBLISH); failures are the publisher's to report. */
export type ShardedPublish = (channel: string, message: string) => unknown;

/** Where a sharded adapter with `subscriptionMode: 'dynamic'` (its default) listens for a message. */
export function shardedChannel(channelPrefix: string, nsp: string, rooms: readonly string[]): string {
  const main = `${channelPrefix}#${nsp}#`;
  // As the adapter: one public room has a channel of its own; a socket's private room (its 20-character id) or
  // several rooms go on the namespace's channel, which every server listens to.
  return rooms.length === 1 && rooms[0].length !== 20 ? `${main}${rooms[0]}#` : main;
}

function hasBinary(value: unknown): boolean {
  if (!value || typeof value !== 'object') return false;
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return true;
  if (Array.isArray(value)) return value.some(hasBinary);
  return Object.values(value).some(hasBinary);
}

export class ShardedEmitter {
  /** Servers ignore messages carrying their own uid; an emitter has one of its own. */
  readonly uid = randomBytes(8).toString('hex');

  constructor(
    private readonly publish: ShardedPublish,
    readonly channelPrefix = 'socket.io',
  ) {}

  of(nsp: string): ShardedBroadcast {
    return new ShardedBroadcast(this, nsp.startsWith('/') ? nsp : `/${nsp}`, [], []);
  }

  /** @internal */
  send(nsp: string, message: { type: number; data: unknown }, channelRooms: readonly string[]): void {
    this.publish(shardedChannel(this.channelPrefix, nsp, channelRooms), JSON.stringify({ uid: this.uid, nsp, ...message }));
  }
}

/** The part of socket.io's BroadcastOperator the service uses: rooms, then an event or a disconnection. */
export class ShardedBroadcast {
  constructor(
    private readonly emitter: ShardedEmitter,
    private readonly nsp: string,
    private readonly rooms: readonly string[],
    private readonly exceptRooms: readonly string[],
  ) {}

  to(room: string | readonly string[]): ShardedBroadcast {
    const added = typeof room === 'string' ? [room] : room;
    return new ShardedBroadcast(this.emitter, this.nsp, [...new Set([...this.rooms, ...added])], this.exceptRooms);
  }

  in(room: string | readonly string[]): ShardedBroadcast {
    return this.to(room);
  }

  except(room: string | readonly string[]): ShardedBroadcast {
    const added = typeof room === 'string' ? [room] : room;
    return new ShardedBroadcast(this.emitter, this.nsp, this.rooms, [...new Set([...this.exceptRooms, ...added])]);
  }

  /**
   * The event to every socket of these rooms (of the namespace, when none), on every server. Sent as JSON, the
   * adapter's text format: binary arguments would arrive as something else, so they are refused.
   */
  emit(event: string, ...args: unknown[]): true {
    if (hasBinary(args)) throw new Error(`the sharded emitter sends no binary data (event ${event})`);
    const packet = { type: EVENT_PACKET, data: [event, ...args], nsp: this.nsp };
    this.emitter.send(this.nsp, { type: BROADCAST, data: { packet, opts: this.opts() } }, this.rooms);
    return true;
  }

  /** Disconnects the matching sockets on every server (`close`: the underlying connection too). */
  disconnectSockets(close = false): void {
    // Not a broadcast: the adapter takes these on the namespace's channel only.
    this.emitter.send(this.nsp, { type: DISCONNECT_SOCKETS, data: { opts: this.opts(), close } }, []);
  }

  private opts(): { rooms: string[]; except: string[]; flags: Record<string, never> } {
    return { rooms: [...this.rooms], except: [...this.exceptRooms], flags: {} };
  }
}

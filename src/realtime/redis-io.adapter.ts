import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import { createRedis, isRedisCluster, RedisClient } from '../common/redis-connection';
import type { Socket as NetSocket } from 'node:net';
import type { Server, ServerOptions } from 'socket.io';
import { AppConfig } from '../config/app-config';
import { socketIoKey } from './realtime.publisher';

/** What writeFlushesTogether needs of an engine.io transport; `socket` is the `ws` socket of a websocket one. */
export interface EngineTransport {
  name: string;
  send(packets: unknown[]): void;
  socket?: { _socket?: Pick<NetSocket, 'cork' | 'uncork'> };
}

/**
 * Packets engine.io flushes together go out in one system call. A socket still writing buffers what is emitted to
 * it meanwhile, and engine.io then writes each buffered packet as a frame of its own: after a burst of ticket
 * events (every operator hears of every ticket), each operator's socket made a system call per event, the largest
 * part of the API's work in the chat benchmark. Corked, the frames of one flush leave in a single write.
 */
export function writeFlushesTogether(transport: EngineTransport): void {
  const raw = transport.name === 'websocket' ? transport.socket?._socket : undefined;
  if (!raw || typeof raw.cork !== 'function') return;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with call(this), on the transport
  const send = transport.send;
  transport.send = function (this: EngineTransport, packets: unknown[]): void {
    if (packets.length < 2) return send.call(this, packets);
    raw.cork();
    try {
      send.call(this, packets);
    } finally {
      raw.uncork();
    }
  };
}

/** What settleUnawaitedPublishes needs of a Redis client (sharded pub/sub on a Cluster publishes with `spublish`). */
export interface Publisher {
  publish: (...args: any[]) => Promise<unknown>;
  spublish?: (...args: any[]) => Promise<unknown>;
}

/**
 * The adapter publishes without awaiting: requests to the other instances, their answers, broadcasts. A publish still
 * queued when the connection closes, as when an instance shuts down while another asks it which sockets it holds,
 * rejects with "Connection is closed" and nobody handles it: an unhandled rejection (seen once failing a test file
 * whose two instances stopped together). Such a failure changes nothing (the instance is leaving; an unanswered
 * request times out for its sender), so it is settled here; whoever awaits a publish still gets the error.
 */
export function settleUnawaitedPublishes(client: Publisher): void {
  for (const name of ['publish', 'spublish'] as const) {
    const original = client[name];
    if (typeof original !== 'function') continue;
    client[name] = function (this: Publisher, ...args: unknown[]): Promise<unknown> {
      const result = original.apply(this, args);
      result.catch(() => undefined);
      return result;
    };
  }
}

/**
 * Socket.io through Redis, so that with several API instances behind a load balancer (no sticky sessions needed
 * for the websocket transport) a room spans them all. Long-polling needs stickiness, so only websockets are taken.
 * On a Redis Cluster the sharded adapter (Redis 7 sharded pub/sub): a room's channel lives on one shard, where
 * classic PUBLISH would be copied to every node of the cluster.
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly clients: RedisClient[] = [];

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const origins = this.config.REALTIME_CORS_ORIGINS;
    const server: Server = super.createIOServer(port, {
      ...options,
      transports: ['websocket'],
      // A chat visitor's file travels in one frame (binary, or base64 at 4/3 of its size).
      maxHttpBufferSize: Math.ceil((this.config.CHAT_MAX_ATTACHMENT_BYTES * 4) / 3) + 64 * 1024,
      cors: origins.length ? { origin: origins, credentials: true } : undefined,
    });
    const pub = createRedis(this.config, { maxRetriesPerRequest: null });
    // On a Cluster the subscriber keeps one connection per primary, each subscribed to the channels of its slots.
    const sub = isRedisCluster(this.config)
      ? createRedis(this.config, { maxRetriesPerRequest: null }, { shardedSubscribers: true })
      : pub.duplicate();
    for (const client of [pub, sub]) client.on('error', () => undefined); // reconnects by itself
    settleUnawaitedPublishes(pub);
    this.clients.push(pub, sub);
    server.adapter(
      isRedisCluster(this.config)
        ? createShardedAdapter(pub, sub, { channelPrefix: socketIoKey(this.config) })
        : createAdapter(pub, sub, { key: socketIoKey(this.config), requestsTimeout: 3000 }),
    );
    server.engine.on('connection', (socket: { transport: EngineTransport }) => writeFlushesTogether(socket.transport));
    return server;
  }

  override async dispose(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.quit().catch(() => c.disconnect())));
  }
}

import { createShardedAdapter } from '@socket.io/redis-adapter';
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, Socket } from 'socket.io-client';
import { ShardedEmitter, shardedChannel } from './sharded-emitter';

/**
 * Sharded pub/sub as Redis does it, in memory: SPUBLISH reaches the clients that SSUBSCRIBEd that very channel.
 * The adapter under test is the real one; only the network to Redis is left out.
 */
class ShardedBus {
  readonly published: string[] = [];
  private readonly subscribers = new Set<EventEmitter & { channels: Set<string> }>();

  subscriber() {
    const sub = Object.assign(new EventEmitter(), {
      channels: new Set<string>(),
      ssubscribe: (channel: string) => (sub.channels.add(channel), Promise.resolve()),
      sunsubscribe: (channel: string | string[]) => ([channel].flat().forEach((c) => sub.channels.delete(c)), Promise.resolve()),
    });
    this.subscribers.add(sub);
    return sub;
  }

  publisher() {
    return { spublish: (channel: string, message: string | Buffer) => this.spublish(channel, message) };
  }

  spublish(channel: string, message: string | Buffer): Promise<number> {
    this.published.push(channel);
    let n = 0;
    for (const sub of this.subscribers) {
      if (!sub.channels.has(channel)) continue;
      n++;
      setImmediate(() => sub.emit('smessageBuffer', Buffer.from(channel), Buffer.from(message)));
    }
    return Promise.resolve(n);
  }
}

describe('ShardedEmitter', () => {
  let bus: ShardedBus;
  let server: Server;
  let url: string;
  const clients: Socket[] = [];

  beforeEach(async () => {
    bus = new ShardedBus();
    const http = createServer();
    server = new Server(http, { transports: ['websocket'] });
    server.adapter(createShardedAdapter(bus.publisher(), bus.subscriber(), { channelPrefix: 'vp:socket.io' }));
    server.of('/agents').on('connection', (socket) => {
      const rooms = socket.handshake.auth.rooms as string[];
      void socket.join(rooms);
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/agents`;
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    await new Promise<void>((resolve) => void server.close(() => resolve()));
  });

  async function client(rooms: string[]): Promise<Socket & { heard: Array<[string, unknown]> }> {
    const socket = Object.assign(connect(url, { transports: ['websocket'], auth: { rooms }, forceNew: true }), {
      heard: [] as Array<[string, unknown]>,
    });
    socket.onAny((event, payload) => socket.heard.push([event, payload]));
    clients.push(socket);
    await new Promise<void>((resolve, reject) => (socket.once('connect', () => resolve()), socket.once('connect_error', reject)));
    // The join happens in the server's connection handler, just after the client hears it is connected.
    await new Promise((r) => setTimeout(r, 50));
    return socket;
  }

  const settle = () => new Promise((r) => setTimeout(r, 100));

  it("reaches a room's sockets on the room's own sharded channel, and nobody else", async () => {
    const inRoom = await client(['agent:1']);
    const elsewhere = await client(['agent:2']);
    const emitter = new ShardedEmitter((channel, message) => bus.spublish(channel, message), 'vp:socket.io').of('/agents');

    emitter.to('agent:1').emit('assignment', { reference: 'VP-2026-000001', at: new Date('2026-01-02T03:04:05Z') });
    await settle();

    expect(bus.published).toContain('vp:socket.io#/agents#agent:1#');
    expect(inRoom.heard).toEqual([['assignment', { reference: 'VP-2026-000001', at: '2026-01-02T03:04:05.000Z' }]]);
    expect(elsewhere.heard).toEqual([]);
  });

  it('sends to several rooms on the namespace channel, each socket once', async () => {
    const both = await client(['a', 'b']);
    const onlyB = await client(['b']);
    const none = await client(['c']);
    new ShardedEmitter((channel, message) => bus.spublish(channel, message), 'vp:socket.io')
      .of('/agents')
      .to(['a', 'b'])
      .emit('ticket.changed', { n: 1 });
    await settle();

    expect(bus.published).toEqual(['vp:socket.io#/agents#']);
    expect(both.heard).toEqual([['ticket.changed', { n: 1 }]]);
    expect(onlyB.heard).toEqual([['ticket.changed', { n: 1 }]]);
    expect(none.heard).toEqual([]);
  });

  it('disconnects the sockets of a room on every server', async () => {
    const revoked = await client(['session:s1']);
    const kept = await client(['session:s2']);
    new ShardedEmitter((channel, message) => bus.spublish(channel, message), 'vp:socket.io')
      .of('/agents')
      .in('session:s1')
      .disconnectSockets(true);
    await settle();

    expect(revoked.connected).toBe(false);
    expect(kept.connected).toBe(true);
  });

  it('refuses binary arguments instead of sending them mangled', () => {
    const emitter = new ShardedEmitter(() => undefined).of('/chat');
    expect(() => emitter.to('v').emit('file', { content: Buffer.from('x') })).toThrow(/no binary data/);
  });

  it("chooses the adapter's channels: one public room its own, a socket id or several rooms the namespace's", () => {
    expect(shardedChannel('p', '/chat', ['visitor:1'])).toBe('p#/chat#visitor:1#');
    expect(shardedChannel('p', '/chat', ['abcdefghijklmnopqrst'])).toBe('p#/chat#');
    expect(shardedChannel('p', '/chat', ['x', 'y'])).toBe('p#/chat#');
    expect(shardedChannel('p', '/chat', [])).toBe('p#/chat#');
  });
});

import { createServer, Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { HaProxy } from './support/haproxy';
import { eventually } from './support/test-env';

/**
 * The committed HAProxy configuration in front of two stand-in API processes whose /health the test sets: a process
 * that fails its check gets no traffic while another passes, and when every process fails at once (a cause they
 * share, such as PostgreSQL restarting) the proxy fails open and lets each answer for itself.
 */
class StandIn {
  healthy = true;
  served = 0;
  private readonly sockets = new Set<Socket>();
  private constructor(
    readonly name: string,
    private readonly server: Server,
  ) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(name: string): Promise<StandIn> {
    let self: StandIn | undefined;
    const server = createServer((req, res) => {
      if (req.url === '/health') {
        res
          .writeHead(self!.healthy ? 200 : 503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: self!.healthy ? 'up' : 'down' }));
        return;
      }
      self!.served += 1;
      res.writeHead(200, { 'content-type': 'text/plain' }).end(name);
    });
    self = new StandIn(name, server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return self;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Gone as a killed process is: the port refuses connections. */
  async kill(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('HAProxy: fails open when every API process fails its health check', () => {
  let a: StandIn;
  let b: StandIn;
  let proxy: HaProxy;

  beforeAll(async () => {
    [a, b] = await Promise.all([StandIn.start('a'), StandIn.start('b')]);
    proxy = await HaProxy.start([a.port, b.port]);
  });

  afterAll(async () => {
    await proxy?.stop();
    await Promise.allSettled([a?.kill(), b?.kill()]);
  });

  const send = async (n: number) => {
    const answers: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${proxy.url}/v1/channels/webform/submissions`, { method: 'POST', body: '{}' });
      answers.push(`${res.status} ${await res.text()}`);
    }
    return answers;
  };

  it('sends nothing to a process that fails its check while the other passes', async () => {
    a.healthy = false;
    await proxy.waitUntil((s) => s.find((x) => x.name === 'api1')?.status.startsWith('DOWN') === true, 'api1 DOWN');
    const before = a.served;
    expect(new Set(await send(20))).toEqual(new Set(['200 b']));
    expect(a.served).toBe(before);
  });

  it('lets every process answer for itself while all fail their checks, and skips one that died', async () => {
    b.healthy = false;
    await proxy.waitUntil((s) => s.every((x) => x.status.startsWith('DOWN')), 'both DOWN');
    // Not the proxy's own 503 for want of a server: both processes serve, as before their checks failed.
    expect(new Set(await send(20))).toEqual(new Set(['200 a', '200 b']));

    await a.kill();
    expect(new Set(await send(10))).toEqual(new Set(['200 b']));
  });

  it('goes back to the checked processes as soon as one passes again', async () => {
    b.healthy = true;
    await proxy.waitUntil((s) => s.find((x) => x.name === 'api2')?.status === 'UP', 'api2 UP');
    await eventually(async () => (await proxy.servers()).find((x) => x.name === 'api1')?.status.startsWith('DOWN') === true);
    expect(new Set(await send(10))).toEqual(new Set(['200 b']));
  });
});

import { AddressInfo, createServer, connect, Server, Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of the service, so that a test can take the network away from a browser: `cut()`
 * drops every open connection and refuses new ones (as a lost network does), `restore()` lets them through again.
 */
export class TcpProxy {
  private readonly open = new Set<Socket>();
  private refusing = false;

  private constructor(private readonly server: Server) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    let proxy: TcpProxy;
    const server = createServer((client) => {
      if (proxy.refusing) return client.destroy();
      const upstream = connect(targetPort, '127.0.0.1');
      for (const [a, b] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        proxy.open.add(a);
        a.on('error', () => b.destroy());
        a.on('close', () => (proxy.open.delete(a), b.destroy()));
        a.pipe(b);
      }
    });
    proxy = new TcpProxy(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  cut(): void {
    this.refusing = true;
    for (const s of this.open) s.destroy();
  }

  restore(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

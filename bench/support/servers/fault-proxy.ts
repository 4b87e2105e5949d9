import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of a server (a mail server, for the soak), for faults of the network or of the
 * server itself: `drop()` cuts every open connection and refuses new ones until `restore()` (a lost link, an
 * IMAP server restarting); `answer(line)` greets every new connection with that line and closes it (an SMTP
 * server that says `421` while it is overloaded or shutting down), connections already open go on.
 */
export class FaultProxy {
  private readonly open = new Set<Socket>();
  private mode: { kind: 'pass' } | { kind: 'refuse' } | { kind: 'answer'; line: string } = { kind: 'pass' };
  /** Connections cut, refused or answered by a fault. */
  faulted = 0;

  private constructor(private readonly server: Server) {}

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<FaultProxy> {
    let proxy: FaultProxy;
    const server = createServer((client) => {
      const mode = proxy.mode;
      if (mode.kind !== 'pass') {
        proxy.faulted += 1;
        if (mode.kind === 'refuse') return client.destroy();
        client.on('error', () => undefined);
        return void client.end(`${mode.line}\r\n`);
      }
      const upstream = connect(targetPort, targetHost);
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
    proxy = new FaultProxy(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  drop(): void {
    this.mode = { kind: 'refuse' };
    this.faulted += this.open.size / 2;
    for (const s of this.open) s.destroy();
  }

  answer(line: string): void {
    this.mode = { kind: 'answer', line };
  }

  restore(): void {
    this.mode = { kind: 'pass' };
  }

  async close(): Promise<void> {
    this.drop();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

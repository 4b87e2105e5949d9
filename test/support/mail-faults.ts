import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function pipeBoth(client: Socket, upstream: Socket, open: Set<Socket>): void {
  for (const [a, b] of [
    [client, upstream],
    [upstream, client],
  ] as const) {
    open.add(a);
    a.on('error', () => b.destroy());
    a.on('close', () => (open.delete(a), b.destroy()));
  }
}

/**
 * A loopback proxy in front of a real IMAP server that drops connections at the worst moments: the first
 * `midFetch` sessions are cut once part of a FETCH answer has passed (the client holds half a chunk), the next
 * `atStore` sessions just as the client flags what it has taken (the chunk is accepted and checkpointed, the server
 * never hears of it). After that it passes everything through.
 */
export class ImapCutter {
  readonly cuts: Array<'mid-fetch' | 'at-store'> = [];
  private readonly open = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }, plan: { midFetch: number; atStore: number; afterBytes: number }) {
    let cutter: ImapCutter;
    const server = createServer((client) => {
      const upstream = connect(target.port, target.host);
      pipeBoth(client, upstream, cutter.open);
      const cut = (why: 'mid-fetch' | 'at-store') => {
        cutter.cuts.push(why);
        client.destroy();
        upstream.destroy();
      };
      let fetching = false;
      let fetched = 0;
      client.on('data', (chunk: Buffer) => {
        const line = chunk.toString('latin1').toUpperCase();
        const planned = cutter.cuts.length;
        if (/ UID STORE | STORE /.test(line) && planned >= plan.midFetch && planned < plan.midFetch + plan.atStore) return cut('at-store');
        if (/ UID FETCH | FETCH /.test(line) && planned < plan.midFetch) fetching = true;
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => {
        if (fetching && (fetched += chunk.length) > plan.afterBytes && cutter.cuts.length < plan.midFetch) {
          client.write(chunk.subarray(0, Math.floor(chunk.length / 2)));
          return cut('mid-fetch');
        }
        client.write(chunk);
      });
    });
    cutter = new ImapCutter(server, await listen(server));
    return cutter;
  }

  async close(): Promise<void> {
    for (const s of this.open) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}

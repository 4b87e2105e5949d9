import { createServer, IncomingMessage, Server } from 'node:http';
import { freePort } from './private-services';

/**
 * Stands in for api.telegram.org during fault tests: counts every sendMessage by its text, so a test can say
 * each queued reply reached the platform exactly once.
 */
export class TelegramCounter {
  readonly sent = new Map<string, number>();
  private constructor(
    private readonly server: Server,
    readonly base: string,
  ) {}

  static async start(): Promise<TelegramCounter> {
    const port = await freePort();
    let counter: TelegramCounter | undefined;
    const server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
        res.setHeader('Content-Type', 'application/json');
        if (!req.url?.includes('/sendMessage'))
          return res.writeHead(404).end(JSON.stringify({ ok: false, error_code: 404, description: 'Not Found' }));
        counter!.sent.set(body.text, (counter!.sent.get(body.text) ?? 0) + 1);
        res
          .writeHead(200)
          .end(
            JSON.stringify({ ok: true, result: { message_id: counter!.sent.size, chat: { id: Number(body.chat_id) }, text: body.text } }),
          );
      });
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    counter = new TelegramCounter(server, `http://127.0.0.1:${port}`);
    return counter;
  }

  async close(): Promise<void> {
    await new Promise((r) => this.server.close(r));
  }
}

/**
 * What a well-behaved client does when a request fails on the way (a connection cut, a 5xx while a server is
 * away): it sends the same request again, with the same identity, until it is answered or time runs out.
 */
export async function untilAccepted<T extends { status: number }>(
  send: () => Promise<T>,
  accepted: (r: T) => boolean,
  timeoutMs = 30000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const res = await send();
      if (accepted(res)) return res;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not accepted in ${timeoutMs} ms; last: ${String(last)}`);
}

/** Runs `jobs` with at most `width` at a time, in order of start. */
export async function inParallel<T>(width: number, jobs: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await jobs[i]();
      }
    }),
  );
  return results;
}

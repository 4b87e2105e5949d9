import { AddressPolicy, TargetRefused } from '@lib/network-guard';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { postWebhook } from './webhook-post';

describe('postWebhook', () => {
  let server: Server;
  let port: number;
  const paths: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      paths.push(req.url ?? '');
      if (req.url === '/moved') return res.writeHead(301, { Location: '/here' }).end();
      res.writeHead(204).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  beforeEach(() => paths.splice(0));

  const post = (url: string, allowed: string[]) =>
    postWebhook(url, { 'Content-Type': 'application/json' }, '{}', { policy: new AddressPolicy(allowed), timeoutMs: 5000 });

  it('refuses a name that resolves inside before any byte is sent, through the lookup of the connection itself', async () => {
    await expect(post(`http://localhost:${port}/x`, [])).rejects.toBeInstanceOf(TargetRefused);
    await expect(post(`http://127.0.0.1:${port}/x`, [])).rejects.toThrow('the address 127.0.0.1 is internal and not allowed');
    expect(paths).toEqual([]);
  });

  it('reaches an allowed network by name and by address, and answers a redirect with its status instead of following it', async () => {
    expect(await post(`http://localhost:${port}/by-name`, ['127.0.0.1', '::1'])).toBe(204);
    expect(await post(`http://127.0.0.1:${port}/moved`, ['127.0.0.1'])).toBe(301);
    expect(paths).toEqual(['/by-name', '/moved']);
  });
});

import http from 'node:http';
import { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pinoHttp from 'pino-http';
import { QueryFailedError } from 'typeorm';
import { accessLineObject, addToAccessLine, requestLogSerializers } from './request-log';

/** A logger built as the app builds it (pino-http with our serializers), writing its lines into an array. */
function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { http: pinoHttp({ serializers: requestLogSerializers, customSuccessObject: accessLineObject }, stream), lines };
}

describe('requestLogSerializers', () => {
  it('logs what identifies a request and no header but the user agent', () => {
    const line = requestLogSerializers.req({
      id: 'r-1',
      method: 'POST',
      url: '/v1/channels/social/telegram/webhook',
      remoteAddress: '127.0.0.1',
      headers: {
        'user-agent': 'TelegramBot',
        authorization: 'Bearer secret-1',
        cookie: 'sid=secret-2',
        'x-telegram-bot-api-secret-token': 'secret-3',
        'x-twilio-signature': 'secret-4',
        'x-hub-signature-256': 'sha256=secret-5',
        'x-signature': 'secret-6',
      },
    });
    expect(line).toEqual({
      id: 'r-1',
      method: 'POST',
      url: '/v1/channels/social/telegram/webhook',
      remoteAddress: '127.0.0.1',
      userAgent: 'TelegramBot',
    });
    expect(JSON.stringify(line)).not.toContain('secret');
    expect(requestLogSerializers.res({ statusCode: 204 })).toEqual({ statusCode: 204 });
  });

  it('logs a request that code described itself, with no headers to read', () => {
    const { http: middleware, lines } = capturingLogger();
    middleware.logger.warn(
      { req: { id: 'r-1', method: 'POST', url: '/v1/x?CallSid=CA1', remoteAddress: '10.0.0.1' }, res: { statusCode: 503 } },
      'not served',
    );
    expect(JSON.parse(lines[0])).toMatchObject({
      req: { id: 'r-1', method: 'POST', url: '/v1/x', remoteAddress: '10.0.0.1' },
      res: { statusCode: 503 },
    });
  });

  it("logs the client's address as resolved behind trusted proxies (req.ip), not the proxy's", () => {
    const line = requestLogSerializers.req({
      id: 'r-2',
      method: 'GET',
      url: '/health',
      remoteAddress: '10.0.0.2',
      raw: { ip: '203.0.113.9' },
      headers: {},
    });
    expect(line.remoteAddress).toBe('203.0.113.9');
  });

  it('never logs a query string: the request line of a search has the path only', async () => {
    const { http: middleware, lines } = capturingLogger();
    const server = http.createServer((req, res) => middleware(req, res, () => res.end('ok')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await fetch(`http://127.0.0.1:${port}/v1/tickets?q=121282-11210&customer=Jānis`);
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      server.close();
    }
    const logged = lines.join('');
    expect(JSON.parse(lines[0]).req.url).toBe('/v1/tickets');
    expect(logged).not.toContain('121282');
    expect(logged).not.toContain('q=');
  });

  it("logs a failed insert's statement and reason, never its parameters or PostgreSQL's detail", () => {
    const { http: middleware, lines } = capturingLogger();
    const driverError = Object.assign(new Error('duplicate key value violates unique constraint "UQ_email"'), {
      code: '23505',
      detail: 'Key (email)=(liga@example.lv) already exists.',
      constraint: 'UQ_email',
      table: 'agents',
    });
    const err = new QueryFailedError(
      'INSERT INTO inbound_events (payload) VALUES ($1)',
      ['{"personalCode":"121282-11210","firstName":"Līga"}'],
      driverError,
    );
    middleware.logger.error(
      { err: Object.assign(err, { cause: { parameters: ['secret-cause'], message: 'inner' } }), requestId: 'r-2' },
      'unhandled error',
    );
    const line = JSON.parse(lines[0]);
    expect(line.err).toMatchObject({
      type: 'QueryFailedError',
      message: expect.stringContaining(driverError.message),
      code: '23505',
      constraint: 'UQ_email',
      query: 'INSERT INTO inbound_events (payload) VALUES ($1)',
    });
    expect(line.err.stack).toContain('QueryFailedError');
    expect(lines[0]).not.toMatch(/121282|Līga|liga@example|secret-cause|parameters|driverError|detail/);
  });

  it('puts what a handler adds on the access line itself, and nothing on the lines of other requests', async () => {
    const { http: middleware, lines } = capturingLogger();
    const server = http.createServer((req, res) =>
      middleware(req, res, () => {
        if (req.url === '/forms') addToAccessLine(res, { reference: 'VP-2026-000123', duplicate: false });
        if (req.url === '/forms') addToAccessLine(res, { submissionId: 'LV-1' });
        res.statusCode = 202;
        res.end('{}');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await fetch(`http://127.0.0.1:${port}/forms`, { method: 'POST', body: '{}' });
      await fetch(`http://127.0.0.1:${port}/other`);
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      server.close();
    }
    const [form, other] = lines.map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(form).toMatchObject({ msg: 'request completed', reference: 'VP-2026-000123', duplicate: false, submissionId: 'LV-1' });
    expect(form).toMatchObject({ req: { url: '/forms' }, res: { statusCode: 202 }, responseTime: expect.any(Number) });
    expect(other).not.toHaveProperty('reference');
  });
});

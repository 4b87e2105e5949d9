import { INestApplication } from '@nestjs/common';
import { createServer as createHttpServer, IncomingMessage, Server as HttpServer } from 'node:http';
import { createServer, Server, Socket } from 'node:net';
import request from 'supertest';
import { telegramHeaders } from '../bench/support/webhook-signing';
import { AgentsService } from '../src/agents/agents.service';
import { freePort } from './support/private-services';
import { eventually, login, TestEnv } from './support/test-env';

/**
 * An SMTP peer that refuses every recipient with 550, as a server does for an address that does not exist.
 * (Delivery that works is tested against the real OpenSMTPD in email.e2e-spec.ts.)
 */
function refusingSmtpServer(port: number): Promise<Server> {
  const server = createServer((socket: Socket) => {
    socket.write('220 refuse.test ESMTP\r\n');
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      let i: number;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i).toUpperCase();
        buffer = buffer.slice(i + 2);
        if (line.startsWith('EHLO') || line.startsWith('HELO')) socket.write('250 refuse.test\r\n');
        else if (line.startsWith('MAIL FROM')) socket.write('250 2.1.0 Ok\r\n');
        else if (line.startsWith('RCPT TO')) socket.write('550 5.1.1 <nobody@customer.test>: Recipient address rejected: User unknown\r\n');
        else if (line.startsWith('QUIT')) socket.end('221 2.0.0 Bye\r\n');
        else socket.write('503 5.5.1 Error: need RCPT command\r\n');
      }
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

describe('outbound delivery failures are shown on the message', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let smtp: Server;
  let token: string;

  beforeAll(async () => {
    const refusing = await freePort();
    smtp = await refusingSmtpServer(refusing);
    app = await env.startApi({
      APP_ROLE: 'all',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(refusing),
      SMTP_TLS: 'false',
      MAIL_FROM: 'VPPPD <centre@vpppd.test>',
    });
    await app
      .get(AgentsService)
      .upsert({ email: 'op@vpppd.test', displayName: 'Operators', password: 'operator-password-1', roles: ['operator'] });
    token = await login(app, 'op@vpppd.test', 'operator-password-1');
  });
  afterAll(async () => {
    await env.teardown();
    await new Promise((r) => smtp.close(r));
  });

  /** A web-form ticket of an applicant reachable only as given; resolves to its reference once it exists. */
  const webformTicket = (contact: { email?: string; phone?: string }) =>
    env.submitTicket(app, { applicant: { firstName: 'Ilze', lastName: 'Ozola', ...contact } });

  const reply = (reference: string, body: object) =>
    request(app.getHttpServer()).post(`/v1/tickets/${reference}/replies`).set('Authorization', `Bearer ${token}`).send(body);

  it('a web-form ticket is answered by e-mail, and a 550 marks the reply failed at once with the reason', async () => {
    const reference = await webformTicket({ email: 'nobody@customer.test' });
    const res = await reply(reference, { text: 'Labdien!' }).expect(202);
    expect(res.body).toMatchObject({ channel: 'email', address: 'nobody@customer.test', deliveryStatus: 'queued' });

    const failed = await eventually(async () => {
      const [row] = await env.sql('SELECT delivery_status, delivery_error FROM messages WHERE id = $1', [res.body.id]);
      return row.delivery_status === 'failed' ? row : null;
    });
    expect(failed.delivery_error).toMatch(/550/);

    const detail = await request(app.getHttpServer()).get(`/v1/tickets/${reference}`).set('Authorization', `Bearer ${token}`).expect(200);
    expect(detail.body.messages.find((m: any) => m.id === res.body.id)).toMatchObject({ direction: 'outbound', deliveryStatus: 'failed' });
  });

  it('refuses a reply with a clear error when there is no address to send it to', async () => {
    const reference = await webformTicket({ phone: '+37120000001' });
    const res = await reply(reference, { text: 'Labdien!' }).expect(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ code: 'noAddress' })]);
    await reply('VP-2026-999999', { text: 'x' }).expect(404);
    await reply(reference, {}).expect(422);
  });

  it('refuses a second simultaneous reply by someone else unless forced', async () => {
    await app
      .get(AgentsService)
      .upsert({ email: 'op2@vpppd.test', displayName: 'Otrs operators', password: 'operator-password-2', roles: ['operator'] });
    const other = await login(app, 'op2@vpppd.test', 'operator-password-2');
    const reference = await webformTicket({ email: 'twice@customer.test' });
    const send = (token: string, body: object) =>
      request(app.getHttpServer()).post(`/v1/tickets/${reference}/replies`).set('Authorization', `Bearer ${token}`).send(body);
    const [a, b] = await Promise.all([send(token, { text: 'Atbilde A' }), send(other, { text: 'Atbilde B' })]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body).toMatchObject({ type: 'urn:vpppd:problem:reply-collision' });
    const loserToken = a.status === 409 ? token : other;
    await send(loserToken, { text: 'Tomēr', force: true }).expect(202);
    // Having seen the newest message, the same person may add to it without force.
    const [{ id: newest }] = await env.sql(
      `SELECT id FROM messages WHERE ticket_id = (SELECT id FROM tickets WHERE reference = $1) ORDER BY created_at DESC LIMIT 1`,
      [reference],
    );
    const winnerToken = loserToken === token ? other : token;
    await send(winnerToken, { text: 'Papildinājums', lastSeenMessageId: newest }).expect(202);
  });
});

/** An SMTP peer that takes the connection and never says a word: a server hung, or a tarpit. */
function silentSmtpServer(port: number): Promise<{ server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ server, sockets })));
}

describe('a stalled SMTP server does not hold up the other channels', () => {
  const env = new TestEnv();
  const TELEGRAM_SECRET = 'telegram_secret-token-stall';
  const BOT_TOKEN = '555:stall-bot-token';
  let app: INestApplication;
  let smtp: { server: Server; sockets: Set<Socket> };
  let telegram: HttpServer;
  let token: string;
  const sentToTelegram: Array<{ at: number; body: any }> = [];

  beforeAll(async () => {
    smtp = await silentSmtpServer(await freePort());
    const telegramPort = await freePort();
    // Stands in for api.telegram.org: records each sendMessage and answers as Telegram does.
    telegram = createHttpServer((req: IncomingMessage, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        if (req.url?.endsWith('/sendMessage')) sentToTelegram.push({ at: Date.now(), body: JSON.parse(raw || '{}') });
        res
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ ok: true, result: { message_id: sentToTelegram.length } }));
      });
    });
    await new Promise<void>((r) => telegram.listen(telegramPort, '127.0.0.1', r));
    app = await env.startApi({
      APP_ROLE: 'all',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String((smtp.server.address() as { port: number }).port),
      SMTP_TLS: 'false',
      SMTP_TIMEOUT_MS: '8000',
      MAIL_FROM: 'VPPPD <centre@vpppd.test>',
      TELEGRAM_SECRET_TOKEN: TELEGRAM_SECRET,
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_API_BASE_URL: `http://127.0.0.1:${telegramPort}`,
      // Six places in the worker, at most three of them for one channel.
      OUTBOUND_CONCURRENCY: '6',
      OUTBOUND_CHANNEL_MAX_IN_FLIGHT: '3',
    });
    await app
      .get(AgentsService)
      .upsert({ email: 'op@stall.test', displayName: 'Operators', password: 'operator-password-1', roles: ['operator'] });
    token = await login(app, 'op@stall.test', 'operator-password-1');
  });
  afterAll(async () => {
    await env.teardown();
    for (const socket of smtp.sockets) socket.destroy();
    await new Promise((r) => smtp.server.close(r));
    await new Promise((r) => telegram.close(r));
  });

  const reply = (reference: string, text: string) =>
    request(app.getHttpServer()).post(`/v1/tickets/${reference}/replies`).set('Authorization', `Bearer ${token}`).send({ text });

  it('sends a Telegram reply at once while e-mail waits on a silent server, and gives up on each mail after SMTP_TIMEOUT_MS', async () => {
    // Eight e-mail replies: more than the worker's six places, all waiting on the server.
    const emailReplies: string[] = [];
    for (let i = 0; i < 8; i++) {
      const reference = await env.submitTicket(app, {
        applicant: { firstName: 'Ilze', lastName: 'Ozola', email: `stall${i}@customer.test` },
      });
      emailReplies.push((await reply(reference, `Atbilde ${i}`).expect(202)).body.id);
    }
    await eventually(async () => smtp.sockets.size > 0);

    const update = {
      update_id: 990001,
      message: {
        message_id: 1,
        from: { id: 5551234, is_bot: false, first_name: 'Anna', language_code: 'lv' },
        chat: { id: 5551234, first_name: 'Anna', type: 'private' },
        date: Math.floor(Date.now() / 1000),
        text: 'Vai varat palīdzēt?',
      },
    };
    await request(app.getHttpServer())
      .post('/v1/channels/social/telegram/webhook')
      .set(telegramHeaders(TELEGRAM_SECRET))
      .send(JSON.stringify(update))
      .expect(200);
    const [ticket] = await eventually(async () => {
      const rows = await env.sql(
        `SELECT t.reference FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.channel = 'social' AND m.external_id = 'telegram:990001'`,
      );
      return rows.length ? rows : null;
    });
    const asked = Date.now();
    const telegramReply = (await reply(ticket.reference, 'Jā, protams.').expect(202)).body.id;
    // Well before the mails' 8 s: before the held places, every one of the six waited on the silent server.
    const delivered = await eventually(
      async () => {
        const [row] = await env.sql(`SELECT delivery_status FROM messages WHERE id = $1`, [telegramReply]);
        return row.delivery_status === 'sent' ? row : null;
      },
      { timeoutMs: 4000 },
    );
    expect(delivered.delivery_status).toBe('sent');
    const call = sentToTelegram.find((c) => c.body.text === 'Jā, protams.');
    expect(call?.at).toBeLessThan(asked + 4000);

    // The mails fail by the timeout and wait for their retry; none is lost or marked sent.
    const timedOut = await eventually(
      async () => {
        const rows = await env.sql(`SELECT delivery_status, delivery_error FROM messages WHERE id = ANY($1::uuid[])`, [emailReplies]);
        return rows.some((r) => /did not answer within 8000 ms/.test(r.delivery_error ?? '')) ? rows : null;
      },
      { timeoutMs: 30000 },
    );
    expect(timedOut.every((r) => r.delivery_status === 'queued')).toBe(true);
  });
});

import { INestApplication } from '@nestjs/common';
import { createServer, Server, Socket } from 'node:net';
import request from 'supertest';
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

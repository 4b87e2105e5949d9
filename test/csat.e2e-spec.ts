import { INestApplication } from '@nestjs/common';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { signCsatToken } from '../src/csat/csat-token';
import { CsatService } from '../src/csat/csat.service';
import { mailServers, uniqueMailbox, waitForMessages } from './support/mail-servers';
import { eventually, login, TestEnv } from './support/test-env';

const JWT_SECRET = 'test-jwt-secret-0123456789abcdefghijkl'; // as TestEnv configures it

/** Stands in for Twilio's Messaging API: records each SMS and answers as Twilio does. */
class MessagingApi {
  readonly sent: URLSearchParams[] = [];
  private server!: Server;
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        if (req.url?.endsWith('/Messages.json')) this.sent.push(new URLSearchParams(raw));
        res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ sid: `SM${'0'.repeat(32)}`, status: 'queued' }));
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe('CSAT: a one-question survey after resolution', () => {
  const env = new TestEnv();
  const twilioApi = new MessagingApi();
  let app: INestApplication;
  let token: string;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    const servers = await mailServers();
    app = await env.startApi({
      APP_ROLE: 'all',
      SMTP_HOST: servers.smtp.host,
      SMTP_PORT: String(servers.smtp.port),
      SMTP_TLS: 'false',
      MAIL_FROM: `VPPPD <${uniqueMailbox('centre')}>`,
      PUBLIC_BASE_URL: 'https://kontakti.example.lv/',
      TWILIO_ACCOUNT_SID: `AC${'a1'.repeat(16)}`,
      TWILIO_AUTH_TOKEN: 'test-twilio-auth-token-0123456789',
      TWILIO_API_BASE_URL: await twilioApi.start(),
      TWILIO_SMS_FROM: '+37167000099',
    });
    await app
      .get(AgentsService)
      .upsert({ email: 'op@csat.test', displayName: 'Operators', password: 'operator-password-1', roles: ['operator'] });
    token = await login(app, 'op@csat.test', 'operator-password-1');
  });
  afterAll(async () => {
    await env.teardown();
    await twilioApi.stop();
  });

  it('e-mails a signed link when a web-form ticket is resolved; the customer scores it; the score is on the ticket', async () => {
    const customer = uniqueMailbox('klients');
    const reference = await env.submitTicket(app, { applicant: { firstName: 'Ilze', lastName: 'Ozola', email: customer } });
    await http().patch(`/v1/tickets/${reference}`).set('Authorization', `Bearer ${token}`).send({ status: 'resolved' }).expect(200);

    // What the customer really receives, read from their mailbox on the real mail server.
    const survey = await eventually(async () => {
      const mails = await waitForMessages(customer, 1, { timeoutMs: 15000 });
      for (const m of mails) {
        const parsed = await simpleParser(m.source);
        if (parsed.subject?.includes(reference) && parsed.subject.startsWith('Kā vērtējat')) return parsed;
      }
      return null;
    });
    const links = [...(survey.text ?? '').matchAll(/https:\/\/kontakti\.example\.lv(\/v1\/csat\/[A-Za-z0-9_.-]+)\?score=(\d)/g)];
    expect(links.map((l) => l[2])).toEqual(['1', '2', '3', '4', '5']);
    const path = links[3][1];

    // Opening the link (as a mail scanner would) records nothing.
    const page = await http().get(`${path}?score=4`).set('Accept', 'text/html').expect(200);
    expect(page.text).toContain('<form method="post"');
    expect(page.text).toContain(reference);
    const shown = await http().get(path).set('Accept', 'application/json').expect(200);
    expect(shown.body).toMatchObject({ reference, scale: [1, 2, 3, 4, 5], score: null });
    expect((await env.sql('SELECT csat_score FROM tickets WHERE reference = $1', [reference]))[0].csat_score).toBeNull();

    // The page's button posts a form; an API client posts JSON.
    await http().post(path).type('form').send({ score: '4' }).set('Accept', 'text/html').expect(200);
    const [t] = await env.sql('SELECT id, csat_score, csat_channel, csat_at FROM tickets WHERE reference = $1', [reference]);
    expect(t).toMatchObject({ csat_score: 4, csat_channel: 'email' });
    await http().post(path).send({ score: 5, comment: 'Ātri un skaidri' }).expect(200, { reference, score: 5 });
    await http().post(path).send({ score: 6 }).expect(422);
    const audit = await env.sql(`SELECT detail FROM audit_events WHERE action = 'csat.recorded' AND subject_id = $1 ORDER BY created_at`, [
      t.id,
    ]);
    expect(audit.map((a) => a.detail.score)).toEqual([4, 5]);

    // Resolving again after a reopen sends no second survey.
    await http().patch(`/v1/tickets/${reference}`).set('Authorization', `Bearer ${token}`).send({ status: 'queued' }).expect(200);
    await http().patch(`/v1/tickets/${reference}`).set('Authorization', `Bearer ${token}`).send({ status: 'resolved' }).expect(200);
    const [{ n }] = await env.sql(`SELECT count(*)::int AS n FROM messages WHERE ticket_id = $1 AND meta->>'kind' = 'csat'`, [t.id]);
    expect(n).toBe(1);
  });

  it('refuses forged and expired links, and asks nobody on a channel without e-mail', async () => {
    const reference = await env.submitTicket(app);
    const [t] = await env.sql('SELECT id FROM tickets WHERE reference = $1', [reference]);
    await http()
      .get(`/v1/csat/${signCsatToken('another-secret', t.id, new Date(Date.now() + 60_000))}`)
      .expect(404);
    const expired = await http()
      .get(`/v1/csat/${signCsatToken(JWT_SECRET, t.id, new Date(Date.now() - 1000))}`)
      .expect(410);
    expect(expired.headers['content-type']).toContain('application/problem+json');
    await http().post('/v1/csat/not-a-token').send({ score: 3 }).expect(404);

    await env.sql(`UPDATE tickets SET channel = 'voice' WHERE id = $1`, [t.id]);
    await http().patch(`/v1/tickets/${reference}`).set('Authorization', `Bearer ${token}`).send({ status: 'resolved' }).expect(200);
    expect((await env.sql(`SELECT count(*)::int AS n FROM messages WHERE ticket_id = $1 AND meta->>'kind' = 'csat'`, [t.id]))[0].n).toBe(0);
  });

  it('asks a person served at a counter: the link by e-mail when they gave one, else by SMS to their mobile', async () => {
    const log = (customer: Record<string, string>) =>
      http()
        .post('/v1/contacts')
        .set('Authorization', `Bearer ${token}`)
        .send({
          channel: 'counter',
          institution: 'VSAA',
          kind: 'consultation',
          subject: 'Pensijas aprēķins',
          text: 'Izskaidroju pensijas aprēķinu.',
          customer: { firstName: 'Anna', lastName: 'Kalna', ...customer },
          location: 'VPVKAC Rīga',
        })
        .expect((r) => expect([r.status, r.body.errors ?? null]).toEqual([202, null]));
    const surveys = (reference: string) =>
      eventually(async () => {
        const rows = await env.sql(
          `SELECT ms.channel, ms.address, ms.text, ms.delivery_status FROM messages ms JOIN tickets t ON t.id = ms.ticket_id WHERE t.reference = $1 AND ms.meta->>'kind' = 'csat'`,
          [reference],
        );
        return rows.length && rows.every((r) => r.delivery_status !== 'queued') ? rows : null;
      });

    const byMail = (await log({ email: uniqueMailbox('counter') })).body.reference;
    const [mail] = await surveys(byMail);
    expect(mail).toMatchObject({ channel: 'email', delivery_status: 'sent' });
    expect(mail.text).toMatch(/https:\/\/kontakti\.example\.lv\/v1\/csat\//);

    const bySms = (await log({ phone: '+37126000001' })).body.reference;
    const [sms] = await surveys(bySms);
    expect(sms).toMatchObject({ channel: 'sms', address: '+37126000001', delivery_status: 'sent' });
    const sent = twilioApi.sent.find((p) => p.get('To') === '+37126000001')!;
    expect(sent.get('From')).toBe('+37167000099');
    const link = /https:\/\/kontakti\.example\.lv(\/v1\/csat\/[A-Za-z0-9_.-]+)/.exec(sent.get('Body') ?? '');
    expect(sent.get('Body')).toContain(bySms);
    // The link in the SMS is the same survey: the citizen answers it.
    await http().post(link![1]).send({ score: 3 }).expect(200, { reference: bySms, score: 3 });

    // A landline cannot take an SMS: nobody is asked.
    const landline = (await log({ phone: '+37167000001' })).body.reference;
    await new Promise((r) => setTimeout(r, 500));
    expect(
      await env.sql(
        `SELECT 1 FROM messages ms JOIN tickets t ON t.id = ms.ticket_id WHERE t.reference = $1 AND ms.meta->>'kind' = 'csat'`,
        [landline],
      ),
    ).toHaveLength(0);
  });

  it('takes scores from other channels (chat buttons, an IVR digit) through the same service', async () => {
    const reference = await env.submitTicket(app);
    const [t] = await env.sql('SELECT id FROM tickets WHERE reference = $1', [reference]);
    await app.get(CsatService).record(t.id, 2, 'voice');
    expect((await env.sql('SELECT csat_score, csat_channel FROM tickets WHERE id = $1', [t.id]))[0]).toEqual({
      csat_score: 2,
      csat_channel: 'voice',
    });
    await expect(app.get(CsatService).record(t.id, 0, 'chat')).rejects.toMatchObject({ status: 422 });
  });
});

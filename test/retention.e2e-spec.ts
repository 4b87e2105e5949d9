import { getQueueToken } from '@nestjs/bullmq';
import { INestApplication } from '@nestjs/common';
import { Queue } from 'bullmq';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { RecordingDeletionsService } from '../src/privacy/recording-deletions';
import { RetentionService } from '../src/privacy/retention.service';
import { QueueName } from '../src/queues';
import { login, TestEnv } from './support/test-env';

const DAY = 24 * 3600 * 1000;
const ACCOUNT_SID = `AC${'b2'.repeat(16)}`;
const RECORDING_SID = `RE${'c3'.repeat(16)}`;

/** Twilio's REST API as far as recordings go: it records each request and answers with the status it is told to. */
class RecordingsApi {
  readonly requests: Array<{ method: string; url: string; authorization: string }> = [];
  answer = 204;
  private server!: Server;
  async start(): Promise<string> {
    this.server = createServer((req: IncomingMessage, res) => {
      this.requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization ?? '' });
      req.resume().on('end', () => {
        if (this.answer === 204) res.writeHead(204).end();
        else
          res
            .writeHead(this.answer, { 'Content-Type': 'application/json' })
            .end(JSON.stringify({ code: 20404, message: 'no', status: this.answer }));
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe('retention: content past its period is anonymised, the rest untouched, as the preview said', () => {
  const env = new TestEnv();
  const twilioApi = new RecordingsApi();
  let app: INestApplication;
  let dpo: string;
  let admin: string;
  const http = () => request(app.getHttpServer());
  const ticket = async (ref: string) => (await env.sql(`SELECT * FROM tickets WHERE reference = $1`, [ref]))[0];
  const texts = async (ref: string) =>
    (await env.sql(`SELECT m.text FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE t.reference = $1`, [ref])).map((r) => r.text);

  let consultation: string;
  let application: string;
  let held: string;
  let open: string;

  beforeAll(async () => {
    app = await env.startApi({
      APP_ROLE: 'all',
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: 'test-twilio-auth-token-0123456789',
      TWILIO_API_BASE_URL: await twilioApi.start(),
    });
    await app
      .get(AgentsService)
      .upsert({ email: 'dpo@ret.test', displayName: 'DPO', password: 'a long enough passphrase', roles: ['dpo'] });
    dpo = await login(app, 'dpo@ret.test', 'a long enough passphrase');
    admin = await login(app);
    const person = (n: number) => ({
      applicant: {
        firstName: 'Ilze',
        lastName: `Kalniņa${n}`,
        personalCode: `3234567891${n}`,
        email: `ilze${n}@example.lv`,
        authenticated: true,
      },
    });
    consultation = await env.submitTicket(app, { ...person(1), message: 'Konsultācija RT1' });
    application = await env.submitTicket(app, { ...person(2), message: 'Iesniegums RT2' });
    held = await env.submitTicket(app, { ...person(3), message: 'Sūdzība RT3' });
    open = await env.submitTicket(app, { ...person(4), message: 'Vēl atvērts RT4' });
    await env.sql(`UPDATE tickets SET kind = 'consultation', status = 'closed', closed_at = now() WHERE reference = ANY($1)`, [
      [consultation, held],
    ]);
    await env.sql(`UPDATE tickets SET kind = 'application', status = 'closed', closed_at = now() WHERE reference = $1`, [application]);
    await env.sql(`UPDATE tickets SET kind = 'consultation' WHERE reference = $1`, [open]);
    await http().put(`/v1/tickets/${held}/legal-hold`).set('Authorization', `Bearer ${dpo}`).send({ reason: 'court case' }).expect(200);
    await env.sql(
      `INSERT INTO calls (call_sid, from_number, recording_url, recording_seconds, ended_at) VALUES ('CAretention1', '+37120000099', 'https://api.twilio.example/rec/RE9', 30, now())`,
    );
    // A call stored with only the link to its recording at Twilio: the id is read from the link.
    await env.sql(
      `INSERT INTO calls (call_sid, from_number, recording_url, recording_seconds, ended_at) VALUES ('CAretention2', '+37120000098', $1, 40, now())`,
      [`https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${RECORDING_SID}`],
    );
  });
  afterAll(async () => {
    await env.teardown();
    await twilioApi.stop();
  });

  it('lists the seeded policies with their basis; admins change them, the DPO may not', async () => {
    const policies = (await http().get('/v1/admin/retention-policies').set('Authorization', `Bearer ${dpo}`).expect(200)).body;
    expect(policies).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ target: 'ticket_content', ticketKind: 'consultation', channel: null, keepDays: 365 }),
        expect.objectContaining({ target: 'ticket_content', ticketKind: 'application', keepDays: 1826 }),
        expect.objectContaining({ target: 'ticket_content', channel: 'chat', keepDays: 365 }),
        expect.objectContaining({ target: 'call_recordings', keepDays: 90 }),
        expect.objectContaining({ target: 'audit_events', keepDays: 1826 }),
      ]),
    );
    const audit = policies.find((p: any) => p.target === 'audit_events');
    await http().patch(`/v1/admin/retention-policies/${audit.id}`).set('Authorization', `Bearer ${dpo}`).send({ keepDays: 10 }).expect(403);
    await http()
      .patch(`/v1/admin/retention-policies/${audit.id}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ keepDays: 0 })
      .expect(422);
    const changed = await http()
      .patch(`/v1/admin/retention-policies/${audit.id}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ keepDays: 1827, basis: 'Archives Law records schedule' })
      .expect(200);
    expect(changed.body).toMatchObject({ keepDays: 1827, basis: 'Archives Law records schedule' });
    await http()
      .patch('/v1/admin/retention-policies/00000000-0000-4000-8000-000000000000')
      .set('Authorization', `Bearer ${admin}`)
      .send({ keepDays: 5 })
      .expect(404);
  });

  it('runs every night from one scheduler that all workers share', async () => {
    const schedulers = await app.get<Queue>(getQueueToken(QueueName.Retention)).getJobSchedulers();
    expect(schedulers).toEqual([expect.objectContaining({ key: 'retention-run', pattern: '0 30 2 * * *', tz: 'Europe/Riga' })]);
  });

  it('a year on: the closed consultation and the call recording go, the application, the held and the open ticket stay', async () => {
    const asOf = new Date(Date.now() + 366 * DAY).toISOString();
    const preview = (
      await http().get(`/v1/admin/retention-policies/preview?asOf=${asOf}`).set('Authorization', `Bearer ${dpo}`).expect(200)
    ).body;
    expect(preview).toMatchObject({ tickets: 1, callRecordings: 2, customers: 1, auditEvents: 0 });
    const done = await app.get(RetentionService).run(new Date(asOf));
    expect(done).toEqual({
      tickets: preview.tickets,
      callRecordings: preview.callRecordings,
      customers: preview.customers,
      auditEvents: preview.auditEvents,
    });

    expect(await texts(consultation)).toEqual(['']);
    const c = await ticket(consultation);
    expect(c).toMatchObject({ status: 'closed', kind: 'consultation', subject: null });
    expect(c.content_erased_at).not.toBeNull();
    expect(await env.sql(`SELECT * FROM customer_identifiers WHERE customer_id = $1`, [c.customer_id])).toEqual([]);
    expect((await env.sql(`SELECT first_name FROM customers WHERE id = $1`, [c.customer_id]))[0].first_name).toBeNull();
    expect(await texts(application)).toEqual(['Iesniegums RT2']);
    expect(await texts(held)).toEqual(['Sūdzība RT3']);
    expect(await texts(open)).toEqual(['Vēl atvērts RT4']);
    expect(
      await env.sql(`SELECT recording_url FROM calls WHERE call_sid = ANY($1) AND recording_url IS NOT NULL`, [
        ['CAretention1', 'CAretention2'],
      ]),
    ).toEqual([]);
    // Twilio's copy goes too (a link that is not Twilio's has nothing to delete there).
    expect(await env.sql(`SELECT recording_sid FROM recording_deletions WHERE deleted_at IS NULL`)).toEqual([
      { recording_sid: RECORDING_SID },
    ]);

    // Nothing more is due as of the same moment: a second run changes nothing.
    expect(await app.get(RetentionService).run(new Date(asOf))).toEqual({ tickets: 0, callRecordings: 0, customers: 0, auditEvents: 0 });
    const runs = await env.sql(`SELECT detail FROM audit_events WHERE action = 'retention.run' ORDER BY created_at`);
    expect(runs[0].detail).toEqual(done);
  });

  it('five years on: the application and old audit events go (the only way audit events leave); the held ticket stays', async () => {
    const asOf = new Date(Date.now() + 1900 * DAY);
    const before = (await env.sql(`SELECT count(*)::int AS n FROM audit_events`))[0].n;
    const preview = (
      await http()
        .get(`/v1/admin/retention-policies/preview?asOf=${asOf.toISOString()}`)
        .set('Authorization', `Bearer ${admin}`)
        .expect(200)
    ).body;
    expect(preview).toMatchObject({ tickets: 1, auditEvents: before });
    const done = await app.get(RetentionService).run(asOf);
    expect(done).toMatchObject({ tickets: 1, auditEvents: before });
    expect(await texts(application)).toEqual(['']);
    expect(await texts(held)).toEqual(['Sūdzība RT3']);
    // What is left of the trail is the run's own record.
    expect((await env.sql(`SELECT action FROM audit_events`)).map((r) => r.action)).toEqual(['retention.run']);
  });

  it("deletes Twilio's copy of each cleared recording, retrying while Twilio fails, and a recording Twilio no longer has counts as gone", async () => {
    const deletions = app.get(RecordingDeletionsService, { strict: false });
    twilioApi.answer = 503;
    expect(await deletions.deleteDue()).toEqual({ deleted: 0, failed: 1, waiting: 0 });
    const [failed] = await env.sql(
      `SELECT attempts, last_error, deleted_at, next_attempt_at > now() AS later FROM recording_deletions WHERE recording_sid = $1`,
      [RECORDING_SID],
    );
    expect(failed).toMatchObject({ attempts: 1, deleted_at: null, later: true });
    expect(failed.last_error).toContain('503');
    // Not due again until its backoff has passed.
    expect(await deletions.deleteDue()).toEqual({ deleted: 0, failed: 0, waiting: 0 });

    await env.sql(`UPDATE recording_deletions SET next_attempt_at = now()`);
    twilioApi.answer = 204;
    expect(await deletions.deleteDue()).toEqual({ deleted: 1, failed: 0, waiting: 0 });
    const path = `/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${RECORDING_SID}.json`;
    expect(twilioApi.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`DELETE ${path}`, `DELETE ${path}`]);
    expect(twilioApi.requests[1].authorization).toBe(
      `Basic ${Buffer.from(`${ACCOUNT_SID}:test-twilio-auth-token-0123456789`).toString('base64')}`,
    );
    expect(
      (await env.sql(`SELECT deleted_at FROM recording_deletions WHERE recording_sid = $1`, [RECORDING_SID]))[0].deleted_at,
    ).not.toBeNull();

    // Already gone at Twilio (404): done, not retried for ever.
    const gone = `RE${'d4'.repeat(16)}`;
    await env.sql(`INSERT INTO recording_deletions (recording_sid) VALUES ($1)`, [gone]);
    twilioApi.answer = 404;
    expect(await deletions.deleteDue()).toEqual({ deleted: 1, failed: 0, waiting: 0 });
    expect(await deletions.deleteDue()).toEqual({ deleted: 0, failed: 0, waiting: 0 });
  });
});

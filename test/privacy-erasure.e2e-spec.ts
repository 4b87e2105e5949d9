import { getQueueToken } from '@nestjs/bullmq';
import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { chatSessionKey } from '../src/channels/chat/chat-session';
import { SubjectRequestRunner } from '../src/privacy/subject-request-runner';
import { QueueName } from '../src/queues';
import { ANNA, ANNA_RECORDING_SID, annaRequest, BERTA, seedPeople, Seeded } from './support/privacy-seed';
import { dumpRedis } from './support/redis-dump';
import { eventually, login, signedSubmission, TestEnv } from './support/test-env';

/** Every row of every table of the test schema, as JSON text. */
async function dumpDatabase(env: TestEnv): Promise<string[]> {
  const tables = await env.sql<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`,
    [env.name],
  );
  const rows: string[] = [];
  for (const { table_name } of tables)
    rows.push(
      ...(await env.sql<{ row: string }>(`SELECT to_jsonb(t)::text AS row FROM "${table_name}" t`)).map((r) => `${table_name} ${r.row}`),
    );
  return rows;
}

describe('erasure: the person anonymised everywhere, the figures kept', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let worker: INestApplicationContext;
  let dpo: string;
  let admin: string;
  let seeded: Seeded;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'api' });
    worker = await env.startWorker();
    await app
      .get(AgentsService)
      .upsert({ email: 'dpo@vpppd.test', displayName: 'DPO', password: 'a long enough passphrase', roles: ['dpo'] });
    dpo = await login(app, 'dpo@vpppd.test', 'a long enough passphrase');
    admin = await login(app);
    seeded = await seedPeople(env, app, async (body) => (await signedSubmission(app, body).expect(202)).body.reference);
  });
  afterAll(() => env.teardown());

  const status = async (id: string) =>
    (await http().get(`/v1/privacy/subject-requests/${id}`).set('Authorization', `Bearer ${dpo}`).expect(200)).body;
  const bertaState = async () => {
    const [t] = await env.sql(`SELECT id FROM tickets WHERE reference = $1`, [seeded.berta.webform]);
    return {
      customer: await env.sql(`SELECT first_name, last_name FROM customers WHERE id = $1`, [seeded.berta.customerId]),
      identifiers: await env.sql(`SELECT kind, value, provenance FROM customer_identifiers WHERE customer_id = $1 ORDER BY kind, value`, [
        seeded.berta.customerId,
      ]),
      contacts: await env.sql(`SELECT kind, value FROM ticket_contacts WHERE ticket_id = $1 ORDER BY kind, value`, [t.id]),
      messages: await env.sql(`SELECT text FROM messages WHERE ticket_id = $1 ORDER BY created_at`, [t.id]),
      events: await env.sql(`SELECT payload FROM inbound_events WHERE ticket_id = $1`, [t.id]),
    };
  };
  const month = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Riga' }).slice(0, 7);
  const figures = async () => ({
    volumes: (await http().get(`/v1/reports/volumes?from=${month}&to=${month}`).set('Authorization', `Bearer ${admin}`).expect(200)).body,
    funding: (await http().get(`/v1/reports/funding?month=${month}&centre=VPPPD`).set('Authorization', `Bearer ${admin}`).expect(200)).body,
  });

  it('keeps the held ticket, erases the rest even across a worker killed mid-way, and the reports do not change', async () => {
    // An earlier access request left an archive of her: it goes with her.
    const access = await http()
      .post('/v1/privacy/subject-requests')
      .set('Authorization', `Bearer ${dpo}`)
      .send(annaRequest('access'))
      .expect(202);
    await eventually(async () => (await status(access.body.id)).status === 'done');
    await http()
      .put(`/v1/tickets/${seeded.anna.held}/legal-hold`)
      .set('Authorization', `Bearer ${dpo}`)
      .send({ reason: 'Complaint 2026/114 under review' })
      .expect(200);
    // A custom field of her web form's institution that names her goes with her, and so does the value in its history.
    const [form] = await env.sql(`SELECT i.code FROM tickets t JOIN institutions i ON i.id = t.institution_id WHERE t.reference = $1`, [
      seeded.anna.webform,
    ]);
    await http()
      .post('/v1/admin/custom-fields')
      .set('Authorization', `Bearer ${admin}`)
      .send({ institution: form.code, key: 'applicantNote', labels: { lv: 'Piezīme', en: 'Note' }, type: 'text' })
      .expect(201);
    await app
      .get(AgentsService)
      .upsert({ email: 'fields@vpppd.test', displayName: 'Operatore', password: 'a long enough passphrase', roles: ['operator'] });
    const operator = await login(app, 'fields@vpppd.test', 'a long enough passphrase');
    await http()
      .put(`/v1/tickets/${seeded.anna.webform}/custom-fields`)
      .set('Authorization', `Bearer ${operator}`)
      .send({ values: { applicantNote: `Pieteicēja ${ANNA.lastName}` } })
      .expect(200);
    // Her call waits unanswered, so its 20-second first-response clock breaches on its own while the test runs:
    // the figures are compared once it has, so that only the erasure can change them.
    await eventually(
      async () =>
        (await env.sql(`SELECT sla_breached_at FROM tickets WHERE reference = $1`, [seeded.anna.call]))[0].sla_breached_at !== null,
    );
    const before = await figures();
    const bertaBefore = await bertaState();
    // The scan sees her before: every secret is somewhere in PostgreSQL or Redis.
    const rowsBefore = [...(await dumpDatabase(env)), ...(await dumpRedis(env))];
    for (const secret of [ANNA.personalCode, ANNA.email, ANNA.lastName, ANNA.phone, ...ANNA.texts])
      expect([secret, rowsBefore.some((r) => r.includes(secret))]).toEqual([secret, true]);

    // The worker dies after committing the first two steps: the queue is paused, and one worker runs them by hand.
    const queue = app.get<Queue>(getQueueToken(QueueName.SubjectRequests));
    await queue.pause();
    const created = await http()
      .post('/v1/privacy/subject-requests')
      .set('Authorization', `Bearer ${dpo}`)
      .send(annaRequest('erasure'))
      .expect(202);
    const id = created.body.id;
    const runner = worker.get(SubjectRequestRunner, { strict: false });
    expect(await runner.advance(id)).toBe('planned');
    expect(await runner.advance(id)).toBe('redis');
    await env.stop(worker);
    expect(await status(id)).toMatchObject({ status: 'running', step: 'redis', progress: 60 });
    // Nothing is half-erased in PostgreSQL: it all goes in the last step, in one transaction.
    expect((await env.sql(`SELECT count(*)::int AS n FROM messages WHERE text = $1`, [ANNA.texts[1]]))[0].n).toBe(1);

    worker = await env.startWorker();
    await queue.resume();
    const result = await eventually(async () => {
      const s = await status(id);
      return s.status === 'done' || s.status === 'failed' ? s : null;
    });
    expect(result).toMatchObject({ status: 'done', progress: 100 });
    expect(result.result.kept).toEqual([{ reference: seeded.anna.held, reason: 'legal_hold', detail: 'Complaint 2026/114 under review' }]);
    expect(result.result.erased.sort()).toEqual([seeded.anna.webform, seeded.anna.email, seeded.anna.call, seeded.anna.chat].sort());
    // The third audit entry is the custom field's change, with her name as its new value.
    expect(result.result.changed).toMatchObject({
      files: 1,
      chatKeys: expect.any(Number),
      auditEvents: 3,
      customFieldValues: 1,
      callRecordings: 1,
    });
    // Twilio's copy of her call's recording goes too: queued in the same transaction, deleted there by the sweep.
    expect(await env.sql(`SELECT recording_sid, deleted_at FROM recording_deletions`)).toEqual([
      { recording_sid: ANNA_RECORDING_SID, deleted_at: null },
    ]);
    // The audit entries still say who did what to which ticket, without her.
    const [callBack] = await env.sql(`SELECT detail FROM audit_events WHERE action = 'ticket.call_back'`);
    expect(callBack.detail).toEqual({ reference: seeded.anna.call, to: '[erased]' });
    expect(result.result.changed.chatKeys).toBeGreaterThanOrEqual(2);

    // Idempotent: running it again does nothing more.
    expect(await worker.get(SubjectRequestRunner, { strict: false }).advance(id)).toBeNull();

    expect(await figures()).toEqual(before);

    // The whole database and every Redis key: nothing of her outside the held ticket and its customer record.
    const [held] = await env.sql(`SELECT id, customer_id FROM tickets WHERE reference = $1`, [seeded.anna.held]);
    const ofHeld = (row: string) => row.includes(held.id) || row.includes(held.customer_id);
    const [bertaTicket] = await env.sql(`SELECT id FROM tickets WHERE reference = $1`, [seeded.berta.webform]);
    const ofBerta = (row: string) =>
      row.includes(bertaTicket.id) || row.includes(seeded.berta.customerId) || row.includes(BERTA.personalCode);
    const rows = [...(await dumpDatabase(env)), ...(await dumpRedis(env))];
    for (const secret of [ANNA.personalCode, ANNA.email, ANNA.lastName, ...ANNA.texts]) {
      expect([secret, rows.filter((r) => r.includes(secret) && !ofHeld(r))]).toEqual([secret, []]);
    }
    // The shared phone line is still Berta's.
    expect(rows.filter((r) => r.includes(ANNA.phone) && !ofHeld(r) && !ofBerta(r))).toEqual([]);
    // The held ticket is whole.
    expect((await env.sql(`SELECT text FROM messages WHERE ticket_id = $1`, [held.id])).map((m) => m.text)).toContain(ANNA.heldText);
    const redis = new Redis(env.redisUrl);
    expect(
      await redis.exists(chatSessionKey(env.name, seeded.anna.chatSession), chatSessionKey(env.name, seeded.anna.chatSession, ':log')),
    ).toBe(0);
    redis.disconnect();

    // The other Anna is untouched.
    expect(await bertaState()).toEqual(bertaBefore);
    expect(bertaBefore.customer).toEqual([{ first_name: BERTA.firstName, last_name: BERTA.lastName }]);
    expect(bertaBefore.contacts).toContainEqual({ kind: 'phone', value: BERTA.phone });
    expect(bertaBefore.messages).toContainEqual({ text: BERTA.text });

    // The earlier archive is gone with her, and its links with it.
    const link = await http()
      .post(`/v1/privacy/subject-requests/${access.body.id}/downloads`)
      .set('Authorization', `Bearer ${dpo}`)
      .expect(410);
    expect(link.body.type).toBe('urn:vpppd:problem:archive_gone');
  });

  it('legal holds are set and released by supervisors and the DPO, with a reason, and audited', async () => {
    await http().put(`/v1/tickets/${seeded.berta.webform}/legal-hold`).set('Authorization', `Bearer ${dpo}`).send({}).expect(422);
    await http()
      .put('/v1/tickets/VP-1999-000001/legal-hold')
      .set('Authorization', `Bearer ${dpo}`)
      .send({ reason: 'court case' })
      .expect(404);
    await http()
      .put(`/v1/tickets/${seeded.berta.webform}/legal-hold`)
      .set('Authorization', `Bearer ${dpo}`)
      .send({ reason: 'court case' })
      .expect(200);
    await http().delete(`/v1/tickets/${seeded.berta.webform}/legal-hold`).set('Authorization', `Bearer ${dpo}`).expect(204);
    await http().delete(`/v1/tickets/${seeded.berta.webform}/legal-hold`).set('Authorization', `Bearer ${dpo}`).expect(404);
    const audit = await env.sql(
      `SELECT action FROM audit_events WHERE detail->>'reference' = $1 AND action LIKE 'ticket.legal_hold%' ORDER BY created_at`,
      [seeded.berta.webform],
    );
    expect(audit.map((a) => a.action)).toEqual(['ticket.legal_hold_set', 'ticket.legal_hold_released']);
  });
});

import { INestApplication } from '@nestjs/common';
import { unzipSync, strFromU8 } from 'fflate';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { PDF_BYTES } from './support/factories';
import { ANNA, annaRequest, BERTA, seedPeople, Seeded } from './support/privacy-seed';
import { eventually, login, signedSubmission, TestEnv } from './support/test-env';

describe('subject access: one archive of everything held about a person', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let dpo: string;
  let seeded: Seeded;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all' });
    await app
      .get(AgentsService)
      .upsert({ email: 'dpo@vpppd.test', displayName: 'DPO', password: 'a long enough passphrase', roles: ['dpo'] });
    dpo = await login(app, 'dpo@vpppd.test', 'a long enough passphrase');
    seeded = await seedPeople(env, app, async (body) => (await signedSubmission(app, body).expect(202)).body.reference);
  });
  afterAll(() => env.teardown());

  const done = (id: string) =>
    eventually(async () => {
      const res = await http().get(`/v1/privacy/subject-requests/${id}`).set('Authorization', `Bearer ${dpo}`).expect(200);
      return res.body.status === 'done' || res.body.status === 'failed' ? res.body : null;
    });

  it('finds the web form, e-mail, call and chat by personas kods, e-mail and phone, and nothing of the other Anna', async () => {
    // Her web form's custom field values are part of what is held about her.
    const admin = await login(app);
    const [institution] = await env.sql(
      `SELECT i.code FROM tickets t JOIN institutions i ON i.id = t.institution_id WHERE t.reference = $1`,
      [seeded.anna.webform],
    );
    await http()
      .post('/v1/admin/custom-fields')
      .set('Authorization', `Bearer ${admin}`)
      .send({ institution: institution.code, key: 'caseNumber', labels: { lv: 'Lietas numurs', en: 'Case number' }, type: 'text' })
      .expect(201);
    await app
      .get(AgentsService)
      .upsert({ email: 'fields@vpppd.test', displayName: 'Operatore', password: 'a long enough passphrase', roles: ['operator'] });
    const operator = await login(app, 'fields@vpppd.test', 'a long enough passphrase');
    await http()
      .put(`/v1/tickets/${seeded.anna.webform}/custom-fields`)
      .set('Authorization', `Bearer ${operator}`)
      .send({ values: { caseNumber: 'LIETA-2026-41' } })
      .expect(200);
    const created = await http()
      .post('/v1/privacy/subject-requests')
      .set('Authorization', `Bearer ${dpo}`)
      .send(annaRequest('access'))
      .expect(202);
    const result = await done(created.body.id);
    expect(result).toMatchObject({ status: 'done', progress: 100, kind: 'access', identifierKind: 'personal_code' });
    expect(result.result.tickets.sort()).toEqual(
      [seeded.anna.webform, seeded.anna.email, seeded.anna.call, seeded.anna.chat, seeded.anna.held].sort(),
    );
    expect(result.result.found).toMatchObject({ tickets: 5, calls: 1, chatTranscripts: 1, csatAnswers: 1, files: 1 });

    const link = await http()
      .post(`/v1/privacy/subject-requests/${created.body.id}/downloads`)
      .set('Authorization', `Bearer ${dpo}`)
      .expect(201);
    expect(link.body.url).toMatch(/^\/v1\/privacy\/downloads\//);
    const zip = await http()
      .get(link.body.url)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(zip.headers['content-type']).toMatch(/application\/zip/);
    expect(zip.headers['cache-control']).toBe('private, no-store');
    const files = unzipSync(new Uint8Array(zip.body as Buffer));
    const json = strFromU8(files['subject.json']);
    for (const text of [...ANNA.texts, ANNA.heldText, ANNA.personalCode, ANNA.email, ANNA.phone, ANNA.lastName])
      expect([text, json.includes(text)]).toEqual([text, true]);
    for (const text of [BERTA.personalCode, BERTA.email, BERTA.text, BERTA.lastName])
      expect([text, json.includes(text)]).toEqual([text, false]);
    const subject = JSON.parse(json);
    expect(subject.chatTranscripts[0].entries[0].text).toBe(ANNA.texts[3]);
    const call = subject.tickets.find((t: any) => t.reference === seeded.anna.call);
    expect(call.calls[0]).toMatchObject({ from: ANNA.phone, recordingSeconds: 12 });
    const form = subject.tickets.find((t: any) => t.reference === seeded.anna.webform);
    expect(form.csat).toMatchObject({ score: 4, comment: ANNA.texts[4] });
    expect(form.customFields).toEqual({ caseNumber: 'LIETA-2026-41' });
    const path = form.messages.flatMap((m: any) => m.files)[0].path;
    expect(Buffer.from(files[path]).equals(PDF_BYTES)).toBe(true);

    // The link works once.
    await http().get(link.body.url).expect(410);
    const audit = await env.sql(
      `SELECT action, actor_agent_id IS NOT NULL AS by_staff FROM audit_events WHERE subject_id = $1 ORDER BY created_at`,
      [created.body.id],
    );
    expect(audit.map((a) => a.action)).toEqual([
      'privacy.subject_request_created',
      'privacy.access_archive_built',
      'privacy.download_link_created',
      'privacy.archive_downloaded',
    ]);
    expect(JSON.stringify(await env.sql(`SELECT detail FROM audit_events WHERE subject_type = 'subject_request'`))).not.toContain(
      ANNA.personalCode,
    );
  });

  it('refuses an expired link, a forged one, and a link to a request that is not done', async () => {
    const created = await http()
      .post('/v1/privacy/subject-requests')
      .set('Authorization', `Bearer ${dpo}`)
      .send(annaRequest('access'))
      .expect(202);
    await done(created.body.id);
    const link = await http()
      .post(`/v1/privacy/subject-requests/${created.body.id}/downloads`)
      .set('Authorization', `Bearer ${dpo}`)
      .expect(201);
    await env.sql(`UPDATE subject_request_downloads SET expires_at = now() - interval '1 second'`);
    expect((await http().get(link.body.url).expect(410)).body.type).toBe('urn:vpppd:problem:download_link_spent');
    await http()
      .get(`${link.body.url.slice(0, -3)}abc`)
      .expect(404);
    const erasure = await env.sql(
      `INSERT INTO subject_requests (kind, identifier_kind, identifiers, reason, requested_by_id, status) SELECT 'access', 'email', '[]', 'x', id, 'running' FROM agents LIMIT 1 RETURNING id`,
    );
    expect(
      (await http().post(`/v1/privacy/subject-requests/${erasure[0].id}/downloads`).set('Authorization', `Bearer ${dpo}`).expect(409)).body
        .type,
    ).toBe('urn:vpppd:problem:archive_not_ready');
  });

  it('answers an identifier that cannot be one with a field-level 422, and an unknown request with 404', async () => {
    const res = await http()
      .post('/v1/privacy/subject-requests')
      .set('Authorization', `Bearer ${dpo}`)
      .send({
        ...annaRequest('access'),
        identifier: { kind: 'personal_code', value: '123' },
        otherIdentifiers: [{ kind: 'phone', value: 'call me' }],
      })
      .expect(422);
    expect(res.body.errors.map((e: any) => e.field)).toEqual(['identifier.value', 'otherIdentifiers[0].value']);
    await http()
      .post('/v1/privacy/subject-requests')
      .set('Authorization', `Bearer ${dpo}`)
      .send({ kind: 'forget', identifier: { kind: 'ssn', value: 'x' }, reason: 'x' })
      .expect(422);
    await http().get('/v1/privacy/subject-requests/00000000-0000-4000-8000-000000000000').set('Authorization', `Bearer ${dpo}`).expect(404);
  });
});

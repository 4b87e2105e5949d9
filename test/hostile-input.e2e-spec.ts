import { INestApplication } from '@nestjs/common';
import { signTimestampedHmac } from '@lib/webhook-signature';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { webformSubmission } from './support/factories';
import { eventually, login, signedSubmission, TestEnv, WEBFORM_SECRET } from './support/test-env';

/** What a hostile client sends: each must get a quick 4xx, never a 500 or a stalled process. */
describe('hostile input', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let admin: string;
  const api = () => request(app.getHttpServer());
  const port = () => (app.getHttpServer().address() as AddressInfo).port;

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all' });
    admin = await login(app);
  });
  afterAll(() => env.teardown());

  /** Sends headers (and an optional first part of the body) and resolves with the status as soon as one comes. */
  const rawPost = (path: string, headers: Record<string, string>, firstBytes: string | Buffer = '', complete = false) =>
    new Promise<{ status: number; body: string; ms: number }>((resolve, reject) => {
      const started = performance.now();
      const req = http.request({ host: '127.0.0.1', port: port(), method: 'POST', path, headers }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body, ms: performance.now() - started }));
      });
      req.on('error', reject);
      if (firstBytes) req.write(firstBytes);
      // Unless complete, the rest of the body is never sent: an answer proves nothing waited for it.
      if (complete) req.end();
    });

  describe('deeply nested JSON (finding 7)', () => {
    const nested = '['.repeat(450_000) + ']'.repeat(450_000);

    it('answers a 0.9 MB nested-array login with 400 quickly, and /health keeps answering', async () => {
      const started = performance.now();
      const res = await api().post('/v1/auth/login').set('Content-Type', 'application/json').send(nested);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 400, type: 'urn:vpppd:problem:too-deeply-nested' });
      expect(performance.now() - started).toBeLessThan(1000);

      const parallel = Array.from({ length: 10 }, () => api().post('/v1/auth/login').set('Content-Type', 'application/json').send(nested));
      const healthStarted = performance.now();
      await api().get('/health').expect(200);
      const healthMs = performance.now() - healthStarted;
      for (const r of await Promise.all(parallel)) expect(r.status).toBe(400);
      expect(healthMs).toBeLessThan(1000);
    });

    it('refuses the same nesting in a signed web form, and lets a normal depth through', async () => {
      const deep = { ...webformSubmission(), extra: JSON.parse('['.repeat(40) + ']'.repeat(40)) };
      const res = await signedSubmission(app, deep).expect(400);
      expect(res.body.type).toBe('urn:vpppd:problem:too-deeply-nested');
      await api()
        .post('/v1/auth/login')
        .send({ email: 'a@b.lv', password: [[[['x']]]] })
        .expect(422);
    });
  });

  describe('the web form reads a body only as far as its signature allows (finding 8)', () => {
    it('refuses a Content-Length over the limit with 413 before any of the body arrives', async () => {
      const signature = signTimestampedHmac(WEBFORM_SECRET, '', Math.floor(Date.now() / 1000));
      const res = await rawPost(
        '/v1/channels/webform/submissions',
        { 'Content-Type': 'application/json', 'Content-Length': String(200 * 1024 * 1024), 'X-Signature': signature },
        '{"a":"',
      );
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toMatchObject({ status: 413, type: 'urn:vpppd:problem:too-large' });
      expect(res.ms).toBeLessThan(2000);
    });

    it('refuses a missing or stale signature before reading a large body', async () => {
      const headers = { 'Content-Type': 'application/json', 'Content-Length': String(100 * 1024 * 1024) };
      const missing = await rawPost('/v1/channels/webform/submissions', headers, '{"a":"');
      expect(missing.status).toBe(401);
      expect(JSON.parse(missing.body).type).toBe('urn:vpppd:problem:signature-missing');
      const stale = signTimestampedHmac(WEBFORM_SECRET, '', Math.floor(Date.now() / 1000) - 3600);
      const old = await rawPost('/v1/channels/webform/submissions', { ...headers, 'X-Signature': stale }, '{"a":"');
      expect(old.status).toBe(401);
      expect(JSON.parse(old.body).type).toBe('urn:vpppd:problem:signature-stale');
    });

    it('refuses a forged signature over a large body without ever parsing it as JSON', async () => {
      const body = JSON.stringify({ ...webformSubmission(), padding: 'A'.repeat(30 * 1024 * 1024) });
      const parse = jest.spyOn(JSON, 'parse');
      try {
        const res = await api()
          .post('/v1/channels/webform/submissions')
          .set('Content-Type', 'application/json')
          .set('X-Signature', signTimestampedHmac('a-forged-secret-of-at-least-32-characters', body, Math.floor(Date.now() / 1000)))
          .send(body);
        expect(res.status).toBe(401);
        expect(res.body.type).toBe('urn:vpppd:problem:signature-mismatch');
        expect(parse.mock.calls.filter(([text]) => typeof text === 'string' && text.length > 1024 * 1024)).toEqual([]);
      } finally {
        parse.mockRestore();
      }
    });

    it('still takes a validly signed body over the general 1 MB limit, gzip-encoded too', async () => {
      const big = webformSubmission({ message: 'Labdien! '.repeat(2000) });
      const raw = JSON.stringify({
        ...big,
        attachments: [
          {
            filename: 'a.pdf',
            contentType: 'application/pdf',
            contentBase64: Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2 * 1024 * 1024)]).toString('base64'),
          },
        ],
      });
      await signedSubmission(app, null, { raw }).expect(202);

      const small = JSON.stringify(webformSubmission());
      const signature = signTimestampedHmac(WEBFORM_SECRET, small, Math.floor(Date.now() / 1000));
      const zipped = await rawPost(
        '/v1/channels/webform/submissions',
        { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'X-Signature': signature },
        gzipSync(small),
        true,
      );
      expect(zipped.status).toBe(202);
    });
  });

  describe('text PostgreSQL cannot store (finding 13)', () => {
    const storedMessage = async (submissionId: string) =>
      eventually(async () => {
        const [row] = await env.sql(
          'SELECT m.text, t.subject FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.external_id = $1',
          [submissionId],
        );
        return row;
      });

    it('keeps a typed "\\u0000" as the text it is', async () => {
      const body = webformSubmission({ subject: 'Kods \\u0000', message: 'Rakstu \\u0000 burtiski' });
      await signedSubmission(app, body).expect(202);
      expect(await storedMessage(body.submissionId)).toMatchObject({ subject: 'Kods \\u0000', text: 'Rakstu \\u0000 burtiski' });
    });

    it('stores half a surrogate pair as U+FFFD and drops a NUL, in every field, instead of a 500', async () => {
      const body = webformSubmission({ subject: 'Temats \ud800', message: 'Teksts \udc00 un \u0000 beigas' });
      body.applicant.firstName = 'Jān\ud83dis';
      await signedSubmission(app, body).expect(202);
      expect(await storedMessage(body.submissionId)).toMatchObject({ subject: 'Temats \ufffd', text: 'Teksts \ufffd un  beigas' });
      const [event] = await env.sql(`SELECT payload->'from'->>'firstName' AS name FROM inbound_events WHERE external_id = $1`, [
        body.submissionId,
      ]);
      expect(event.name).toBe('Jān\ufffdis');
    });
  });

  describe('other 500s (finding 14)', () => {
    it('refuses a NUL in a search term or a reference with 422 naming the parameter', async () => {
      const tickets = await api().get('/v1/tickets').query({ q: 'pensija\u0000' }).set('Authorization', `Bearer ${admin}`).expect(422);
      expect(tickets.body.errors).toEqual([expect.objectContaining({ field: 'q', code: 'unstorableText' })]);
      const knowledge = await api()
        .get('/v1/knowledge/search')
        .query({ q: 'a\u0000b' })
        .set('Authorization', `Bearer ${admin}`)
        .expect(422);
      expect(knowledge.body.errors).toEqual([expect.objectContaining({ field: 'q' })]);
      const reference = await api().get('/v1/tickets/VP-2026-%00').set('Authorization', `Bearer ${admin}`).expect(422);
      expect(reference.body.errors).toEqual([expect.objectContaining({ field: 'reference' })]);
      await api()
        .get('/v1/tickets/VP-2026-%ED%A0%80')
        .set('Authorization', `Bearer ${admin}`)
        .expect((r) => expect(r.status).toBeLessThan(500));
      await api().post('/v1/tickets/VP-2026-%00/notes').set('Authorization', `Bearer ${admin}`).send({ text: 'x' }).expect(422);
    });

    it('answers a body that says gzip but is not with 400, on every route', async () => {
      for (const path of ['/v1/auth/login', '/v1/channels/webform/submissions']) {
        const garbage = Buffer.from('this is not gzip at all');
        const res = await api()
          .post(path)
          .set('Content-Type', 'application/json')
          .set('Content-Encoding', 'gzip')
          .set('X-Signature', signTimestampedHmac(WEBFORM_SECRET, garbage, Math.floor(Date.now() / 1000)))
          .send(garbage);
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.body.type).toBe('urn:vpppd:problem:malformed-body');
      }
    });

    it('answers PATCH of an agent to an e-mail already in use with 409 naming the field', async () => {
      const create = (email: string) =>
        api()
          .post('/v1/admin/agents')
          .set('Authorization', `Bearer ${admin}`)
          .send({ email, displayName: email, password: 'ļoti garš parole teikums', roles: ['operator'] })
          .expect(201);
      await create('anna@vid.test');
      const other = await create('berta@vid.test');
      const res = await api()
        .patch(`/v1/admin/agents/${other.body.id}`)
        .set('Authorization', `Bearer ${admin}`)
        .send({ email: 'Anna@vid.test' })
        .expect(409);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({
        status: 409,
        type: 'urn:vpppd:problem:conflict',
        errors: [expect.objectContaining({ field: 'email' })],
      });
    });
  });
});

import { INestApplication } from '@nestjs/common';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { login, TestEnv } from './support/test-env';

describe("API tokens of institutions' systems: scoped, expiring, hashed, revocable, audited", () => {
  const env = new TestEnv();
  let app: INestApplication;
  let admin: string;
  let operator: string;
  const http = () => request(app.getHttpServer());
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const createToken = async (body: object) => (await http().post('/v1/admin/api-tokens').set(as(admin)).send(body).expect(201)).body;

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all' });
    admin = await login(app);
    await app
      .get(AgentsService)
      .upsert({ email: 'operator@staff.test', displayName: 'o', password: 'a long enough passphrase', roles: ['operator'] });
    operator = await login(app, 'operator@staff.test', 'a long enough passphrase');
  });
  afterAll(() => env.teardown());

  it('is shown once, stored as a hash, and refuses bad input with field errors', async () => {
    const created = await createToken({ name: 'VID case system', institution: 'VID', scopes: ['tickets:read'], expiresInDays: 30 });
    expect(created).toMatchObject({ name: 'VID case system', institution: 'VID', scopes: ['tickets:read'], revokedAt: null });
    expect(created.token).toMatch(/^vpat_[A-Za-z0-9_-]{43}$/);
    const [row] = await env.sql('SELECT token_hash FROM api_tokens WHERE id = $1', [created.id]);
    expect(row.token_hash).toBe(createHash('sha256').update(created.token).digest('hex'));
    const listed = (await http().get('/v1/admin/api-tokens').set(as(admin)).expect(200)).body;
    expect(JSON.stringify(listed)).not.toContain(created.token);

    const bad = await http()
      .post('/v1/admin/api-tokens')
      .set(as(admin))
      .send({ name: 'x', institution: 'NOPE', scopes: ['tickets:read'], expiresInDays: 1 })
      .expect(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'institution', code: 'unknown' })]);
    await http()
      .post('/v1/admin/api-tokens')
      .set(as(admin))
      .send({ name: 'x', institution: 'VID', scopes: ['tickets:write'], expiresInDays: 1 })
      .expect(422);
    await http()
      .post('/v1/admin/api-tokens')
      .set(as(admin))
      .send({ name: 'x', institution: 'VID', scopes: ['tickets:read'], expiresInDays: 400 })
      .expect(422);
    await http()
      .post('/v1/admin/api-tokens')
      .set(as(operator))
      .send({ name: 'x', institution: 'VID', scopes: ['tickets:read'], expiresInDays: 1 })
      .expect(403);
  });

  it("reads its institution's tickets only, opens no other route, and hands an answer back", async () => {
    const { token, id } = await createToken({
      name: 'VID',
      institution: 'VID',
      scopes: ['tickets:read', 'tickets:hand-back'],
      expiresInDays: 30,
    });
    const readOnly = (await createToken({ name: 'VID read', institution: 'VID', scopes: ['tickets:read'], expiresInDays: 30 })).token;
    const vid = await env.submitTicket(app, { institution: 'VID' });
    const vsaa = await env.submitTicket(app, { institution: 'VSAA' });

    const read = await http().get(`/v1/tickets/${vid}`).set(as(token)).expect(200);
    expect(read.body.reference).toBe(vid);
    // Another institution's ticket is answered like a missing one.
    const other = await http().get(`/v1/tickets/${vsaa}`).set(as(token)).expect(404);
    expect(other.body.type).toBe('urn:vpppd:problem:not-found');
    // Routes outside its scopes: refused whatever the route is.
    for (const [method, path] of [
      ['get', '/v1/tickets'],
      ['post', `/v1/tickets/${vid}/notes`],
      ['get', '/v1/admin/api-tokens'],
      ['post', '/v1/auth/logout'],
    ] as const) {
      const res = await (http() as any)[method](path).set(as(token)).send({ text: 'x' });
      expect([path, res.status, res.body.type]).toEqual([path, 403, 'urn:vpppd:problem:forbidden']);
    }

    // The hand-back: up to the institution by the centre, back down with the answer by the institution's system.
    await http().post(`/v1/tickets/${vid}/escalations`).set(as(operator)).send({ toLevel: 2, reason: 'Vajadzīgi VID dati' }).expect(201);
    await http()
      .post(`/v1/tickets/${vid}/escalations`)
      .set(as(readOnly))
      .send({ toLevel: 1, reason: 'Atbilde', summary: 'Pārmaksa tiks atmaksāta.' })
      .expect(403);
    const up = await http().post(`/v1/tickets/${vid}/escalations`).set(as(token)).send({ toLevel: 3, reason: 'x' }).expect(422);
    expect(up.body.errors).toEqual([expect.objectContaining({ field: 'toLevel', code: 'handBackOnly' })]);
    const elsewhere = await http()
      .post(`/v1/tickets/${vid}/escalations`)
      .set(as(token))
      .send({ toLevel: 1, institution: 'VSAA', reason: 'x', summary: 'y' })
      .expect(422);
    expect(elsewhere.body.errors).toEqual([expect.objectContaining({ field: 'institution', code: 'handBackOnly' })]);
    await http().post(`/v1/tickets/${vsaa}/escalations`).set(as(token)).send({ toLevel: 1, reason: 'x', summary: 'y' }).expect(404);
    const back = await http()
      .post(`/v1/tickets/${vid}/escalations`)
      .set(as(token))
      .send({ toLevel: 1, reason: 'Atbilde', summary: 'Pārmaksa tiks atmaksāta.' })
      .expect(201);
    expect(back.body).toMatchObject({ fromLevel: 2, toLevel: 1, institution: 'VID', reason: 'handed_back' });
    const [escalation] = await env.sql(
      `SELECT actor_agent_id FROM escalations WHERE reason = 'handed_back' AND ticket_id = (SELECT id FROM tickets WHERE reference = $1)`,
      [vid],
    );
    expect(escalation.actor_agent_id).toBe(id);

    // Every use is on record, the refused ones too.
    const uses = await env.sql(
      `SELECT action, detail FROM audit_events WHERE subject_type = 'api_token' AND subject_id = $1 ORDER BY created_at`,
      [id],
    );
    expect(uses.filter((u) => u.action === 'api_token.used').map((u) => u.detail.route)).toEqual(
      expect.arrayContaining(['GET /v1/tickets/:reference', 'POST /v1/tickets/:reference/escalations']),
    );
    expect(uses.filter((u) => u.action === 'api_token.refused').map((u) => u.detail.route)).toEqual(
      expect.arrayContaining(['GET /v1/tickets', 'POST /v1/tickets/:reference/notes']),
    );
  });

  it('stops working at once when revoked or expired, and an unknown token is refused', async () => {
    const vid = await env.submitTicket(app, { institution: 'VID' });
    const revoked = await createToken({ name: 'r', institution: 'VID', scopes: ['tickets:read'], expiresInDays: 1 });
    const expired = await createToken({ name: 'e', institution: 'VID', scopes: ['tickets:read'], expiresInDays: 1 });
    await http().get(`/v1/tickets/${vid}`).set(as(revoked.token)).expect(200);
    await http().get(`/v1/tickets/${vid}`).set(as(expired.token)).expect(200);

    await http().delete(`/v1/admin/api-tokens/${revoked.id}`).set(as(admin)).expect(204);
    await env.sql(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired.id]);
    for (const token of [revoked.token, expired.token, 'vpat_' + 'A'.repeat(43)]) {
      const res = await http().get(`/v1/tickets/${vid}`).set(as(token)).expect(401);
      expect(res.body.type).toBe('urn:vpppd:problem:unauthorized');
    }
    await http().delete('/v1/admin/api-tokens/00000000-0000-4000-8000-000000000000').set(as(admin)).expect(404);
    expect(await env.sql(`SELECT 1 FROM audit_events WHERE action = 'api_token.revoked' AND subject_id = $1`, [revoked.id])).toHaveLength(
      1,
    );
    // A system's token is not a staff session: the realtime socket and logout know nothing of it.
    await http().post('/v1/auth/logout').set(as(revoked.token)).expect(401);
  });
});

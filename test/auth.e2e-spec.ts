import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { TestEnv } from './support/test-env';

describe('authentication: sessions, refresh rotation, logout, lockout, password policy', () => {
  const env = new TestEnv();
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  const password = 'a long enough passphrase';
  const loginAs = (email: string, pw = password) => http().post('/v1/auth/login').send({ email, password: pw });

  beforeAll(async () => {
    // This file hammers one account from one address on purpose: the per-source limits (rate-limits.e2e-spec.ts)
    // would answer 429 before the account lock it tests is reached.
    app = await env.startApi({
      APP_ROLE: 'api',
      AUTH_MAX_FAILED_LOGINS: '3',
      AUTH_MAX_FAILED_LOGINS_PER_SOURCE: '1000',
      RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
    });
    const agents = app.get(AgentsService);
    for (const name of ['rita', 'pauls', 'ieva', 'anna'])
      await agents.upsert({ email: `${name}@staff.test`, displayName: name, password, roles: ['operator'] });
  });
  afterAll(() => env.teardown());

  it('renews a session with a rotating refresh token; a replayed one ends the session for everybody', async () => {
    const first = (await loginAs('rita@staff.test').expect(200)).body;
    expect(first).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, refreshToken: expect.stringMatching(/^[0-9a-f-]{36}\./) });

    const second = (await http().post('/v1/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200)).body;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    await http().get('/v1/tickets').set('Authorization', `Bearer ${second.accessToken}`).expect(200);

    // The first refresh token again: somebody copied it. The session is revoked, the new tokens die with it.
    await http().post('/v1/auth/refresh').send({ refreshToken: first.refreshToken }).expect(401);
    await http().post('/v1/auth/refresh').send({ refreshToken: second.refreshToken }).expect(401);
    await http().get('/v1/tickets').set('Authorization', `Bearer ${second.accessToken}`).expect(401);
    await http().post('/v1/auth/refresh').send({ refreshToken: 'garbage-token' }).expect(401);
  });

  it('logout ends the access token at once and leaves other sessions alone', async () => {
    const a = (await loginAs('pauls@staff.test').expect(200)).body;
    const b = (await loginAs('pauls@staff.test').expect(200)).body;
    await http().post('/v1/auth/logout').set('Authorization', `Bearer ${a.accessToken}`).expect(204);
    await http().get('/v1/tickets').set('Authorization', `Bearer ${a.accessToken}`).expect(401);
    await http().post('/v1/auth/refresh').send({ refreshToken: a.refreshToken }).expect(401);
    await http().get('/v1/tickets').set('Authorization', `Bearer ${b.accessToken}`).expect(200);
  });

  it('locks an account after repeated failures, refusing even the right password, answered exactly like a wrong password', async () => {
    const wrong = await loginAs('ieva@staff.test', 'not the password at all').expect(401);
    expect(wrong.body.type).toBe('urn:vpppd:problem:invalid-credentials');
    await loginAs('ieva@staff.test', 'not the password at all').expect(401);
    await loginAs('ieva@staff.test', 'not the password at all').expect(401);
    const locked = await loginAs('ieva@staff.test').expect(401);
    // Neither the right password nor a wrong one while locked tells anything: not the guess, not the lock.
    const lockedWrong = await loginAs('ieva@staff.test', 'still not the password').expect(401);
    const unknown = await loginAs('nobody.at.all@staff.test', 'still not the password').expect(401);
    for (const answer of [locked, lockedWrong, unknown])
      expect({ ...answer.body, requestId: undefined, instance: undefined }).toEqual({
        ...wrong.body,
        requestId: undefined,
        instance: undefined,
      });
    const audit = await env.sql(`SELECT action FROM audit_events WHERE action = 'auth.locked_out'`);
    expect(audit).toHaveLength(2);

    // When the lock runs out, the right password works again and the count starts over.
    await env.sql(`UPDATE agents SET locked_until = now() - interval '1 second' WHERE email = 'ieva@staff.test'`);
    await loginAs('ieva@staff.test').expect(200);
    const [row] = await env.sql(`SELECT failed_logins, locked_until FROM agents WHERE email = 'ieva@staff.test'`);
    expect(row).toEqual({ failed_logins: 0, locked_until: null });
  });

  it('counts parallel guesses before checking them: the lock holds, and the right password among them is refused once it is reached', async () => {
    const [{ id }] = await env.sql(`SELECT id FROM agents WHERE email = 'anna@staff.test'`);
    const attempts = [...Array.from({ length: 40 }, () => 'not the password at all'), password];
    const answers = await Promise.all(attempts.map((pw) => loginAs('anna@staff.test', pw)));
    expect(answers.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
    expect(answers.every((r) => r.status === 200 || r.status === 401)).toBe(true);

    // Every attempt was counted; only the first AUTH_MAX_FAILED_LOGINS (3) were checked, the rest were refused as locked.
    const [row] = await env.sql(`SELECT failed_logins, locked_until > now() AS locked FROM agents WHERE id = $1`, [id]);
    expect(row).toEqual({ failed_logins: 41, locked: true });
    const refused = await env.sql(`SELECT 1 FROM audit_events WHERE action = 'auth.locked_out' AND subject_id = $1`, [id]);
    expect(refused).toHaveLength(38);

    // A success among the checked ones (if the right password was) did not clear the lock the others reached.
    await loginAs('anna@staff.test').expect(401);
  });

  it('tells the owner of a disabled account, who gives its right password, that it is disabled; anyone else hears wrong password', async () => {
    const agents = app.get(AgentsService);
    await agents.upsert({ email: 'janis@staff.test', displayName: 'Jānis', password, roles: ['operator'] });
    await env.sql(`UPDATE agents SET active = false WHERE email = 'janis@staff.test'`);
    const disabled = await loginAs('janis@staff.test').expect(403);
    expect(disabled.body.type).toBe('urn:vpppd:problem:account-disabled');
    const guess = await loginAs('janis@staff.test', 'a wrong guess of it').expect(401);
    const unknown = await loginAs('nobody@staff.test', 'a wrong guess of it').expect(401);
    expect({ ...guess.body, requestId: undefined }).toEqual({ ...unknown.body, requestId: undefined });
    expect(guess.body.type).toBe('urn:vpppd:problem:invalid-credentials');
  });

  it('GET /v1/auth/me names the signed-in member of staff, their roles and institutions', async () => {
    const agents = app.get(AgentsService);
    await agents.upsert({ email: 'liga@vid.test', displayName: 'Līga', password, roles: ['specialist'], institutionCodes: ['VID'] });
    const { accessToken } = (await loginAs('liga@vid.test').expect(200)).body;
    const me = await http().get('/v1/auth/me').set('Authorization', `Bearer ${accessToken}`).expect(200);
    expect(me.body).toEqual({
      id: expect.any(String),
      email: 'liga@vid.test',
      displayName: 'Līga',
      roles: ['specialist'],
      institutions: ['VID'],
    });
    await http().get('/v1/auth/me').expect(401);
  });

  it('refuses weak passwords for staff accounts', async () => {
    const agents = app.get(AgentsService);
    await expect(agents.upsert({ email: 'weak@staff.test', displayName: 'w', password: 'short', roles: ['operator'] })).rejects.toThrow();
    await expect(
      agents.upsert({ email: 'weakling@staff.test', displayName: 'w', password: 'weakling-2026-passphrase', roles: ['operator'] }),
    ).rejects.toThrow();
    expect(await env.sql(`SELECT 1 FROM agents WHERE email LIKE 'weak%'`)).toHaveLength(0);
  });
});

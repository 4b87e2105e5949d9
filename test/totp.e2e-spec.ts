import { INestApplication } from '@nestjs/common';
import { decryptSecret, encryptSecret, parseSecretKey } from '@lib/secret-box';
import { generate } from 'otplib';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { TEST_DATA_ENCRYPTION_KEY, TestEnv } from './support/test-env';

describe('TOTP second factor: enrolment, required roles, replay, recovery codes, admin reset', () => {
  const env = new TestEnv();
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  const password = 'a long enough passphrase';
  const loginAs = (email: string) => http().post('/v1/auth/login').send({ email, password });
  const codeAt = (secret: string, offsetSeconds = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSeconds });
  const ids: Record<string, string> = {};

  /** Signs in a role that must have a factor but has none yet: enrols during sign-in, as a client would. */
  async function enrolDuringLogin(email: string) {
    const first = await loginAs(email).expect(401);
    expect(first.body).toMatchObject({
      type: 'urn:vpppd:problem:totp-enrolment-required',
      next: '/v1/auth/login/totp/enrolment',
      challengeExpiresIn: 300,
    });
    const { challengeToken } = first.body;
    const enrolment = (await http().post('/v1/auth/login/totp/enrolment').send({ challengeToken }).expect(200)).body;
    const done = (
      await http()
        .post('/v1/auth/login/totp')
        .send({ challengeToken, code: await codeAt(enrolment.secret) })
        .expect(200)
    ).body;
    return { secret: enrolment.secret as string, otpauthUri: enrolment.otpauthUri as string, tokens: done };
  }

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'api', AUTH_MAX_FAILED_LOGINS: '3', TOTP_REQUIRED_ROLES: 'admin,supervisor' });
    const agents = app.get(AgentsService);
    for (const [name, role] of [
      ['sarma', 'supervisor'],
      ['valdis', 'admin'],
      ['olga', 'operator'],
      ['juris', 'supervisor'],
    ] as const) {
      ids[name] = await agents.upsert({ email: `${name}@staff.test`, displayName: name, password, roles: [role] });
    }
  });
  afterAll(() => env.teardown());

  it('answers 404 oidc-not-configured on the single sign-on routes when no provider is set up', async () => {
    for (const path of ['/v1/auth/oidc/login', '/v1/auth/oidc/callback?code=x&state=y']) {
      const res = await http().get(path).expect(404);
      expect(res.body.type).toBe('urn:vpppd:problem:oidc-not-configured');
    }
  });

  it('lets a role that needs no factor sign in with the password alone', async () => {
    const res = await loginAs('olga@staff.test').expect(200);
    expect(res.body.accessToken).toEqual(expect.any(String));
  });

  it('makes a required role enrol at sign-in: a wrong first code is refused, the right one signs in and shows ten recovery codes once', async () => {
    const first = await loginAs('sarma@staff.test').expect(401);
    const { challengeToken } = first.body;
    // The challenge is not a session: it opens nothing by itself.
    await http().get('/v1/tickets').set('Authorization', `Bearer ${challengeToken}`).expect(401);

    const enrolment = (await http().post('/v1/auth/login/totp/enrolment').send({ challengeToken }).expect(200)).body;
    expect(enrolment.otpauthUri).toMatch(/^otpauth:\/\/totp\/VPPPD:sarma%40staff\.test\?/);
    expect(enrolment.otpauthUri).toContain(`secret=${enrolment.secret}`);

    const wrong = await http()
      .post('/v1/auth/login/totp')
      .send({ challengeToken, code: '000000' === (await codeAt(enrolment.secret)) ? '111111' : '000000' })
      .expect(401);
    expect(wrong.body.type).toBe('urn:vpppd:problem:invalid-second-factor');

    const firstCode = await codeAt(enrolment.secret);
    const done = (await http().post('/v1/auth/login/totp').send({ challengeToken, code: firstCode }).expect(200)).body;
    expect(done.recoveryCodes).toHaveLength(10);
    await http().get('/v1/tickets').set('Authorization', `Bearer ${done.accessToken}`).expect(200);

    const stored = await env.sql<{ code_hash: string }>('SELECT code_hash FROM agent_recovery_codes WHERE agent_id = $1', [ids.sarma]);
    expect(stored).toHaveLength(10);
    for (const code of done.recoveryCodes) expect(stored.map((r) => r.code_hash)).not.toContain(code);
    expect(await env.sql(`SELECT 1 FROM audit_events WHERE action = 'auth.totp_enrolled' AND subject_id = $1`, [ids.sarma])).toHaveLength(
      1,
    );

    // From now on every sign-in asks for a code, and the same code is never taken twice.
    const again = await loginAs('sarma@staff.test').expect(401);
    expect(again.body).toMatchObject({ type: 'urn:vpppd:problem:totp-required', next: '/v1/auth/login/totp' });
    // The very code taken above: one computed again could fall in the next 30-second step and be a new code.
    const replay = await http()
      .post('/v1/auth/login/totp')
      .send({ challengeToken: again.body.challengeToken, code: firstCode })
      .expect(401);
    expect(replay.body.type).toBe('urn:vpppd:problem:invalid-second-factor');
    const next = await http()
      .post('/v1/auth/login/totp')
      .send({ challengeToken: again.body.challengeToken, code: await codeAt(enrolment.secret, 30) })
      .expect(200);
    expect(next.body.recoveryCodes).toBeUndefined();

    // A recovery code stands in for the phone, once.
    const [recovery] = done.recoveryCodes as string[];
    const lost = (await loginAs('sarma@staff.test').expect(401)).body.challengeToken;
    await http().post('/v1/auth/login/totp').send({ challengeToken: lost, recoveryCode: recovery.toLowerCase() }).expect(200);
    const twice = await http().post('/v1/auth/login/totp').send({ challengeToken: lost, recoveryCode: recovery }).expect(401);
    expect(twice.body.type).toBe('urn:vpppd:problem:invalid-second-factor');
    const [used] = await env.sql(`SELECT detail FROM audit_events WHERE action = 'auth.recovery_code_used' AND subject_id = $1`, [
      ids.sarma,
    ]);
    expect(used.detail).toEqual({ left: 9 });
  });

  it('refuses a forged or foreign challenge, and a request with both or neither proof', async () => {
    await http().post('/v1/auth/login/totp').send({ challengeToken: 'not.a.challenge', code: '123456' }).expect(401);
    // An access token is not a challenge token.
    const olga = (await loginAs('olga@staff.test').expect(200)).body.accessToken;
    await http().post('/v1/auth/login/totp').send({ challengeToken: olga, code: '123456' }).expect(401);
    const challengeToken = (await loginAs('sarma@staff.test').expect(401)).body.challengeToken;
    await http().post('/v1/auth/login/totp').send({ challengeToken }).expect(422);
    await http().post('/v1/auth/login/totp').send({ challengeToken, code: '123456', recoveryCode: 'AAAA-BBBB-CCCC-DDDD' }).expect(422);
    await http().post('/v1/auth/login/totp').send({ challengeToken, code: '12345' }).expect(422);
    // An enrolled agent cannot be re-enrolled through a sign-in challenge.
    await http().post('/v1/auth/login/totp/enrolment').send({ challengeToken }).expect(401);
  });

  it('locks the factor after repeated wrong codes, refusing even the right one, until the lock runs out', async () => {
    const { secret } = await enrolDuringLogin('juris@staff.test');
    const challengeToken = (await loginAs('juris@staff.test').expect(401)).body.challengeToken;
    const right = await codeAt(secret, 30);
    const wrong = right === '999999' ? '888888' : '999999';
    for (let i = 0; i < 3; i++) await http().post('/v1/auth/login/totp').send({ challengeToken, code: wrong }).expect(401);
    await http().post('/v1/auth/login/totp').send({ challengeToken, code: right }).expect(401);
    expect(await env.sql(`SELECT 1 FROM audit_events WHERE action = 'auth.totp_locked' AND subject_id = $1`, [ids.juris])).toHaveLength(1);

    await env.sql(`UPDATE agent_totp SET locked_until = now() - interval '1 second' WHERE agent_id = $1`, [ids.juris]);
    await http().post('/v1/auth/login/totp').send({ challengeToken, code: right }).expect(200);
  });

  it('keeps the shared secret sealed in the database, and still reads one stored in plaintext before sealing', async () => {
    const stored = async (agentId: string) =>
      (await env.sql<{ secret: string }>('SELECT secret FROM agent_totp WHERE agent_id = $1', [agentId]))[0].secret;
    const olga = (await loginAs('olga@staff.test').expect(200)).body.accessToken;
    const { secret } = (await http().post('/v1/auth/totp/enrolment').set('Authorization', `Bearer ${olga}`).expect(200)).body;
    const sealed = await stored(ids.olga);
    expect(sealed).toMatch(/^enc:v1:[0-9a-f]{8}:/);
    expect(sealed).not.toContain(secret);
    expect(decryptSecret(sealed, [parseSecretKey(TEST_DATA_ENCRYPTION_KEY)!], 'agent_totp.secret')).toBe(secret);
    await env.sql('DELETE FROM agent_totp WHERE agent_id = $1', [ids.olga]);

    await env.sql('DELETE FROM agent_totp WHERE agent_id = $1', [ids.juris]);
    const { secret: jurisSecret } = await enrolDuringLogin('juris@staff.test');
    const challengeToken = (await loginAs('juris@staff.test').expect(401)).body.challengeToken;
    const code = await codeAt(jurisSecret, 30);
    // Sealed for another column, the value does not open here: the right code is refused (not a server error).
    const foreign = encryptSecret(jurisSecret, parseSecretKey(TEST_DATA_ENCRYPTION_KEY)!, 'mailboxes.password');
    await env.sql('UPDATE agent_totp SET secret = $2 WHERE agent_id = $1', [ids.juris, foreign]);
    await http().post('/v1/auth/login/totp').send({ challengeToken, code }).expect(401);
    // In plaintext, as a version without sealing left it, the same code signs in.
    await env.sql('UPDATE agent_totp SET secret = $2 WHERE agent_id = $1', [ids.juris, jurisSecret]);
    await http().post('/v1/auth/login/totp').send({ challengeToken, code }).expect(200);
  });

  it('lets staff enrol of their own accord, and an administrator reset a factor (audited)', async () => {
    const olga = (await loginAs('olga@staff.test').expect(200)).body.accessToken;
    const auth = { Authorization: `Bearer ${olga}` };
    const { secret } = (await http().post('/v1/auth/totp/enrolment').set(auth).expect(200)).body;
    await http()
      .post('/v1/auth/totp/enrolment/confirm')
      .set(auth)
      .send({ code: (await codeAt(secret)) === '000000' ? '111111' : '000000' })
      .expect(401);
    const { recoveryCodes } = (
      await http()
        .post('/v1/auth/totp/enrolment/confirm')
        .set(auth)
        .send({ code: await codeAt(secret) })
        .expect(200)
    ).body;
    expect(recoveryCodes).toHaveLength(10);
    await http().post('/v1/auth/totp/enrolment').set(auth).expect(409);
    expect((await loginAs('olga@staff.test').expect(401)).body.type).toBe('urn:vpppd:problem:totp-required');

    // The administrator's own role needs the factor too.
    const admin = (await enrolDuringLogin('valdis@staff.test')).tokens.accessToken;
    await http().delete(`/v1/admin/agents/${ids.sarma}/totp`).set('Authorization', `Bearer ${olga}`).expect(403);
    await http().delete(`/v1/admin/agents/${ids.sarma}/totp`).set('Authorization', `Bearer ${admin}`).expect(204);
    const [audit] = await env.sql(`SELECT actor_agent_id FROM audit_events WHERE action = 'auth.totp_reset' AND subject_id = $1`, [
      ids.sarma,
    ]);
    expect(audit.actor_agent_id).toBe(ids.valdis);
    expect(await env.sql('SELECT 1 FROM agent_recovery_codes WHERE agent_id = $1', [ids.sarma])).toHaveLength(0);
    // Sarma's role still needs a factor: the next sign-in enrols again.
    expect((await loginAs('sarma@staff.test').expect(401)).body.type).toBe('urn:vpppd:problem:totp-enrolment-required');
  });
});

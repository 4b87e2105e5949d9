import { INestApplication } from '@nestjs/common';
import { decryptSecret, parseSecretKey, secretKeyIdOf } from '@lib/secret-box';
import request from 'supertest';
import { generate } from 'otplib';
import { DataSource } from 'typeorm';
import { SecretCipher } from '../src/secrets/secret-cipher';
import { SecretsAtRestService } from '../src/secrets/secrets-at-rest.service';
import { reencryptSecrets } from '../src/secrets/reencrypt';
import { login, TEST_DATA_ENCRYPTION_KEY, TestEnv } from './support/test-env';

const NEXT_KEY = 'a1b2'.repeat(16);
const MAILBOX_PASSWORD = 'imap-passphrase-of-the-vid-mailbox';
const WEBHOOK_SECRET = 'the-vid-webhook-signing-secret-0123456789';

describe('secrets at rest: mailbox passwords, webhook secrets and TOTP secrets encrypted with AES-256-GCM', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let admin: string;
  let mailboxId: string;
  let webhookId: string;
  let adminId: string;
  let totpSecret: string;
  const http = () => request(app.getHttpServer());
  const stored = async () => ({
    mailbox: (await env.sql(`SELECT password FROM mailboxes WHERE id = $1`, [mailboxId]))[0].password as string,
    webhook: (await env.sql(`SELECT secret FROM webhook_subscriptions WHERE id = $1`, [webhookId]))[0].secret as string,
    totp: (await env.sql(`SELECT secret FROM agent_totp WHERE agent_id = $1`, [adminId]))[0].secret as string,
  });

  beforeAll(async () => {
    // No mail server needed: the mailbox is only stored (the watcher's failed connection is its own business).
    app = await env.startApi({ APP_ROLE: 'api', WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8' });
    admin = await login(app);
    mailboxId = (
      await http()
        .post('/v1/admin/mailboxes')
        .set('Authorization', `Bearer ${admin}`)
        .send({
          name: 'vid',
          address: 'vid@vpppd.test',
          institution: 'VID',
          host: '127.0.0.1',
          port: 9,
          tls: false,
          username: 'vid',
          password: MAILBOX_PASSWORD,
        })
        .expect(201)
    ).body.id;
    webhookId = (
      await http()
        .post('/v1/admin/webhooks')
        .set('Authorization', `Bearer ${admin}`)
        .send({ institution: 'VID', url: 'http://127.0.0.1:9/hook', secret: WEBHOOK_SECRET, events: ['ticket.escalated'] })
        .expect(201)
    ).body.id;
    // The admin's own second factor, started and left unconfirmed: the sign-in above keeps working without a code.
    totpSecret = (await http().post('/v1/auth/totp/enrolment').set('Authorization', `Bearer ${admin}`).expect(200)).body.secret;
    adminId = (await env.sql(`SELECT agent_id FROM agent_totp`))[0].agent_id;
  });
  afterAll(() => env.teardown());

  it('stores them sealed under DATA_ENCRYPTION_KEY, bound to their column, never in plaintext', async () => {
    const { mailbox, webhook, totp } = await stored();
    const key = parseSecretKey(TEST_DATA_ENCRYPTION_KEY)!;
    for (const value of [mailbox, webhook, totp]) {
      expect(value).toMatch(/^enc:v1:[0-9a-f]{8}:/);
      expect(secretKeyIdOf(value)).toBe(key.id);
    }
    expect(mailbox).not.toContain(MAILBOX_PASSWORD);
    expect(totp).not.toContain(totpSecret);
    expect(decryptSecret(totp, [key], 'agent_totp.secret')).toBe(totpSecret);
    expect(decryptSecret(mailbox, [key], 'mailboxes.password')).toBe(MAILBOX_PASSWORD);
    expect(decryptSecret(webhook, [key], 'webhook_subscriptions.secret')).toBe(WEBHOOK_SECRET);
    expect(() => decryptSecret(mailbox, [key], 'webhook_subscriptions.secret')).toThrow();
    // A change through the API is sealed too.
    await http()
      .patch(`/v1/admin/mailboxes/${mailboxId}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ password: 'a new passphrase' })
      .expect(200);
    expect(decryptSecret((await stored()).mailbox, [key], 'mailboxes.password')).toBe('a new passphrase');
    await http()
      .patch(`/v1/admin/mailboxes/${mailboxId}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ password: MAILBOX_PASSWORD })
      .expect(200);
  });

  it('seals rows still in plaintext (from before encryption) on the next start', async () => {
    await env.sql(`UPDATE mailboxes SET password = $2 WHERE id = $1`, [mailboxId, MAILBOX_PASSWORD]);
    await env.sql(`UPDATE webhook_subscriptions SET secret = $2 WHERE id = $1`, [webhookId, WEBHOOK_SECRET]);
    await env.sql(`UPDATE agent_totp SET secret = $2 WHERE agent_id = $1`, [adminId, totpSecret]);
    await env.stop(app);
    app = await env.startApi({ APP_ROLE: 'api', WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8' });
    const { mailbox, webhook, totp } = await stored();
    const key = parseSecretKey(TEST_DATA_ENCRYPTION_KEY)!;
    expect(decryptSecret(mailbox, [key], 'mailboxes.password')).toBe(MAILBOX_PASSWORD);
    expect(decryptSecret(webhook, [key], 'webhook_subscriptions.secret')).toBe(WEBHOOK_SECRET);
    expect(decryptSecret(totp, [key], 'agent_totp.secret')).toBe(totpSecret);
  });

  it('rotates: with the new key and the previous one both open; re-encryption puts everything under the new key', async () => {
    const before = await stored();
    const rotating = new SecretCipher(
      env.config({ DATA_ENCRYPTION_KEY: NEXT_KEY, DATA_ENCRYPTION_KEY_PREVIOUS: TEST_DATA_ENCRYPTION_KEY }),
    );
    expect(rotating.open(before.mailbox, 'mailboxes.password')).toBe(MAILBOX_PASSWORD);

    const reports = await new SecretsAtRestService(app.get(DataSource), rotating).resealAll();
    expect(reports).toEqual([
      { table: 'mailboxes', column: 'password', sealed: 1, unreadable: 0 },
      { table: 'webhook_subscriptions', column: 'secret', sealed: 1, unreadable: 0 },
      { table: 'agent_totp', column: 'secret', sealed: 1, unreadable: 0 },
    ]);
    const after = await stored();
    const next = parseSecretKey(NEXT_KEY)!;
    expect(secretKeyIdOf(after.mailbox)).toBe(next.id);
    expect(decryptSecret(after.mailbox, [next], 'mailboxes.password')).toBe(MAILBOX_PASSWORD);
    expect(decryptSecret(after.webhook, [next], 'webhook_subscriptions.secret')).toBe(WEBHOOK_SECRET);
    expect(secretKeyIdOf(after.totp)).toBe(next.id);
    expect(decryptSecret(after.totp, [next], 'agent_totp.secret')).toBe(totpSecret);
    // Again: nothing left to do.
    expect((await new SecretsAtRestService(app.get(DataSource), rotating).resealAll()).map((r) => r.sealed)).toEqual([0, 0, 0]);

    // The service started with only the new key reads them (the mailbox list for the watcher opens every password).
    await env.stop(app);
    app = await env.startApi({ APP_ROLE: 'api', WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8', DATA_ENCRYPTION_KEY: NEXT_KEY });
    expect(await stored()).toEqual(after);
    // The second factor re-encrypted under the new key still takes the app's code.
    const newAdmin = await login(app);
    const code = await generate({ secret: totpSecret });
    await http().post('/v1/auth/totp/enrolment/confirm').set('Authorization', `Bearer ${newAdmin}`).send({ code }).expect(200);
  });

  it('has a command (npm run secrets:reencrypt) that re-encrypts, and says when a value opens under no configured key', async () => {
    const run = async (extra: Record<string, string>) => {
      const lines: string[] = [];
      const code = await reencryptSecrets(env.config(extra), (line) => lines.push(line));
      return { code, out: lines.join('\n') };
    };
    // Back from NEXT_KEY to the test key, NEXT_KEY being the previous one.
    const back = await run({ DATA_ENCRYPTION_KEY: TEST_DATA_ENCRYPTION_KEY, DATA_ENCRYPTION_KEY_PREVIOUS: NEXT_KEY });
    expect(back.out).toContain('mailboxes.password: 1 re-encrypted');
    expect(back.out).toContain('agent_totp.secret: 1 re-encrypted');
    expect(back.out).toContain('DATA_ENCRYPTION_KEY_PREVIOUS may be removed');
    expect(back.code).toBe(0);
    expect(secretKeyIdOf((await stored()).webhook)).toBe(parseSecretKey(TEST_DATA_ENCRYPTION_KEY)!.id);
    // A key that opens nothing: every value is reported, left as they are, and the command fails.
    const lost = await run({ DATA_ENCRYPTION_KEY: 'ffee'.repeat(16) });
    expect(lost.code).toBe(1);
    expect(lost.out).toContain('1 opened under no configured key');
  }, 120_000);
});

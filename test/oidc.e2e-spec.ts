import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { CookieBrowser, LocalOidcProvider } from './support/oidc';
import { freePort } from './support/private-services';
import { TestEnv } from './support/test-env';

/**
 * Single sign-on end to end: a real OpenID Connect provider (oidc-provider) in its own process, our service, and a
 * cookie-keeping client that follows every redirect and signs in on the provider's own page.
 */
describe("single sign-on through the state's OpenID Connect provider", () => {
  const env = new TestEnv();
  let app: INestApplication;
  let base: string;
  let provider: LocalOidcProvider;
  const ids: Record<string, string> = {};
  const password = 'a long enough passphrase';

  /** From our login route to the end of the callback, signing in at the provider as `login`. */
  async function signIn(login: string, browser = new CookieBrowser()) {
    let page = await browser.get(`${base}/v1/auth/oidc/login`);
    // The provider's pages: its sign-in form, then its consent form.
    for (let step = 0; step < 3 && page.url.startsWith(provider.issuer); step++) {
      expect([page.url, page.status]).toEqual([page.url, 200]);
      page = await browser.submitForm(page, page.body.includes('name="login"') ? { login, password: 'whatever the provider asks' } : {});
    }
    expect(page.url.startsWith(`${base}/v1/auth/oidc/callback?`)).toBe(true);
    return { page, browser };
  }

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const client = {
      clientId: 'vpppd-console',
      clientSecret: 'test-oidc-client-secret-0123456789',
      redirectUri: `${base}/v1/auth/oidc/callback`,
    };
    provider = new LocalOidcProvider({
      ...client,
      accounts: {
        'anna-sub': { email: 'Anna@Staff.test' },
        impostor: { email: 'anna@staff.test' },
        ghost: { email: 'ghost@staff.test' },
        'disabled-sub': { email: 'disabled@staff.test' },
        unverified: { email: 'peteris@staff.test', emailVerified: false },
        'sarma-sub': { email: 'sarma@staff.test' },
      },
    });
    await provider.start();
    app = await env.startApi(
      {
        APP_ROLE: 'api',
        OIDC_ISSUER_URL: provider.issuer,
        OIDC_CLIENT_ID: client.clientId,
        OIDC_CLIENT_SECRET: client.clientSecret,
        OIDC_REDIRECT_URI: client.redirectUri,
        TOTP_REQUIRED_ROLES: 'supervisor',
      },
      port,
    );
    const agents = app.get(AgentsService);
    for (const [name, role] of [
      ['anna', 'operator'],
      ['disabled', 'operator'],
      ['peteris', 'operator'],
      ['sarma', 'supervisor'],
    ] as const) {
      ids[name] = await agents.upsert({ email: `${name}@staff.test`, displayName: name, password, roles: [role] });
    }
    await env.sql(`UPDATE agents SET active = false WHERE email = 'disabled@staff.test'`);
  }, 60000);
  afterAll(async () => {
    await env.teardown();
    await provider?.stop();
  });

  it("signs an agent in by the provider's verified e-mail, with our own tokens, and links the identity", async () => {
    const { page } = await signIn('anna-sub');
    expect(page.status).toBe(200);
    const tokens = page.json();
    expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, refreshToken: expect.stringMatching(/^[0-9a-f-]{36}\./) });
    await request(app.getHttpServer()).get('/v1/tickets').set('Authorization', `Bearer ${tokens.accessToken}`).expect(200);
    await request(app.getHttpServer()).post('/v1/auth/refresh').send({ refreshToken: tokens.refreshToken }).expect(200);
    // The same session as a password sign-in: it ends with logout.
    await request(app.getHttpServer()).post('/v1/auth/logout').set('Authorization', `Bearer ${tokens.accessToken}`).expect(204);
    await request(app.getHttpServer()).get('/v1/tickets').set('Authorization', `Bearer ${tokens.accessToken}`).expect(401);

    expect(await env.sql('SELECT issuer, subject, agent_id FROM agent_oidc_subjects')).toEqual([
      { issuer: provider.issuer, subject: 'anna-sub', agent_id: ids.anna },
    ]);
    const [linked] = await env.sql(`SELECT detail FROM audit_events WHERE action = 'auth.oidc_linked' AND subject_id = $1`, [ids.anna]);
    expect(linked.detail).toEqual({ issuer: provider.issuer });
  });

  it('follows the identity, not the e-mail, once linked', async () => {
    // Anna's address changes here; the provider's subject still finds her.
    await env.sql(`UPDATE agents SET email = 'anna.ozola@staff.test' WHERE id = $1`, [ids.anna]);
    expect((await signIn('anna-sub')).page.status).toBe(200);
    await env.sql(`UPDATE agents SET email = 'anna@staff.test' WHERE id = $1`, [ids.anna]);
    // Another identity showing Anna's e-mail is not taken for her.
    const impostor = (await signIn('impostor')).page;
    expect([impostor.status, impostor.json().type]).toEqual([403, 'urn:vpppd:problem:oidc-no-agent']);
  });

  it('refuses an unknown, a disabled and an unverified identity with a clear problem', async () => {
    const ghost = (await signIn('ghost')).page;
    expect([ghost.status, ghost.json().type]).toEqual([403, 'urn:vpppd:problem:oidc-no-agent']);
    const disabled = (await signIn('disabled-sub')).page;
    expect([disabled.status, disabled.json().type]).toEqual([403, 'urn:vpppd:problem:account-disabled']);
    const unverified = (await signIn('unverified')).page;
    expect([unverified.status, unverified.json().type]).toEqual([403, 'urn:vpppd:problem:oidc-no-agent']);
    expect(await env.sql(`SELECT subject FROM agent_oidc_subjects WHERE subject <> 'anna-sub'`)).toEqual([]);
  });

  it('takes a callback only once, and only in the browser that started the sign-in', async () => {
    const { page, browser } = await signIn('anna-sub');
    expect(page.status).toBe(200);
    // The same answer again, in the same browser (its sign-in cookie is spent) or in another one.
    const again = await browser.get(page.url);
    expect([again.status, again.json().type]).toEqual([401, 'urn:vpppd:problem:oidc-state-invalid']);
    const stranger = await new CookieBrowser().get(page.url);
    expect([stranger.status, stranger.json().type]).toEqual([401, 'urn:vpppd:problem:oidc-state-invalid']);

    // A browser that started its own sign-in cannot finish with someone else's code and state either.
    const other = new CookieBrowser();
    const started = await other.get(`${base}/v1/auth/oidc/login`);
    expect(started.url.startsWith(provider.issuer)).toBe(true);
    const swapped = await other.get(page.url);
    expect(swapped.status).toBe(401);
  });

  it('asks for the second factor after single sign-on, as after a password', async () => {
    const page = (await signIn('sarma-sub')).page;
    expect(page.status).toBe(401);
    expect(page.json()).toMatchObject({ type: 'urn:vpppd:problem:totp-enrolment-required', challengeToken: expect.any(String) });
  });
});

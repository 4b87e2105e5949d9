// A real OpenID Connect provider (the `oidc-provider` package) for the single sign-on tests, run as its own Node
// process: the package is published as ES modules only, which Node loads as they are and jest's loader does not.
// Started by test/support/oidc.ts with one JSON argument; prints "ready" when it listens. Its own sign-in page (the
// package's development interactions) takes any password: the login name picks the account below.
import Provider from 'oidc-provider';

const { port, clientId, clientSecret, redirectUri, accounts } = JSON.parse(process.argv[2]);

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  // The e-mail in the ID token itself, as identity providers of the state do; the service also asks userinfo.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  cookies: { keys: ['oidc-provider-test-cookie-key'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(_ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, email: account.email, email_verified: account.emailVerified ?? true }) };
  },
});

provider.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));

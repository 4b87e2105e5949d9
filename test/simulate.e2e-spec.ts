import { INestApplication } from '@nestjs/common';
import { AgentsAdminService } from '../src/agents/agents-admin.service';
import { normalise, simulate, SimulationResult } from '../bench/support/simulation/engine';
import { openAroundTheClock } from './support/calendar';
import { MAIL_PASSWORD, mailServers, uniqueMailbox } from './support/mail-servers';
import { PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN, voiceConfig } from './support/twilio-player';
import { ADMIN_EMAIL, ADMIN_PASSWORD, TestEnv, WEBFORM_SECRET } from './support/test-env';

const META_APP_SECRET = 'meta-app-secret-for-the-simulator';
const TELEGRAM_SECRET = 'telegram_secret-for-the-simulator';

/**
 * `npm run simulate` in short: a 20-second day through the real endpoints of a service listening on a port,
 * calls, e-mails over SMTP into the watched IMAP mailbox, web forms, chats, social messages and counter contacts,
 * worked by simulated operators and a specialist. What the simulator counts from its own tickets must equal what
 * the reports say changed.
 */
describe('the simulated day agrees with the reports', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let result: SimulationResult;

  beforeAll(async () => {
    const servers = await mailServers();
    const mailbox = uniqueMailbox('sim-centre');
    app = await env.startApi({
      APP_ROLE: 'all',
      ...voiceConfig(),
      IMAP_HOST: servers.imap.host,
      IMAP_PORT: String(servers.imap.port),
      IMAP_TLS: 'false',
      IMAP_USER: mailbox,
      IMAP_PASSWORD: MAIL_PASSWORD,
      IMAP_POLL_INTERVAL_MS: '1000',
      SMTP_HOST: servers.smtp.host,
      SMTP_PORT: String(servers.smtp.port),
      SMTP_TLS: 'false',
      MAIL_FROM: `VPPPD <${mailbox}>`,
      META_APP_SECRET,
      META_VERIFY_TOKEN: 'verify-token-simulator',
      META_ACCESS_TOKEN: 'simulated',
      META_GRAPH_BASE_URL: 'http://127.0.0.1:9',
      TELEGRAM_SECRET_TOKEN: TELEGRAM_SECRET,
      TELEGRAM_BOT_TOKEN: '123456:simulated-bot-token',
      TELEGRAM_API_BASE_URL: 'http://127.0.0.1:9',
      RATE_LIMIT_WEBHOOKS_PER_MINUTE: '100000',
      RATE_LIMIT_WEBFORM_PER_MINUTE: '100000',
      RATE_LIMIT_LOGIN_PER_MINUTE: '100000',
      RATE_LIMIT_CSAT_PER_MINUTE: '100000',
    });
    await openAroundTheClock(env);
    const port = app.getHttpServer().address().port;
    const agents = app.get(AgentsAdminService);
    result = await simulate(
      {
        baseUrl: `http://127.0.0.1:${port}`,
        adminEmail: ADMIN_EMAIL,
        adminPassword: ADMIN_PASSWORD,
        webformSecret: WEBFORM_SECRET,
        twilio: { accountSid: voiceConfig().TWILIO_ACCOUNT_SID, authToken: TWILIO_AUTH_TOKEN, publicBaseUrl: PUBLIC_BASE_URL },
        metaAppSecret: META_APP_SECRET,
        telegramSecret: TELEGRAM_SECRET,
        smtp: { host: servers.smtp.host, port: servers.smtp.port, mailbox },
      },
      {
        runMs: 20_000,
        seed: 7,
        peakRate: 1.5,
        operators: 3,
        // One specialist for every institution: escalations are worked the same, with fewer accounts to make.
        specialists: 1,
        // Made in the service rather than over HTTP: the same accounts, without an admin round trip each.
        createAgent: async (a) =>
          void (await agents.create({
            email: a.email,
            displayName: a.displayName,
            password: a.password,
            roles: [a.role],
            institutions: a.institutions,
            languages: a.languages,
            centre: 'VPPPD',
          })),
        drainMs: 60_000,
        progress: process.env.SIM_TRACE ? (d, t, n) => process.stderr.write(`${new Date().toISOString()} ${d}/${t} ${n}\n`) : undefined,
      },
    );
  }, 240_000);

  afterAll(() => env.teardown());

  it('finds a ticket for every contact on every channel, and the reports show the same figures', () => {
    expect(result.errors).toEqual([]);
    expect(result.unresolvedContacts).toBe(0);
    expect(result.enabled).toEqual(['phone', 'email', 'webform', 'chat', 'social', 'counter']);
    // Seed 7 sends e-mail among the rest: the SMTP to IMAP path is part of what agrees.
    expect(result.sent.email).toBeGreaterThan(0);
    const sent = Object.values(result.sent).reduce((a, b) => a + b, 0);
    expect(sent).toBeGreaterThan(10);
    expect(result.references).toBe(sent);
    const received = Object.values(result.ours).reduce((a, f) => a + f.received, 0);
    expect(received).toBe(sent);
    expect(normalise(result.reports)).toEqual(normalise(result.ours));
  });

  it('worked the day: something solved at level 0, answered by operators, answered within the SLA', () => {
    const total = (k: 'solvedAtLevel0' | 'answered' | 'escalated' | 'slaMet') => Object.values(result.ours).reduce((a, f) => a + f[k], 0);
    expect(total('solvedAtLevel0')).toBeGreaterThan(0);
    expect(total('answered')).toBeGreaterThan(0);
    expect(total('slaMet')).toBeGreaterThan(0);
  });
});

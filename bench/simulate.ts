/**
 * `npm run simulate`: a national contact centre's day through the real endpoints of a running service (the quick
 * start's, read from .env, or --base-url), or of one it starts itself with --start (a fresh schema and Redis
 * prefix, removed at the end). Prints a summary per channel from the simulator's own tickets beside the same
 * figures from /v1/reports/*, and exits 1 when they disagree.
 *
 *   npm run simulate -- --minutes 1
 *   npm run simulate -- --start --speed 360 --rate 3 --seed 7
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DAY_MS } from '@lib/simulated-day';
import { onCleanup, runBench, UsageError } from './support/lifecycle';
import { ensureMailServers, MAIL } from './support/mail-servers';
import { fmt, table } from './support/report';
import { checkConnections, connect, openAroundTheClock, startService, waitHealthy } from './support/service';
import { normalise, simulate, SimulationResult, Target } from './support/simulation/engine';
import type { Figures } from './support/simulation/tally';

const HELP = `usage: npm run simulate -- [options]
  --minutes N       wall time of the simulated day, 08:00–20:00 (default 1; fractions allowed)
  --speed X         the day runs X times faster than real time: 720 is one minute, 72 ten (instead of --minutes)
  --seed S          seed of every random choice: the same seed sends the same contacts (default 1)
  --rate R          contacts per second of wall time at the busiest hour (default 2)
  --operators N     simulated operators online (default 4)
  --specialists N   institution specialists online, the institutions shared out among them (default one each)
  --base-url URL    the running service (default http://127.0.0.1:<PORT from .env>)
  --mailbox ADDR    send e-mails to ADDR, the mailbox the service reads, over SMTP (default off; --start: on)
  --smtp HOST:PORT  the SMTP server that delivers into --mailbox (default SMTP_HOST:SMTP_PORT from .env)
  --start           start the service itself from dist/ with a fresh schema, removed at the end, and the
                    local test mail servers (scripts/mail-servers.sh) for e-mail
`;

/** KEY=VALUE lines of .env, if there is one: the quick start's secrets are what the simulator signs with. */
function dotEnv(): Record<string, string> {
  if (!existsSync('.env')) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync('.env', 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    // The quick start sources .env in bash: a value may be quoted either way.
    if (m) out[m[1]] = m[2].replace(/^"(.*)"$|^'(.*)'$/, '$1$2');
  }
  return out;
}

class Progress {
  private last = 0;
  update(done: number, total: number, note: string): void {
    const now = Date.now();
    if (now - this.last < 200 && done < total) return;
    this.last = now;
    const width = 30;
    const filled = total > 0 ? Math.round((done / total) * width) : width;
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${note}`;
    process.stderr.write(
      `\r${line.slice(0, (process.stderr.columns ?? 120) - 1).padEnd(Math.min(line.length + 10, (process.stderr.columns ?? 120) - 1))}`,
    );
  }
  end(): void {
    process.stderr.write('\n');
  }
}

async function main(): Promise<void> {
  const { values } = (() => {
    try {
      return parseArgs({
        options: {
          minutes: { type: 'string' },
          speed: { type: 'string' },
          seed: { type: 'string' },
          rate: { type: 'string' },
          operators: { type: 'string' },
          specialists: { type: 'string' },
          'base-url': { type: 'string' },
          mailbox: { type: 'string' },
          smtp: { type: 'string' },
          start: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      });
    } catch (e) {
      throw new UsageError(`${(e as Error).message} (see --help)`);
    }
  })();
  if (values.help) return void process.stdout.write(HELP);
  const number = (raw: string | undefined, name: string, fallback: number, min: number, max: number) => {
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number in ${min}..${max}`);
    return n;
  };
  const dayMinutes = DAY_MS / 60_000;
  const minutes = number(values.minutes, 'minutes', 1, 0.1, dayMinutes);
  const speed = values.speed === undefined ? dayMinutes / minutes : number(values.speed, 'speed', 1, 1, dayMinutes / 0.1);
  // Both given: they must say the same day (to 1 %), or the run would not be what one of them promised.
  if (values.speed !== undefined && values.minutes !== undefined && Math.abs(dayMinutes / speed - minutes) > minutes / 100) {
    throw new UsageError(
      `--minutes ${minutes} and --speed ${speed} disagree: at speed ${speed} the 12-hour day takes ${fmt(dayMinutes / speed, 2)} min; give one of them`,
    );
  }
  const runMs = DAY_MS / speed;
  const seed = Math.trunc(number(values.seed, 'seed', 1, 0, 2 ** 32 - 1));
  const rate = number(values.rate, 'rate', 2, 0.01, 200);
  const operators = Math.trunc(number(values.operators, 'operators', 4, 1, 200));
  const specialists = values.specialists === undefined ? undefined : Math.trunc(number(values.specialists, 'specialists', 1, 1, 50));
  // Names the staff accounts and e-mail senders of this run, so what it leaves in the mail directory can go.
  const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;

  let target: Target;
  if (values.start) {
    const schema = `sim_${run}`;
    const secrets = {
      webform: randomBytes(24).toString('hex'),
      twilio: randomBytes(16).toString('hex'),
      meta: randomBytes(16).toString('hex'),
      telegram: randomBytes(16).toString('hex'),
    };
    const adminPassword = `a simulated day ${randomBytes(8).toString('hex')}`;
    const publicBaseUrl = 'https://simulator.vpppd.invalid';
    const admin = await connect();
    onCleanup('admin connection', () => admin.end());
    await checkConnections(admin, 1, {});
    // E-mail through the local test mail servers: SMTP delivers into a fresh mailbox the service reads over IMAP.
    const mailbox = `sim-${run}@${MAIL.domain}`;
    const mailOn = await ensureMailServers().then(
      () => true,
      (e: Error) => (process.stderr.write(`e-mail is not simulated: ${e.message}\n`), false),
    );
    if (mailOn) {
      onCleanup(`mailboxes sim-${run}*`, async () => {
        const root = join(MAIL.dir, 'mail');
        for (const user of await readdir(root).catch(() => [] as string[]))
          if (user.startsWith(`sim-${run}`)) await rm(join(root, user), { recursive: true, force: true });
      });
    }
    const mail: Record<string, string> = mailOn
      ? {
          IMAP_HOST: MAIL.host,
          IMAP_PORT: String(MAIL.imapPort),
          IMAP_TLS: 'false',
          IMAP_USER: mailbox,
          IMAP_PASSWORD: MAIL.password,
          IMAP_POLL_INTERVAL_MS: '1000',
          SMTP_HOST: MAIL.host,
          SMTP_PORT: String(MAIL.smtpPort),
          SMTP_TLS: 'false',
          MAIL_FROM: `VPPPD <${mailbox}>`,
        }
      : {};
    const service = await startService(admin, {
      schema,
      prefix: schema,
      processes: [{ label: 'service', role: 'all' }],
      env: {
        PUBLIC_BASE_URL: publicBaseUrl,
        WEBFORM_SECRET: secrets.webform,
        ADMIN_PASSWORD: adminPassword,
        TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
        TWILIO_AUTH_TOKEN: secrets.twilio,
        VOICE_EXTRA_LANGUAGES: 'en,ru',
        META_APP_SECRET: secrets.meta,
        META_VERIFY_TOKEN: randomBytes(8).toString('hex'),
        META_ACCESS_TOKEN: 'simulated',
        // Replies to the platforms go nowhere: nothing leaves the machine; they are stored and their delivery fails.
        META_GRAPH_BASE_URL: 'http://127.0.0.1:9',
        TELEGRAM_SECRET_TOKEN: secrets.telegram,
        TELEGRAM_BOT_TOKEN: '123456:simulated-bot-token',
        TELEGRAM_API_BASE_URL: 'http://127.0.0.1:9',
        ...mail,
      },
      serviceEnv: {},
      nodeArgs: [],
    });
    await waitHealthy(service.processes, 200);
    const db = await connect(schema);
    onCleanup('schema connection', () => db.end());
    // Staff on duty whatever the hour, so the simulated day is worked now.
    await openAroundTheClock(db);
    target = {
      baseUrl: `http://127.0.0.1:${service.processes[0].port}`,
      adminEmail: service.env.ADMIN_EMAIL ?? 'admin@vpppd.example',
      adminPassword,
      webformSecret: secrets.webform,
      twilio: { accountSid: `AC${'0'.repeat(32)}`, authToken: secrets.twilio, publicBaseUrl },
      metaAppSecret: secrets.meta,
      telegramSecret: secrets.telegram,
      smtp: mailOn ? { host: MAIL.host, port: MAIL.smtpPort, mailbox } : undefined,
    };
  } else {
    const env = { ...dotEnv(), ...process.env } as Record<string, string | undefined>;
    if (!env.ADMIN_PASSWORD)
      throw new UsageError('no ADMIN_PASSWORD in .env or the environment: run the quick start first, or use --start');
    const baseUrl = (values['base-url'] ?? `http://127.0.0.1:${env.PORT ?? 3000}`).replace(/\/+$/, '');
    target = {
      baseUrl,
      adminEmail: env.ADMIN_EMAIL ?? 'admin@vpppd.example',
      adminPassword: env.ADMIN_PASSWORD,
      webformSecret: env.WEBFORM_SECRET || undefined,
      twilio:
        env.TWILIO_AUTH_TOKEN && env.TWILIO_ACCOUNT_SID
          ? {
              accountSid: env.TWILIO_ACCOUNT_SID,
              authToken: env.TWILIO_AUTH_TOKEN,
              publicBaseUrl: (env.PUBLIC_BASE_URL ?? baseUrl).replace(/\/+$/, ''),
            }
          : undefined,
      metaAppSecret: env.META_APP_SECRET || undefined,
      telegramSecret: env.TELEGRAM_SECRET_TOKEN || undefined,
      smtp: values.mailbox ? smtpOf(values.smtp, env, values.mailbox) : undefined,
    };
    if (values.smtp && !values.mailbox) throw new UsageError('--smtp needs --mailbox: the address of the mailbox the service reads');
    const health = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(5000) }).then(
      (r) => r.status,
      (e: Error) => (e.cause instanceof Error ? e.cause.message : e.message),
    );
    if (health !== 200)
      throw new UsageError(`no service answers at ${baseUrl}/health (${health}): start it with npm run quickstart, or use --start`);
  }

  const progress = new Progress();
  process.stderr.write(
    `simulating a day (08:00–20:00) at speed ${fmt(speed, 1)} (${fmt(runMs / 60_000, 2)} min), peak ${rate} contacts/s, seed ${seed}, against ${target.baseUrl}\n`,
  );
  const result = await simulate(target, {
    runMs,
    seed,
    peakRate: rate,
    operators,
    specialists,
    run,
    drainMs: 60_000,
    progress: (done, total, note) => progress.update(done, total, note),
  });
  progress.end();
  process.stdout.write(summary(result));
  if (!agree(result)) throw new UsageError('the reports disagree with the simulated day (see above)');
}

function smtpOf(
  flag: string | undefined,
  env: Record<string, string | undefined>,
  mailbox: string,
): { host: string; port: number; mailbox: string } {
  const [host, port] = flag ? [flag.replace(/:\d+$/, ''), /:(\d+)$/.exec(flag)?.[1] ?? '25'] : [env.SMTP_HOST, env.SMTP_PORT ?? '25'];
  if (!host) throw new UsageError('--mailbox needs an SMTP server: --smtp HOST:PORT, or SMTP_HOST in .env');
  if (!/^[^\s@]+@[^\s@]+$/.test(mailbox)) throw new UsageError(`--mailbox ${mailbox} is not an e-mail address`);
  return { host, port: Number(port), mailbox };
}

export function agree(result: SimulationResult): boolean {
  return JSON.stringify(normalise(result.ours)) === JSON.stringify(normalise(result.reports)) && result.unresolvedContacts === 0;
}

const COLUMNS: Array<[keyof Figures, string]> = [
  ['received', 'received'],
  ['solvedAtLevel0', 'L0 solved'],
  ['answered', 'answered L1'],
  ['escalated', 'escalated L2/3'],
  ['slaMet', 'SLA met'],
  ['csatResponses', 'CSAT n'],
];

export function summary(result: SimulationResult): string {
  const channels = [...new Set([...Object.keys(result.ours), ...Object.keys(result.reports)])].sort();
  const cell = (f: Figures | undefined, k: keyof Figures) => (f === undefined ? '0' : Number.isNaN(f[k]) ? '—' : fmt(f[k]));
  const avg = (f: Figures | undefined) => (f && f.csatResponses > 0 ? fmt(f.csatScoreSum / f.csatResponses, 2) : '—');
  const rows: string[][] = [['channel', ...COLUMNS.flatMap(([, label]) => [label, 'reports']), 'CSAT avg', 'reports']];
  const mismatches: string[] = [];
  const theirs = normalise(result.reports);
  const mine = normalise(result.ours);
  for (const ch of channels) {
    const o = result.ours[ch];
    const r = result.reports[ch];
    rows.push([ch, ...COLUMNS.flatMap(([k]) => [cell(o, k), cell(r, k)]), avg(o), avg(r)]);
    for (const k of Object.keys({ ...(mine[ch] ?? {}), ...(theirs[ch] ?? {}) })) {
      const a = mine[ch]?.[k] ?? 0;
      const b = theirs[ch]?.[k] ?? 0;
      if (a !== b) mismatches.push(`  ${ch}.${k}: simulator ${a}, reports ${b}`);
    }
  }
  const sent = Object.entries(result.sent)
    .map(([ch, n]) => `${ch} ${n}`)
    .join(', ');
  return [
    '',
    `contacts sent: ${sent || 'none'} (channels on: ${result.enabled.join(', ')}); tickets found: ${result.references}${result.unresolvedContacts ? `, ${result.unresolvedContacts} contacts without a ticket` : ''}`,
    "per channel: the simulator's own tickets (left) and the change in /v1/reports/* over the run (right)",
    table(rows),
    '',
    mismatches.length === 0 && result.unresolvedContacts === 0
      ? 'the reports agree with the simulated day'
      : `the reports DISAGREE:\n${mismatches.join('\n')}`,
    ...(result.errors.length
      ? ['', `errors (${result.errors.length}, first ones):`, ...result.errors.slice(0, 10).map((e) => `  ${e}`)]
      : []),
    '',
  ].join('\n');
}

if (require.main === module) runBench(main);

/**
 * `npm run bench:soak` (issue #20): citizens at a steady rate on the simulator's channels for a while against the
 * high-availability layout — two API processes behind HAProxy (deploy/haproxy/haproxy.cfg), two workers, Redis
 * through Sentinel (a primary, a replica, three sentinels), PostgreSQL with a streaming replica — while one fault
 * of each kind is injected on a schedule: a worker SIGKILLed, an API process SIGKILLed, the Redis primary killed
 * (Sentinel fails over), the PostgreSQL primary restarted, and the mail servers' connections dropped (IMAP) and
 * refused with `421` (SMTP). The same traffic first runs against one process with no faults, as the baseline.
 *
 * It prints contacts/s, p50/p99 from a citizen's first request (a chat's first message) to the ticket listed in
 * the inbox API (beside the baseline's), how many chat visitors lost their connection and resumed, each process's memory at warm-up and at the end, CPU per part, and the lost and duplicated
 * contacts. Every server is private (temporary directories, free loopback ports) except the machine's shared
 * test mail servers (scripts/mail-servers.sh), which the soak reaches through its own fault proxies.
 *
 *   npm run bench:soak                              # 10 minutes at 50 contacts/s (a quiet machine)
 *   npm run bench:soak -- --minutes 2 --rate 15     # a short run
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { onCleanup, runBench, sleep, stopping, UsageError, until } from './support/lifecycle';
import { ensureMailServers, MAIL } from './support/mail-servers';
import { parseFlags } from './support/options';
import { machineCpu } from './support/cpu';
import { fmt, machineLine, table } from './support/report';
import { FaultProxy } from './support/servers/fault-proxy';
import { HaProxy } from './support/servers/haproxy';
import { PrivatePostgres, PrivateRedis } from './support/servers/private-services';
import { SENTINEL_MASTER_NAME, SentinelRedis } from './support/servers/redis-sentinel';
import { openAroundTheClock, restartProcess, Service, settingsLine, startService, waitHealthy } from './support/service';
import { Part, PartFigures, Sampler } from './support/soak/sampler';
import { findTickets, Outcome, outcome, quantile, traceLost } from './support/soak/tally';
import { InboxWatcher, SentContact, SOAK_CHANNELS, SoakTarget, sendContacts } from './support/soak/traffic';

const USAGE = 'npm run bench:soak';
const FLAGS = {
  minutes: { type: 'string' },
  rate: { type: 'string' },
  seed: { type: 'string' },
  'baseline-minutes': { type: 'string' },
  'no-faults': { type: 'boolean' },
  'no-baseline': { type: 'boolean' },
  timeline: { type: 'string' },
} as const;
const HELP: Array<[string, string]> = [
  ['--minutes N', 'how long citizens keep arriving at the high-availability layout (default 10; fractions allowed)'],
  ['--rate R', 'contacts per second (default 50: ten times the peak hour of 150,000 contacts a day, 12 % in that hour)'],
  ['--seed S', 'seed of the channels, texts and arrival moments (default 1)'],
  ['--baseline-minutes N', 'length of the single-process baseline (default: --minutes)'],
  ['--no-faults', 'the high-availability layout without the fault schedule'],
  ['--no-baseline', 'skip the single-process baseline'],
  [
    '--timeline FILE',
    'write every contact as a CSV row: phase, channel, when it began, was accepted and its ticket committed (seconds into the phase), latency to the inbox, resends',
  ],
];

/** A process's heap may grow this much after warm-up (issue #20's goal). */
const HEAP_GROWTH_GOAL = 0.1;
/** p99 with faults at most this many times the baseline's (issue #20's goal). */
const P99_RATIO_GOAL = 3;
/** After the last citizen, the wait for every accepted contact's ticket ends when nothing moved for this long (longer than the sweeps' minute)… */
const DRAIN_STALL_MS = 90_000;
/** …or after this long. */
const DRAIN_MAX_MS = 15 * 60_000;
const SAMPLE_EVERY_MS = 5_000;
const WATCH_EVERY_MS = 250;

/** This process: the citizens, their signatures, sockets and SMTP sessions cost CPU on the same machine. */
const CITIZENS_PART: Part = { label: 'citizens (this process)', kind: 'server', pid: () => process.pid };

interface Fault {
  /** When, as a share of the phase's sending time. */
  at: number;
  name: string;
  /**
   * Injects the fault; resolves with what happened, and for a killed process with its recovery (a supervisor
   * restarting it) still under way, which the schedule does not wait for: the next fault comes on time.
   */
  run: () => Promise<string | { note: string; recovery: Promise<string> }>;
}

interface FaultRecord {
  name: string;
  startS: number;
  tookS: number;
  note: string;
}

interface PhaseResult {
  title: string;
  /** Date.now() when the first citizen began. */
  startedAt: number;
  /** While citizens arrived: the machine's busy cores, those the host took (steal), and all it had. */
  machine: { busyCores: number; stolenCores: number; cores: number };
  durationMs: number;
  out: Outcome;
  parts: PartFigures[];
  faults: FaultRecord[];
  watcher: { reads: number; failed: number; deepReads: number; failedDeep: number; failures: string };
  warmupMs: number;
  settings: string;
  /** Inbound events still queued when the drain ended: with any, contacts without a ticket are unsettled, not lost. */
  backlog: number;
  drainS: number;
  /** What the database held about the lost contacts when the drain ended. */
  lostTrace: string[];
}

function toNumber(raw: string | undefined, name: string, fallback: number, min: number, max: number): number {
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number in ${min}..${max}`);
  return n;
}

function needBinaries(): void {
  const missing = ['haproxy', 'redis-sentinel', 'redis-server', 'redis-cli'].filter((b) => {
    try {
      execFileSync('sh', ['-c', `command -v ${b} || test -x /usr/sbin/${b}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length) throw new UsageError(`missing ${missing.join(', ')}: bash scripts/ha-servers.sh install (as root)`);
}

async function connectTo(url: string, schema?: string): Promise<Client> {
  const client = new Client({
    connectionString: url,
    query_timeout: 60_000,
    connectionTimeoutMillis: 10_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // A server restarted under it ends the connection: that is the fault, not a crash of the benchmark.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** The channels' settings of a phase: secrets the citizens sign with, and mail through the soak's fault proxies. */
function channelEnv(target: Omit<SoakTarget, 'baseUrl'>, mail: { imapPort: number; smtpPort: number } | null): Record<string, string> {
  return {
    PUBLIC_BASE_URL: target.twilio.publicBaseUrl,
    WEBFORM_SECRET: target.webformSecret,
    TWILIO_ACCOUNT_SID: target.twilio.accountSid,
    TWILIO_AUTH_TOKEN: target.twilio.authToken,
    META_APP_SECRET: target.metaAppSecret,
    META_VERIFY_TOKEN: randomBytes(8).toString('hex'),
    META_ACCESS_TOKEN: 'soak',
    // Replies to the platforms go nowhere: nothing leaves the machine.
    META_GRAPH_BASE_URL: 'http://127.0.0.1:9',
    TELEGRAM_SECRET_TOKEN: target.telegramSecret,
    TELEGRAM_BOT_TOKEN: '123456:soak-bot-token',
    TELEGRAM_API_BASE_URL: 'http://127.0.0.1:9',
    // Every simulated visitor comes from loopback: the per-address budget of chat sessions would stop them all.
    CHAT_SESSIONS_PER_HOUR: '100000',
    ...(mail && target.smtp
      ? {
          IMAP_HOST: MAIL.host,
          IMAP_PORT: String(mail.imapPort),
          IMAP_TLS: 'false',
          IMAP_USER: target.smtp.mailbox,
          IMAP_PASSWORD: MAIL.password,
          IMAP_POLL_INTERVAL_MS: '1000',
          SMTP_HOST: MAIL.host,
          SMTP_PORT: String(mail.smtpPort),
          SMTP_TLS: 'false',
          MAIL_FROM: `VPPPD <${target.smtp.mailbox}>`,
        }
      : {}),
  };
}

function secrets(mailbox: string | null): Omit<SoakTarget, 'baseUrl'> {
  return {
    webformSecret: randomBytes(24).toString('hex'),
    twilio: { accountSid: `AC${'0'.repeat(32)}`, authToken: randomBytes(16).toString('hex'), publicBaseUrl: 'https://soak.vpppd.invalid' },
    metaAppSecret: randomBytes(16).toString('hex'),
    telegramSecret: randomBytes(16).toString('hex'),
    smtp: mailbox ? { host: MAIL.host, port: MAIL.smtpPort, mailbox } : undefined,
  };
}

function serviceParts(service: Service, token: string): Part[] {
  return service.processes.map((_, i) => ({
    label: service.processes[i].label,
    kind: 'service' as const,
    pid: () => (service.processes[i].alive ? service.processes[i].child.pid : null),
    metrics: { port: service.processes[i].port, token },
  }));
}

function progress(contacts: SentContact[], watcher: InboxWatcher, title: string): NodeJS.Timeout {
  return setInterval(() => {
    const accepted = contacts.filter((c) => c.acceptedAt !== undefined).length;
    process.stderr.write(`\r${title}: ${contacts.length} sent, ${accepted} accepted, ${watcher.seenAt.size} tickets in the inbox   `);
  }, 2000);
}

/** Citizens for `durationMs`, faults on their schedule meanwhile, then the drain and the tally. */
async function drive(options: {
  title: string;
  target: SoakTarget;
  admin: { email: string; password: string };
  databaseUrl: string;
  schema: string;
  run: string;
  seed: number;
  rate: number;
  durationMs: number;
  parts: Part[];
  faults: Fault[];
  settings: string;
}): Promise<PhaseResult> {
  const warmupMs = Math.min(60_000, options.durationMs * 0.2);
  const sampler = new Sampler(options.parts, SAMPLE_EVERY_MS);
  const started = Date.now();
  // The inbox reader's second pass reads where the tickets of this phase that it has not listed yet stand.
  const tickets = new Pool({
    connectionString: options.databaseUrl,
    max: 1,
    connectionTimeoutMillis: 5_000,
    options: `-c search_path=${options.schema}`,
  });
  tickets.on('error', () => undefined); // a restarted PostgreSQL: the next query connects again
  const watcher = new InboxWatcher(options.target.baseUrl, options.admin, WATCH_EVERY_MS, async (seen) => {
    const { rows } = await tickets.query<{ id: string; at: number }>(
      `SELECT id, (extract(epoch FROM created_at) * 1000)::float8 AS at FROM tickets WHERE created_at >= to_timestamp($1 / 1000.0)`,
      [started - 60_000],
    );
    return rows
      .filter((r) => !seen.has(r.id))
      .map((r) => r.at)
      .sort((a, b) => b - a);
  });
  const sending: SentContact[] = [];
  const ticker = progress(sending, watcher, options.title);
  const machineAtStart = machineCpu();
  const faultRecords: FaultRecord[] = [];
  const recoveries: Array<Promise<void>> = [];
  const faults = (async () => {
    for (const fault of options.faults) {
      const wait = started + fault.at * options.durationMs - Date.now();
      if (wait > 0) await sleep(wait);
      if (stopping) return;
      const began = Date.now();
      process.stderr.write(`\nfault at ${fmt((began - started) / 1000)} s: ${fault.name}\n`);
      const result = await fault.run().catch((e: Error) => `FAILED: ${e.message}`);
      const record = { name: fault.name, startS: (began - started) / 1000, tookS: (Date.now() - began) / 1000, note: '' };
      faultRecords.push(record);
      if (typeof result === 'string') record.note = result;
      else {
        record.note = `${result.note}; recovering`;
        recoveries.push(
          result.recovery.then(
            (note) => void (record.note = `${result.note}; ${note} ${fmt((Date.now() - began) / 1000)} s after the fault`),
            (e: Error) => void (record.note = `${result.note}; recovery FAILED: ${e.message}`),
          ),
        );
      }
    }
  })();
  const contacts = await sendContacts(options.target, {
    run: options.run,
    seed: options.seed,
    rate: options.rate,
    durationMs: options.durationMs,
    admin: options.admin,
    onStart: (c) => sending.push(c),
  });
  const sentMs = Date.now() - started;
  sampler.markEnd();
  const machineAtEnd = machineCpu();
  const seconds = sentMs / 1000;
  const machine = {
    busyCores: (machineAtEnd.busy - machineAtStart.busy) / seconds,
    stolenCores: (machineAtEnd.steal - machineAtStart.steal) / seconds,
    cores: (machineAtEnd.all - machineAtStart.all) / seconds,
  };
  await faults;
  await Promise.all(recoveries);
  // Until every accepted contact is in a ticket the inbox has listed; a loaded machine may take long to work off
  // its backlog, so the drain goes on while it moves and ends once it has stood still for longer than the sweeps'
  // interval (what Redis lost is queued again by then), or at DRAIN_MAX_MS.
  const db = await connectTo(options.databaseUrl, options.schema);
  let out: Outcome = outcome(contacts, new Map(), watcher.seenAt);
  let backlog = NaN;
  const drainStarted = Date.now();
  let lastMove = Date.now();
  let lastWaiting = Infinity;
  while (!stopping) {
    const found = await findTickets(db).catch(() => null);
    if (found) out = outcome(contacts, found, watcher.seenAt);
    backlog = await queuedEvents(db).catch(() => NaN);
    const waiting = out.lost.length + out.unseen;
    if (waiting < lastWaiting) {
      lastWaiting = waiting;
      lastMove = Date.now();
    }
    process.stderr.write(
      `\r${options.title}: draining, ${out.lost.length} contacts without a ticket, ${backlog} events queued, ${out.unseen} tickets not yet listed   `,
    );
    if (found && waiting === 0) break;
    if (Date.now() - lastMove > DRAIN_STALL_MS || Date.now() - drainStarted > DRAIN_MAX_MS) break;
    await sleep(2000);
  }
  const drainS = (Date.now() - drainStarted) / 1000;
  clearInterval(ticker);
  process.stderr.write('\n');
  const lostTrace =
    out.lost.length > 0 ? await traceLost(db, out.lost).catch((e: Error) => [`  could not trace the lost contacts: ${e.message}`]) : [];
  await db.end().catch(() => undefined);
  await watcher.stop();
  await tickets.end().catch(() => undefined);
  await sampler.stop();
  return {
    title: options.title,
    startedAt: started,
    machine,
    durationMs: sentMs,
    out,
    parts: sampler.figures(warmupMs),
    faults: faultRecords,
    watcher: {
      reads: watcher.reads,
      failed: watcher.failedReads,
      deepReads: watcher.deepReads,
      failedDeep: watcher.failedDeepReads,
      failures: [...watcher.failures].map(([why, n]) => `${why} ×${n}`).join('; '),
    },
    warmupMs,
    settings: options.settings,
    backlog,
    drainS,
    lostTrace,
  };
}

/** Accepted inbound events not yet made tickets: contacts still on their way, not lost. */
async function queuedEvents(db: Client): Promise<number> {
  const [{ n }] = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM inbound_events WHERE status = 'accepted'`)).rows;
  return n;
}

async function main(): Promise<void> {
  const { values, serviceEnv, nodeArgs } = parseFlags(USAGE, FLAGS, HELP);
  const minutes = toNumber(values.minutes ?? process.env.BENCH_MINUTES, 'minutes', 10, 0.25, 600);
  const rate = toNumber(values.rate ?? process.env.BENCH_RATE, 'rate', 50, 0.1, 1000);
  const seed = Math.trunc(toNumber(values.seed ?? process.env.BENCH_SEED, 'seed', 1, 0, 2 ** 31 - 1));
  const baselineMinutes = toNumber(values['baseline-minutes'], 'baseline-minutes', minutes, 0.25, 600);
  const withFaults = !values['no-faults'];
  const withBaseline = !values['no-baseline'];
  needBinaries();
  const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;

  // E-mail: the shared test mail servers, reached by the service through proxies the soak can break.
  const mailOn = await ensureMailServers().then(
    () => true,
    (e: Error) => (process.stderr.write(`e-mail is left out: ${e.message}\n`), false),
  );
  let imap: FaultProxy | null = null;
  let smtp: FaultProxy | null = null;
  if (mailOn) {
    imap = await FaultProxy.start(MAIL.imapPort);
    smtp = await FaultProxy.start(MAIL.smtpPort);
    onCleanup('mail proxies', () => Promise.all([imap!.close(), smtp!.close()]));
    onCleanup(`mailboxes soak-${run}*`, async () => {
      const root = join(MAIL.dir, 'mail');
      for (const user of await readdir(root).catch(() => [] as string[]))
        if (user.startsWith(`soak-${run}`)) await rm(join(root, user), { recursive: true, force: true });
    });
  }
  const mailPorts = imap && smtp ? { imapPort: imap.port, smtpPort: smtp.port } : null;

  process.stderr.write('starting PostgreSQL with a streaming replica\n');
  // Commit times split each contact's wait into the service's part (accepted → ticket committed) and the list's.
  const pg = await PrivatePostgres.start('-c track_commit_timestamp=on');
  onCleanup('private PostgreSQL', () => pg.destroy());
  const replica = await pg.startReplica();
  onCleanup('PostgreSQL replica', () => replica.destroy());
  const [{ version }] = await pg.sql<{ version: string }>(`SELECT current_setting('server_version') AS version`);
  const databaseUrl = pg.url;

  const results: PhaseResult[] = [];

  if (withBaseline) {
    const redis = await PrivateRedis.start();
    onCleanup('private Redis', () => redis.kill());
    const schema = `soak_${run}_single`;
    const target0 = secrets(mailOn ? `soak-${run}-single@${MAIL.domain}` : null);
    const service = await startService(null, {
      schema,
      prefix: schema,
      processes: [{ label: 'single process (all roles)', role: 'all' }],
      env: channelEnv(target0, mailPorts),
      serviceEnv,
      nodeArgs,
      databaseUrl,
      redisEnv: { REDIS_URL: redis.url },
    });
    await waitHealthy(service.processes, 200, 300_000);
    const db = await connectTo(databaseUrl, schema);
    await openAroundTheClock(db);
    await db.end();
    process.stderr.write(`baseline: one process, no faults, ${fmt(baselineMinutes, 2)} min at ${rate}/s\n`);
    results.push(
      await drive({
        title: 'single process, no faults',
        target: { ...target0, baseUrl: `http://127.0.0.1:${service.processes[0].port}` },
        admin: { email: service.env.ADMIN_EMAIL, password: service.env.ADMIN_PASSWORD },
        databaseUrl,
        schema,
        run: `${run}s`,
        seed,
        rate,
        durationMs: baselineMinutes * 60_000,
        parts: [
          ...serviceParts(service, service.env.METRICS_TOKEN),
          { label: 'PostgreSQL primary', kind: 'server', pid: () => pg.postmasterPid(), withChildren: true },
          { label: 'Redis', kind: 'server', pid: () => redis.pid },
          CITIZENS_PART,
        ],
        faults: [],
        settings: settingsLine(serviceEnv),
      }),
    );
    // The next phase has the machine to itself.
    await Promise.all(service.processes.map((p) => p.stop()));
    await redis.kill();
  }

  process.stderr.write('starting Redis with Sentinel (primary, replica, three sentinels)\n');
  const sentinel = await SentinelRedis.start();
  onCleanup('Redis with Sentinel', () => sentinel.stop());
  const schema = `soak_${run}_ha`;
  const target1 = secrets(mailOn ? `soak-${run}-ha@${MAIL.domain}` : null);
  const service = await startService(null, {
    schema,
    prefix: schema,
    processes: [
      { label: 'api-1', role: 'api' },
      { label: 'api-2', role: 'api' },
      { label: 'worker-1', role: 'worker' },
      { label: 'worker-2', role: 'worker' },
    ],
    env: {
      ...channelEnv(target1, mailPorts),
      DATABASE_REPLICA_URLS: `${replica.url}?application_name=vp-replica-reads`,
      TRUST_PROXY: '127.0.0.1',
    },
    serviceEnv,
    nodeArgs,
    databaseUrl,
    redisEnv: { REDIS_SENTINELS: sentinel.sentinels, REDIS_SENTINEL_NAME: SENTINEL_MASTER_NAME },
  });
  // The first process migrates the schema under its advisory lock; the others wait for it. Four processes
  // starting at once on a busy machine take a while.
  await waitHealthy(service.processes, 200, 300_000);
  const db = await connectTo(databaseUrl, schema);
  await openAroundTheClock(db);
  await db.end();
  const haproxy = await HaProxy.start([service.processes[0].port, service.processes[1].port]);
  onCleanup('HAProxy', () => haproxy.stop());

  const killAndRestart = async (index: number, back?: () => Promise<void>) => {
    const victim = service.processes[index];
    victim.child.kill('SIGKILL');
    await victim.exited;
    const recovery = (async () => {
      // A supervisor (systemd, Kubernetes) starts it again after a moment.
      await sleep(3000);
      const fresh = restartProcess(service, index, nodeArgs);
      await until(`${fresh.label} healthy again`, 300_000, 250, async () => {
        const res = await fetch(`http://127.0.0.1:${fresh.port}/health`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
        return res?.status === 200;
      }).catch((e: Error) => {
        // The last line of its output (a crash's error names its cause near the end), kept to one table row.
        const last = fresh
          .output()
          .trim()
          .split('\n')
          .filter((l) => /error|code|message/i.test(l))
          .slice(-3)
          .join(' ')
          .replace(/\s+/g, ' ');
        throw new Error(
          `${e.message}; ${fresh.alive ? 'running' : `exited with ${fresh.child.exitCode ?? fresh.child.signalCode}`}: ${last.slice(0, 200)}`,
        );
      });
      await back?.();
      return `restarted after 3 s as pid ${fresh.child.pid}, healthy${back ? ' and back in HAProxy' : ''}`;
    })();
    return { note: `pid ${victim.child.pid} killed`, recovery };
  };
  const faults: Fault[] = withFaults
    ? [
        { at: 0.2, name: 'worker-1 SIGKILL', run: () => killAndRestart(2) },
        {
          at: 0.35,
          name: 'api-1 SIGKILL',
          run: () =>
            killAndRestart(0, () =>
              haproxy.waitUntil((servers) => servers.every((s) => s.status === 'UP'), 'both API processes UP', 60_000),
            ),
        },
        {
          at: 0.5,
          name: 'Redis primary SIGKILL (Sentinel failover)',
          run: async () => {
            const { killed, promoted } = await sentinel.killPrimary();
            await sentinel.restartAsReplica(killed);
            return `primary :${killed} killed, :${promoted} promoted; the old primary back as its replica`;
          },
        },
        {
          at: 0.65,
          name: 'PostgreSQL primary restart',
          run: async () => {
            await pg.restart(2000);
            return 'fast shutdown, 2 s down, started';
          },
        },
        {
          at: 0.8,
          name: mailOn ? 'IMAP connections dropped, SMTP answers 421' : 'mail faults (no mail servers: skipped)',
          run: async () => {
            if (!imap || !smtp) return 'skipped';
            imap.drop();
            smtp.answer('421 4.3.2 Service shutting down, closing transmission channel');
            await sleep(15_000);
            imap.restore();
            smtp.restore();
            return `15 s: ${Math.round(imap.faulted)} IMAP and ${smtp.faulted} SMTP connections cut or refused`;
          },
        },
      ]
    : [];
  process.stderr.write(
    `high availability: 2 API processes behind HAProxy, 2 workers, Sentinel, a replica; ${fmt(minutes, 2)} min at ${rate}/s${withFaults ? ', with faults' : ''}\n`,
  );
  const redisPid = (i: 0 | 1) => () => sentinel.pids().servers.get(sentinel.dataPorts[i]);
  results.push(
    await drive({
      title: `2 API + 2 workers, HAProxy, Sentinel, replica${withFaults ? ', faults' : ''}`,
      target: { ...target1, baseUrl: haproxy.url },
      admin: { email: service.env.ADMIN_EMAIL, password: service.env.ADMIN_PASSWORD },
      databaseUrl,
      schema,
      run: `${run}h`,
      seed,
      rate,
      durationMs: minutes * 60_000,
      parts: [
        ...serviceParts(service, service.env.METRICS_TOKEN),
        { label: 'HAProxy', kind: 'server', pid: () => haproxy.pid },
        { label: 'PostgreSQL primary', kind: 'server', pid: () => pg.postmasterPid(), withChildren: true },
        { label: 'PostgreSQL replica', kind: 'server', pid: () => replica.postmasterPid(), withChildren: true },
        { label: `Redis :${sentinel.dataPorts[0]}`, kind: 'server', pid: redisPid(0) },
        { label: `Redis :${sentinel.dataPorts[1]}`, kind: 'server', pid: redisPid(1) },
        ...[0, 1, 2].map((i) => ({
          label: `sentinel ${i + 1}`,
          kind: 'server' as const,
          pid: () => sentinel.pids().sentinels[i],
        })),
        CITIZENS_PART,
      ],
      faults,
      settings: settingsLine(serviceEnv),
    }),
  );

  process.stdout.write(report(results, { minutes, rate, seed, version, withFaults }));
  if (values.timeline) await writeFile(values.timeline, timeline(results));
  const broken = results.some((r) => (r.out.lost.length > 0 && r.backlog === 0) || r.out.duplicated.length > 0);
  if (broken) throw new UsageError('contacts were lost or duplicated (see above)');
}

/** Every contact of every phase, for finding which fault a slow stretch followed. */
function timeline(results: PhaseResult[]): string {
  const rows = ['phase,channel,started_s,accepted_s,committed_s,latency_s,resent'];
  const s = (ms: number | undefined) => (ms === undefined ? '' : (ms / 1000).toFixed(3));
  for (const r of results)
    for (const c of r.out.contacts)
      rows.push(
        [
          JSON.stringify(r.title),
          c.channel,
          s(c.startedAt - r.startedAt),
          s(c.acceptedAt === undefined ? undefined : c.acceptedAt - r.startedAt),
          s(r.out.committedOf.has(c.n) ? r.out.committedOf.get(c.n)! - r.startedAt : undefined),
          s(r.out.latencyOf.get(c.n)),
          c.resent,
        ].join(','),
      );
  return `${rows.join('\n')}\n`;
}

/** p99 of the contacts that began in each tenth of the phase: a fault's cost shows in the tenth it fell in. */
function p99ByTenth(r: PhaseResult): string[] {
  const tenths: number[][] = Array.from({ length: 10 }, () => []);
  for (const c of r.out.contacts) {
    const latency = r.out.latencyOf.get(c.n);
    if (latency === undefined) continue;
    tenths[Math.min(9, Math.max(0, Math.floor(((c.startedAt - r.startedAt) / r.durationMs) * 10)))].push(latency);
  }
  return tenths.map((xs) => ms(quantile(xs, 0.99)));
}

const mib = (bytes: number) => (Number.isFinite(bytes) ? `${fmt(bytes / 2 ** 20, 1)} MiB` : '—');
const ms = (n: number) => (Number.isFinite(n) ? `${fmt(n)} ms` : '—');

function report(
  results: PhaseResult[],
  run: { minutes: number; rate: number; seed: number; version: string; withFaults: boolean },
): string {
  const lines: string[] = ['', `soak      ${fmt(run.rate, 1)} contacts/s target, seed ${run.seed}`, machineLine(run.version)];
  lines.push(`settings  ${results[0]?.settings ?? ''}`, '');
  const rows = [
    [
      'phase',
      'min',
      'sent',
      'accepted',
      'contacts/s',
      'resent',
      'p50',
      'p99',
      'lost',
      'duplicated',
      'gave up',
      'unlisted',
      'drain',
      'queued at end',
    ],
  ];
  for (const r of results) {
    const all = r.out.latencies.get('all') ?? [];
    const accepted = r.out.contacts.filter((c) => c.acceptedAt !== undefined).length;
    rows.push([
      r.title,
      fmt(r.durationMs / 60_000, 2),
      fmt(r.out.contacts.length),
      fmt(accepted),
      fmt(accepted / (r.durationMs / 1000), 1),
      fmt(r.out.contacts.reduce((n, c) => n + c.resent, 0)),
      ms(quantile(all, 0.5)),
      ms(quantile(all, 0.99)),
      fmt(r.out.lost.length),
      fmt(r.out.duplicated.length),
      fmt(r.out.refused.length),
      fmt(r.out.unseen),
      `${fmt(r.drainS)} s`,
      fmt(r.backlog),
    ]);
  }
  lines.push(
    "from a citizen's first request to its ticket in the admin's inbox list (GET /v1/tickets, read every 250 ms)",
    table(rows),
    '',
  );
  const channelRows = [['channel', ...results.flatMap((r) => [`${r.title.split(',')[0]} p50`, 'p99', 'n'])]];
  for (const ch of SOAK_CHANNELS) {
    channelRows.push([
      ch,
      ...results.flatMap((r) => {
        const xs = r.out.latencies.get(ch) ?? [];
        return [ms(quantile(xs, 0.5)), ms(quantile(xs, 0.99)), fmt(xs.length)];
      }),
    ]);
  }
  lines.push(table(channelRows), '');
  if (results.some((r) => r.out.split.get('all')!.committed.length > 0)) {
    const splitRows = [
      ['channel', ...results.flatMap((r) => [`${r.title.split(',')[0]}: to the ticket committed p50`, 'p99', 'then listed p50', 'p99'])],
    ];
    for (const ch of ['all', ...SOAK_CHANNELS] as const)
      splitRows.push([
        ch,
        ...results.flatMap((r) => {
          const x = r.out.split.get(ch) ?? { committed: [], listed: [] };
          return [quantile(x.committed, 0.5), quantile(x.committed, 0.99), quantile(x.listed, 0.5), quantile(x.listed, 0.99)].map(ms);
        }),
      ]);
    lines.push('the same latencies split at the commit of the first message of the ticket', table(splitRows), '');
  }
  for (const r of results.filter((x) => x.out.submitted.length > 0))
    lines.push(
      `e-mails (${r.title.split(',')[0]}): handed to the mail server in p50 ${ms(quantile(r.out.submitted, 0.5))}, p99 ${ms(quantile(r.out.submitted, 0.99))} (the benchmark's own SMTP client; left out of the latencies above)`,
    );
  lines.push(
    'p99 of the contacts that began in each tenth of the phase',
    table([
      ['phase', ...Array.from({ length: 10 }, (_, i) => `${i * 10}–${i * 10 + 10} %`)],
      ...results.map((r) => [r.title.split(',')[0], ...p99ByTenth(r)]),
    ]),
    '',
  );
  for (const r of results)
    lines.push(
      `machine while citizens arrived (${r.title.split(',')[0]}): ${fmt(r.machine.busyCores, 2)} of ${fmt(r.machine.cores, 1)} cores busy, ${fmt(r.machine.stolenCores, 2)} of them taken by the host (steal)`,
    );
  lines.push('');
  for (const r of results) {
    const chats = r.out.contacts.filter((c) => c.channel === 'chat');
    const resumed = chats.filter((c) => (c.reconnects ?? 0) > 0);
    lines.push(
      `chats (${r.title}): ${fmt(chats.length)} visitors, ${fmt(resumed.length)} of them cut off and resumed (${fmt(resumed.reduce((n, c) => n + c.reconnects!, 0))} reconnections)`,
    );
  }
  lines.push('');
  for (const r of results.filter((x) => x.faults.length > 0)) {
    lines.push(`faults (${r.title})`);
    lines.push(
      table([
        ['fault', 'at', 'took', 'what happened'],
        ...r.faults.map((f) => [f.name, `${fmt(f.startS)} s`, `${fmt(f.tookS, 1)} s`, f.note]),
      ]),
      '',
    );
  }
  for (const r of results) {
    lines.push(
      `processes (${r.title}; warm-up ${fmt(r.warmupMs / 1000)} s after each start; CPU averaged over the sending time; heap: alive after the first full collection after warm-up and after the last)`,
    );
    lines.push(
      table([
        ['part', 'restarts', 'CPU cores', 'heap alive warm', 'heap alive end', 'heap growth', 'memory warm', 'memory end'],
        ...r.parts.map((p) => [
          p.label,
          fmt(p.restarts),
          fmt(p.cores, 2),
          mib(p.heapWarm),
          mib(p.heapEnd),
          Number.isFinite(p.heapWarm) && Number.isFinite(p.heapEnd) ? `${fmt(((p.heapEnd - p.heapWarm) / p.heapWarm) * 100, 1)} %` : '—',
          mib(p.memoryWarm),
          mib(p.memoryEnd),
        ]),
      ]),
    );
    lines.push(
      `inbox reads ${fmt(r.watcher.reads)}, failed ${fmt(r.watcher.failed)}; reads of unlisted tickets' pages ${fmt(r.watcher.deepReads)}, failed ${fmt(r.watcher.failedDeep)}${r.watcher.failures ? ` (${r.watcher.failures})` : ''}`,
      '',
    );
  }
  lines.push('memory: services resident (their /metrics), PostgreSQL proportional (postmaster and backends), others resident', '');
  // The goals of issue #20.
  const [base, ha] = results.length === 2 ? results : [undefined, results[results.length - 1]];
  const goals: Array<[string, boolean | null]> = [];
  // A contact without a ticket while events are still queued is late, not lost: the run cannot tell yet.
  const unsettled = results.filter((r) => r.out.lost.length > 0 && !(r.backlog === 0));
  goals.push([
    `lost 0 (${results.map((r) => r.out.lost.length).join(' / ')}${unsettled.length ? `; unsettled: ${unsettled.map((r) => `${fmt(r.backlog)} events still queued in "${r.title}"`).join(', ')}` : ''})`,
    unsettled.length ? null : results.every((r) => r.out.lost.length === 0),
  ]);
  goals.push([
    `every citizen answered (gave up: ${results.map((r) => r.out.refused.length).join(' / ')})`,
    results.every((r) => r.out.refused.length === 0),
  ]);
  goals.push([
    `duplicated 0 (${results.map((r) => r.out.duplicated.length).join(' / ')})`,
    results.every((r) => r.out.duplicated.length === 0),
  ]);
  const growth = ha.parts
    .filter((p) => p.kind === 'service' && Number.isFinite(p.heapWarm) && Number.isFinite(p.heapEnd))
    .map((p) => (p.heapEnd - p.heapWarm) / p.heapWarm);
  goals.push([
    `no heap more than ${HEAP_GROWTH_GOAL * 100} % above warm-up (largest ${growth.length ? `${fmt(Math.max(...growth) * 100, 1)} %` : '—'})`,
    growth.length ? growth.every((g) => g <= HEAP_GROWTH_GOAL) : null,
  ]);
  if (base) {
    const ratio = quantile(ha.out.latencies.get('all') ?? [], 0.99) / quantile(base.out.latencies.get('all') ?? [], 0.99);
    goals.push([
      `p99 ${run.withFaults ? 'with faults' : 'of the HA layout'} ≤ ${P99_RATIO_GOAL}× the single process's (${fmt(ratio, 2)}×)`,
      Number.isFinite(ratio) ? ratio <= P99_RATIO_GOAL : null,
    ]);
  }
  lines.push('goals (issue #20)', ...goals.map(([what, ok]) => `  ${ok === null ? 'n/a ' : ok ? 'met ' : 'MISSED'}  ${what}`), '');
  for (const r of results) {
    for (const c of [...r.out.lost, ...r.out.duplicated, ...r.out.refused].slice(0, 10))
      lines.push(
        `  ${r.title}: #${c.n} ${c.channel} ${c.key}${c.gaveUp ? ` gave up: ${c.gaveUp.replace(/\s+/g, ' ').slice(0, 160)}` : ''}`,
      );
    if (r.lostTrace.length > 0) lines.push(`what the database held about the lost contacts of "${r.title}"`, ...r.lostTrace);
  }
  return `${lines.join('\n')}\n`;
}

runBench(main);

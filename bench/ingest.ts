/**
 * Ingest benchmark (not a test: it prints figures and exits 0 whether or not the goals are met).
 *
 * Signed Latvija.lv web-form submissions are posted by N concurrent clients to the real service, started from
 * dist/ as separate api and worker processes, and timed end to end: from the first send until the last
 * accepted event is visible as a row in `tickets`. In the same run, the same pg driver with the same
 * concurrency performs the naive per-event transaction (1 SELECT + 4 single-row INSERTs), so the result is a
 * ratio against what this machine's PostgreSQL can do the simple way, not only an absolute number that means
 * something different on every box.
 *
 *   npm run bench -- --clients 64 --events 20000 --api 1 --workers 1 --set INBOUND_BATCH_SIZE=500
 *
 * Everything lives in a fresh schema and Redis prefix that are removed at the end, also on error or Ctrl-C.
 */
import { legacyCheckDigit } from '@lib/personal-code';
import { signTimestampedHmac } from '@lib/webhook-signature';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo, createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { AppConfig } from '../src/config/app-config';
import { QueueName } from '../src/queues';

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const MAIN_JS = join(__dirname, '..', 'src', 'main.js');
const WEBFORM_SECRET = `bench-webform-${randomBytes(16).toString('hex')}`;
const INSTITUTIONS = ['VSAA', 'VID', 'NVA', 'LAD', 'VZD', 'PMLP', 'VDI', 'UR'];
const GOAL_EVENTS_PER_SECOND = 1500;
const GOAL_RATIO = 1.0;
/** Kernel networking alone costs about 0.1 core here; more than this means something else was running. */
const OTHER_CPU_WARNING = 0.25;
/** Connections left free for everyone else when sizing against max_connections. */
const RESERVED_CONNECTIONS = 10;

// ---------------------------------------------------------------------------------------------------------
// Options

/** A wrong flag or a layout that cannot run: reported as one line, without a stack trace. */
class UsageError extends Error {}

interface Options {
  api: number;
  workers: number;
  clients: number;
  events: number;
  warmup: number;
  durationS: number;
  drainTimeoutS: number;
  baseline: boolean;
  baselineEvents: number;
  serviceEnv: Record<string, string>;
  nodeArgs: string[];
}

const FLAGS = {
  api: { type: 'string' },
  workers: { type: 'string' },
  clients: { type: 'string' },
  events: { type: 'string' },
  warmup: { type: 'string' },
  duration: { type: 'string' },
  'drain-timeout': { type: 'string' },
  'baseline-events': { type: 'string' },
  'no-baseline': { type: 'boolean' },
  set: { type: 'string', multiple: true },
  'node-args': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseOptions(): Options {
  let values: ReturnType<typeof parseArgs<{ options: typeof FLAGS }>>['values'];
  try {
    ({ values } = parseArgs({ options: FLAGS }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (see --help)`);
  }
  if (values.help) {
    process.stdout.write(
      [
        'usage: npm run bench -- [options]   (each also as BENCH_<NAME> in the environment)',
        '  --api N              api processes (default 1)',
        '  --workers N          worker processes (default 1)',
        '  --clients N          concurrent HTTP clients, and naive-baseline connections (default 64)',
        '  --events N           measured submissions (default 20000)',
        '  --warmup N           submissions before measuring, not counted (default 500)',
        '  --duration S         stop sending after S seconds even if --events is not reached (default 45)',
        '  --drain-timeout S    longest wait for the last ticket after the last accept (default 60)',
        '  --baseline-events N  events of the naive baseline (default: --events)',
        '  --no-baseline        skip the naive baseline',
        '  --set KEY=VALUE      service environment override, repeatable (e.g. INBOUND_BATCH_SIZE=500)',
        '  --node-args ARGS     node flags of the service processes, e.g. --prof; they then run in a kept temp dir',
        '',
      ].join('\n'),
    );
    process.exit(0);
  }
  const int = (flag: string | undefined, env: string, fallback: number, min: number, max: number): number => {
    const raw = flag ?? process.env[`BENCH_${env}`];
    const n = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${env.toLowerCase().replace(/_/g, '-')} must be an integer in ${min}..${max}`);
    return n;
  };
  const serviceEnv: Record<string, string> = {};
  for (const pair of values.set ?? []) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new UsageError(`--set expects KEY=VALUE, got ${pair}`);
    serviceEnv[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const events = int(values.events, 'EVENTS', 20_000, 1, 1_000_000);
  return {
    api: int(values.api, 'API', 1, 1, 8),
    workers: int(values.workers, 'WORKERS', 1, 1, 8),
    clients: int(values.clients, 'CLIENTS', 64, 1, 1024),
    events,
    warmup: int(values.warmup, 'WARMUP', 500, 0, 100_000),
    durationS: int(values.duration, 'DURATION', 45, 1, 240),
    drainTimeoutS: int(values['drain-timeout'], 'DRAIN_TIMEOUT', 60, 1, 600),
    baseline: !(values['no-baseline'] ?? process.env.BENCH_NO_BASELINE === '1'),
    baselineEvents: int(values['baseline-events'], 'BASELINE_EVENTS', events, 1, 1_000_000),
    serviceEnv,
    nodeArgs: (values['node-args'] ?? process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Cleanup: registered as resources are created, run once in reverse order on success, error or signal.

const cleanups: Array<{ name: string; run: () => Promise<unknown> }> = [];
let cleaning: Promise<void> | null = null;
/** Set on a signal: every loop checks it, so none keeps working against the connections cleanup closes. */
let stopping = false;

function onCleanup(name: string, run: () => Promise<unknown>): void {
  cleanups.push({ name, run });
}

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const { name, run } of cleanups.splice(0).reverse()) {
      await withTimeout(run(), 30_000, `cleanup: ${name}`).catch((e) => process.stderr.write(`cleanup of ${name} failed: ${(e as Error).message}\n`));
    }
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopping = true;
    // Requests and queries in flight fail as their connections close; that is expected now, not a crash.
    process.on('unhandledRejection', () => undefined);
    process.stderr.write(`\n${signal}: cleaning up\n`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls until `probe` is truthy or the time is up; every wait in this file goes through here so none is unbounded. */
async function until<T>(what: string, timeoutMs: number, everyMs: number, probe: () => Promise<T | null | undefined | false>): Promise<T> {
  const deadline = now() + timeoutMs;
  while (now() < deadline && !stopping) {
    const value = await probe();
    if (value) return value;
    await sleep(everyMs);
  }
  throw new Error(`${what}: not reached in ${Math.round(timeoutMs / 1000)} s`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function sql<T = Record<string, unknown>>(client: Client, text: string, params: unknown[] = []): Promise<T[]> {
  return (await client.query(text, params)).rows as T[];
}

/** Every query of ours is bounded too: a stuck database ends the run with an error rather than a hang. */
const QUERY_TIMEOUT_MS = 60_000;

async function connect(schema?: string): Promise<Client> {
  const client = new Client({
    connectionString: DATABASE_URL,
    query_timeout: QUERY_TIMEOUT_MS,
    connectionTimeoutMillis: 10_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  await client.connect();
  return client;
}

// ---------------------------------------------------------------------------------------------------------
// CPU accounting from /proc, so a run says by itself which component was saturated.

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds of one process: own time plus that of children it reaped (PostgreSQL's postmaster reaps closed backends). */
function procCpuSeconds(pid: number): { comm: string; seconds: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // Fields 14-17 of proc(5) (utime, stime, cutime, cstime); `fields` starts at field 3.
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    return { comm, seconds: ticks / CLOCK_TICKS };
  } catch {
    return null; // gone, or not Linux
  }
}

function cpuOfCommand(prefix: string): number {
  let total = 0;
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return NaN;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const p = procCpuSeconds(Number(entry));
    if (p && p.comm.startsWith(prefix)) total += p.seconds;
  }
  return total;
}

/** Busy CPU seconds of the whole machine (everything but idle and iowait), from the first line of /proc/stat. */
function machineCpuSeconds(): number {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = ticks;
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

interface CpuSnapshot {
  at: number;
  byLabel: Map<string, number>;
}

/**
 * CPU seconds so far of each part of the system. The machine total is taken too, so that whatever else ran
 * meanwhile (kernel networking, or another job on a shared box) shows up as "other" instead of being missed.
 */
function cpuSnapshot(services: Array<{ label: string; pid?: number }>, clientsLabel: string): CpuSnapshot {
  const byLabel = new Map<string, number>();
  for (const s of services) byLabel.set(s.label, procCpuSeconds(s.pid!)?.seconds ?? NaN);
  const self = process.cpuUsage();
  byLabel.set(clientsLabel, (self.user + self.system) / 1e6);
  byLabel.set('postgresql', cpuOfCommand('postgres'));
  byLabel.set('redis', cpuOfCommand('redis-server'));
  byLabel.set('machine', machineCpuSeconds());
  return { at: now(), byLabel };
}

/** Cores used per part between two snapshots, with "other" = machine minus the named parts. */
function coresBetween(start: CpuSnapshot, end: CpuSnapshot): { seconds: number; cores: Map<string, number> } {
  const seconds = (end.at - start.at) / 1000;
  const cores = new Map<string, number>();
  for (const [label, value] of end.byLabel) cores.set(label, (value - (start.byLabel.get(label) ?? NaN)) / seconds);
  const machine = cores.get('machine')!;
  cores.delete('machine');
  const named = [...cores.values()].reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  cores.set('other (kernel, other jobs)', machine - named);
  cores.set('machine total', machine);
  return { seconds, cores };
}

// ---------------------------------------------------------------------------------------------------------
// The service under test

class ServiceProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  /** Last lines of output, shown only if the process dies or never becomes healthy. */
  private readonly tail: string[] = [];
  warnings = 0;

  constructor(
    readonly label: string,
    env: Record<string, string>,
    nodeArgs: string[],
    cwd: string,
    readonly port: number,
  ) {
    this.child = spawn(process.execPath, [...nodeArgs, MAIN_JS], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(this);
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop()!;
        for (const line of lines) this.record(line);
      });
    }
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  output(): string {
    return this.tail.join('\n');
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const code = await Promise.race([this.exited, sleep(15_000).then(() => 'timeout' as const)]);
    if (code === 'timeout' && this.alive) {
      this.child.kill('SIGKILL');
      await Promise.race([this.exited, sleep(5_000)]);
    }
  }

  private record(line: string): void {
    if (!line.trim()) return;
    // pino levels: 40 warn, 50 error, 60 fatal. Anything non-JSON (a crash trace) counts too.
    const level = /"level":(\d+)/.exec(line)?.[1];
    if (!level || Number(level) >= 40) this.warnings += 1;
    this.tail.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
    if (this.tail.length > 5) this.tail.shift();
  }
}

/** Every service process started, so that a failed run can show what they said. */
const started: ServiceProcess[] = [];

function assertAlive(services: ServiceProcess[]): void {
  const dead = services.find((s) => !s.alive);
  if (dead) throw new Error(`${dead.label} exited (code ${dead.child.exitCode ?? dead.child.signalCode}); its last output:\n${dead.output()}`);
}

// ---------------------------------------------------------------------------------------------------------
// Load: submissions built like test/support/factories.ts webformSubmission, one distinct applicant each.

const FIRST_NAMES = ['Jānis', 'Anna', 'Pēteris', 'Līga', 'Andris', 'Ilze', 'Mārtiņš', 'Inese', 'Dmitrijs', 'Olga', 'Kristaps', 'Zane'];
const LAST_NAMES = ['Bērziņš', 'Kalniņa', 'Ozols', 'Liepiņa', 'Jansons', 'Krūmiņa', 'Petrovs', 'Ivanova', 'Zariņš', 'Vītola'];
const FORMS = ['question', 'question', 'question', 'application', 'complaint', 'suggestion'];
const LANGUAGES = ['lv', 'lv', 'lv', 'ru', 'en'];
const TOPICS = ['pensijas', 'nodokļi', 'bezdarbs', 'platības maksājumi', 'kadastrs', 'pases', 'darba drošība', 'uzņēmumi'];

/**
 * A valid, unique personal code for event i: alternately the date-less new form and a legacy code with a
 * correct check digit, so both normalisation paths run. Legacy codes stay unique for 16.8 million events.
 */
function personalCode(i: number): string {
  if (i % 2 === 0) return `32${String(i).padStart(9, '0')}`;
  const k = (i - 1) / 2;
  const day = (k % 28) + 1;
  const month = (Math.floor(k / 28) % 12) + 1;
  const yy = 40 + (Math.floor(k / 336) % 50);
  const serial = Math.floor(k / 16_800) % 1000;
  const ten = `${String(day).padStart(2, '0')}${String(month).padStart(2, '0')}${yy}1${String(serial).padStart(3, '0')}`;
  return `${ten.slice(0, 6)}-${ten.slice(6)}${legacyCheckDigit(ten)}`;
}

interface Submission {
  submissionId: string;
  submittedAt: string;
  form: string;
  institution: string;
  topic: string;
  language: string;
  applicant: { firstName: string; lastName: string; personalCode: string; email: string; phone: string };
  subject: string;
  message: string;
}

function submission(run: string, i: number): Submission {
  const firstName = FIRST_NAMES[i % FIRST_NAMES.length];
  const lastName = LAST_NAMES[(i * 7) % LAST_NAMES.length];
  const topic = TOPICS[i % TOPICS.length];
  return {
    submissionId: `LV-${run}-${i}`,
    submittedAt: new Date().toISOString(),
    form: FORMS[i % FORMS.length],
    institution: INSTITUTIONS[i % INSTITUTIONS.length],
    topic,
    language: LANGUAGES[i % LANGUAGES.length],
    applicant: {
      firstName,
      lastName,
      personalCode: personalCode(i),
      email: `${firstName.normalize('NFD').replace(/[^a-zA-Z]/g, '').toLowerCase()}.${i}@example.lv`,
      phone: `+3712${String(i).padStart(7, '0')}`,
    },
    subject: `Jautājums par tēmu "${topic}" (${i})`,
    message: `Labdien! Lūdzu paskaidrot, kā rīkoties jautājumā par ${topic}. Kādi dokumenti ir vajadzīgi un kur tos iesniegt? Paldies, ${firstName} ${lastName}.`,
  };
}

interface LoadResult {
  accepted: number;
  refused: Map<string, number>;
  latenciesMs: Float64Array;
  firstSendAt: number;
  lastAcceptAt: number;
  stoppedByDuration: boolean;
}

/**
 * N client loops, each on its own keep-alive connection to one api process (clients spread evenly over
 * them), taking the next event index from a shared counter. Bounded by the event count and by the deadline.
 */
async function runLoad(ports: number[], clients: number, run: string, from: number, count: number, deadlineMs: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Math.ceil(clients / ports.length) });
  const latencies = new Float64Array(count);
  const refused = new Map<string, number>();
  let next = 0;
  let accepted = 0;
  let lastAcceptAt = 0;
  let stoppedByDuration = false;
  const firstSendAt = now();
  const deadline = firstSendAt + deadlineMs;

  const post = (port: number, raw: string, signature: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/channels/webform/submissions',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(raw), 'x-signature': signature },
        },
        (res) => {
          res.resume();
          res.once('end', () => resolve(res.statusCode ?? 0));
          res.once('error', reject);
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
      req.once('error', reject);
      req.end(raw);
    });

  const loop = async (c: number) => {
    const port = ports[c % ports.length];
    for (;;) {
      if (next >= count || stopping) return;
      if (now() >= deadline) {
        stoppedByDuration = true;
        return;
      }
      const i = next++;
      const raw = JSON.stringify(submission(run, from + i));
      const signature = signTimestampedHmac(WEBFORM_SECRET, raw, Math.floor(Date.now() / 1000));
      const started = now();
      let outcome: string;
      try {
        const status = await post(port, raw, signature);
        outcome = String(status);
      } catch (e) {
        outcome = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      }
      const ended = now();
      if (outcome === '202') {
        latencies[accepted++] = ended - started;
        lastAcceptAt = ended;
      } else {
        refused.set(outcome, (refused.get(outcome) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, c) => loop(c)));
  agent.destroy();
  return { accepted, refused, latenciesMs: latencies.slice(0, accepted).sort(), firstSendAt, lastAcceptAt, stoppedByDuration };
}

// ---------------------------------------------------------------------------------------------------------
// The naive baseline: one transaction per event, one statement per row, through the same pg driver.

interface BaselineResult {
  events: number;
  seconds: number;
  connections: number;
  cpu: ReturnType<typeof coresBetween>;
}

async function runBaseline(schema: string, connections: number, count: number, run: string): Promise<BaselineResult> {
  const admin = await connect();
  onCleanup(`schema ${schema}`, async () => {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });
  // Simple tables with the keys and constraints any real design has, nothing more.
  await admin.query(`
    CREATE SCHEMA "${schema}";
    SET search_path = "${schema}";
    CREATE TABLE customers (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), first_name text, last_name text,
      preferred_language varchar(2), created_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE customer_identifiers (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      customer_id uuid NOT NULL REFERENCES customers(id), kind varchar(32) NOT NULL, value text NOT NULL,
      UNIQUE (kind, value));
    CREATE TABLE tickets (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), reference varchar(32) NOT NULL UNIQUE,
      channel varchar(16) NOT NULL, customer_id uuid REFERENCES customers(id), subject text,
      status varchar(24) NOT NULL DEFAULT 'queued', created_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE messages (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), ticket_id uuid NOT NULL REFERENCES tickets(id),
      channel varchar(16) NOT NULL, external_id text, text text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (channel, external_id));
    RESET search_path;`);

  const clients = await Promise.all(Array.from({ length: connections }, () => connect(schema)));
  let next = 0;
  let done = 0;
  const cpuStart = cpuSnapshot([], 'bench (naive clients)');
  const started = now();
  const deadline = started + 120_000;
  const loop = async (client: Client) => {
    while (next < count && now() < deadline && !stopping) {
      const i = next++;
      const s = submission(run, i);
      const code = s.applicant.personalCode.replace('-', '');
      await client.query('BEGIN');
      try {
        const found = await client.query('SELECT customer_id FROM customer_identifiers WHERE kind = $1 AND value = $2', ['personal_code', code]);
        if (found.rowCount !== 0) throw new Error('baseline applicants are meant to be new');
        const customer = await client.query(
          'INSERT INTO customers (first_name, last_name, preferred_language) VALUES ($1, $2, $3) RETURNING id',
          [s.applicant.firstName, s.applicant.lastName, s.language],
        );
        const customerId = customer.rows[0].id;
        await client.query('INSERT INTO customer_identifiers (customer_id, kind, value) VALUES ($1, $2, $3)', [customerId, 'personal_code', code]);
        const ticket = await client.query(
          'INSERT INTO tickets (reference, channel, customer_id, subject) VALUES ($1, $2, $3, $4) RETURNING id',
          [`NV-${i}`, 'webform', customerId, s.subject],
        );
        await client.query('INSERT INTO messages (ticket_id, channel, external_id, text) VALUES ($1, $2, $3, $4)', [
          ticket.rows[0].id,
          'webform',
          s.submissionId,
          s.message,
        ]);
        await client.query('COMMIT');
        done += 1;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    }
  };
  try {
    await Promise.all(clients.map(loop));
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
  const seconds = (now() - started) / 1000;
  const cpu = coresBetween(cpuStart, cpuSnapshot([], 'bench (naive clients)'));
  await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
  return { events: done, seconds, connections, cpu };
}

// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const opts = parseOptions();
  const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const schema = `bench_${run}`;
  const prefix = `bench_${run}`;

  const admin = await connect();
  onCleanup('database connection', () => admin.end());
  const [{ free: freeConnections, version: pgVersion }] = await sql<{ free: number; version: string }>(
    admin,
    `SELECT current_setting('max_connections')::int - (SELECT count(*) FROM pg_stat_activity)::int AS free,
            current_setting('server_version') AS version`,
  );
  // Defaults come from the service's own configuration class, so the report shows what actually ran.
  const serviceDefaults = new AppConfig();
  const setting = (key: 'INBOUND_CONCURRENCY' | 'INBOUND_BATCH_SIZE' | 'INBOUND_BATCH_WAIT_MS' | 'DATABASE_POOL_SIZE') =>
    opts.serviceEnv[key] ?? String(serviceDefaults[key]);
  // Under load every pool fills up; running out of connections mid-run would measure errors, not throughput.
  const servicePools = (opts.api + opts.workers) * Number(setting('DATABASE_POOL_SIZE')) + 2;
  if (servicePools > freeConnections - RESERVED_CONNECTIONS) {
    throw new UsageError(
      `${opts.api + opts.workers} processes × DATABASE_POOL_SIZE=${setting('DATABASE_POOL_SIZE')} need ${servicePools} connections, ` +
        `but only ${freeConnections - RESERVED_CONNECTIONS} are free; lower it with --set DATABASE_POOL_SIZE=…`,
    );
  }

  // Baseline first, while nothing else runs; a checkpoint after it so its dirty pages are not written on the service's time.
  let baseline: BaselineResult | null = null;
  if (opts.baseline) {
    const connections = Math.min(opts.clients, freeConnections - RESERVED_CONNECTIONS);
    baseline = await runBaseline(`${schema}_naive`, connections, opts.baselineEvents, run);
    await admin.query('CHECKPOINT');
  }

  // The service: the schema is created and migrated by the first process to start (under its advisory lock).
  onCleanup(`schema ${schema}`, () => admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: true });
  await redis.connect();
  onCleanup(`redis keys ${prefix}:*`, async () => {
    // SCAN rather than KEYS so a shared Redis is never blocked; bounded in iterations.
    let cursor = '0';
    for (let round = 0; round < 100_000; round++) {
      const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = nextCursor;
      if (cursor === '0') break;
    }
    await redis.quit();
  });

  const baseEnv: Record<string, string> = {
    DATABASE_URL,
    DATABASE_SCHEMA: schema,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    WEBFORM_SECRET,
    JWT_SECRET: `bench-jwt-${randomBytes(16).toString('hex')}`,
    ADMIN_EMAIL: 'admin@bench.example',
    ADMIN_PASSWORD: `bench-admin-${randomBytes(8).toString('hex')}`,
    LOG_LEVEL: 'warn',
    RUN_MIGRATIONS: 'true',
    ...opts.serviceEnv,
  };
  // Only what a process needs from our environment: a stray IMAP_HOST or INBOUND_* in the shell must not
  // silently change what is measured; tuning goes through --set, where the report shows it.
  for (const key of ['PATH', 'HOME', 'LANG', 'TZ', 'NODE_PATH']) if (process.env[key]) baseEnv[key] = process.env[key]!;
  let cwd = process.cwd();
  if (opts.nodeArgs.length > 0) {
    // --prof and --cpu-prof write into the working directory; keep their files out of the project.
    cwd = mkdtempSync(join(os.tmpdir(), `${prefix}-node-`));
  }
  const services: ServiceProcess[] = [];
  onCleanup('service processes', () => Promise.all(services.map((s) => s.stop())));
  // Every role listens on PORT (a worker for /health and /metrics), so each process gets a port of its own.
  const roles = [...Array.from({ length: opts.api }, () => 'api'), ...Array.from({ length: opts.workers }, () => 'worker')];
  const numbered: Record<string, number> = { api: 0, worker: 0 };
  for (const role of roles) {
    const port = await freePort();
    services.push(new ServiceProcess(`${role} #${++numbered[role]}`, { ...baseEnv, APP_ROLE: role, PORT: String(port) }, opts.nodeArgs, cwd, port));
  }
  const ports = services.filter((s) => s.label.startsWith('api')).map((s) => s.port);

  for (const { port } of services) {
    await until(`GET /health on port ${port}`, 60_000, 200, async () => {
      assertAlive(services);
      return new Promise<boolean>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port, path: '/health', timeout: 2000 }, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        });
        req.once('timeout', () => req.destroy());
        req.once('error', () => resolve(false));
      });
    });
  }
  const queue = new Queue(QueueName.Inbound, { prefix, connection: { url: REDIS_URL, maxRetriesPerRequest: 3 } });
  onCleanup('queue connection', () => queue.close());
  await until('every worker registered on the inbound queue', 60_000, 200, async () => {
    assertAlive(services);
    return (await queue.getWorkersCount()) >= opts.workers;
  });

  const db = await connect(schema);
  onCleanup('polling connection', () => db.end());
  const ticketCount = async () => Number((await sql<{ n: string }>(db, 'SELECT count(*) AS n FROM tickets'))[0].n);

  // Warm-up: JIT, connection pools, the year's reference sequence and caches, all before the clock starts.
  if (opts.warmup > 0) {
    const warm = await runLoad(ports, opts.clients, run, 0, opts.warmup, 60_000);
    await until('warm-up tickets', 60_000, 50, async () => {
      assertAlive(services);
      return (await ticketCount()) >= warm.accepted;
    });
  }
  const ticketsBefore = await ticketCount();
  const warningsBefore = services.reduce((n, s) => n + s.warnings, 0);

  // Measured phase. A sampler records the ticket count over time, from which the steady-state commit rate is
  // taken between 10 % and 90 % of the accepted events, free of the ramp-up and of the drain tail.
  const cpuParts = () => services.map((s) => ({ label: s.label, pid: s.child.pid }));
  const cpuStart = cpuSnapshot(cpuParts(), 'bench clients');
  let sampling = true;
  const samples: Array<[at: number, tickets: number]> = [];
  const sampler = (async () => {
    const deadline = now() + (opts.durationS + opts.drainTimeoutS + 10) * 1000;
    while (sampling && now() < deadline && !stopping) {
      samples.push([now(), (await ticketCount()) - ticketsBefore]);
      await sleep(100);
    }
  })();
  const load = await runLoad(ports, opts.clients, run, opts.warmup, opts.events, opts.durationS * 1000);
  if (load.accepted === 0) throw new Error(`no submission was accepted; answers: ${[...load.refused].map(([k, v]) => `${k}×${v}`).join(', ')}`);
  const backlogAtLastAccept = ticketsBefore + load.accepted - (await ticketCount());
  let lastTicketAt = NaN;
  try {
    await until('every accepted event visible as a ticket', opts.drainTimeoutS * 1000, 10, async () => {
      assertAlive(services);
      return (await ticketCount()) >= ticketsBefore + load.accepted;
    });
    lastTicketAt = now();
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
  }
  sampling = false;
  await sampler;
  const cpu = coresBetween(cpuStart, cpuSnapshot(cpuParts(), 'bench clients'));
  const ticketsAfter = (await ticketCount()) - ticketsBefore;
  const [statuses] = await sql<{ accepted: string; processed: string; failed: string }>(
    db,
    `SELECT count(*) FILTER (WHERE status = 'accepted') AS accepted, count(*) FILTER (WHERE status = 'processed') AS processed,
            count(*) FILTER (WHERE status = 'failed') AS failed FROM inbound_events`,
  );
  const warnings = services.reduce((n, s) => n + s.warnings, 0) - warningsBefore;

  // ------------------------------------------------------------------------------------------------------
  // Report

  const sendSeconds = (load.lastAcceptAt - load.firstSendAt) / 1000;
  const e2eSeconds = (lastTicketAt - load.firstSendAt) / 1000;
  const e2eRate = load.accepted / e2eSeconds;
  const acceptRate = load.accepted / sendSeconds;
  const crossing = (share: number) => samples.find(([, n]) => n >= share * load.accepted);
  const [low, high] = [crossing(0.1), crossing(0.9)];
  const steadyRate = low && high && high[0] > low[0] ? (high[1] - low[1]) / ((high[0] - low[0]) / 1000) : NaN;
  const naiveRate = baseline ? baseline.events / baseline.seconds : NaN;
  const ratio = e2eRate / naiveRate;

  const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a');
  const table = (rows: string[][]) => {
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    return rows.map((r, i) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('   ') + (i === 0 ? `\n${widths.map((w) => '-'.repeat(w)).join('   ')}` : '')).join('\n');
  };
  const tunables = (['INBOUND_CONCURRENCY', 'INBOUND_BATCH_SIZE', 'INBOUND_BATCH_WAIT_MS', 'DATABASE_POOL_SIZE'] as const)
    .map((k) => `${k}=${setting(k)}`)
    .join(' ');
  const refused = [...load.refused].map(([k, v]) => `${k}×${v}`).join(', ') || 'none';

  const out: string[] = [];
  out.push('');
  out.push('Web-form ingest benchmark');
  out.push(`machine   ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, PostgreSQL ${pgVersion}`);
  out.push(`layout    ${opts.api} api + ${opts.workers} worker process(es); ${tunables}`);
  out.push(`load      ${opts.clients} clients, ${fmt(load.accepted)} of ${fmt(opts.events)} events accepted (refused: ${refused}), warm-up ${fmt(opts.warmup)}${load.stoppedByDuration ? `, stopped by --duration ${opts.durationS}s` : ''}`);
  if (opts.nodeArgs.length > 0) out.push(`node      ${opts.nodeArgs.join(' ')} in ${cwd} (pids: ${services.map((s) => `${s.label} ${s.child.pid}`).join(', ')})`);
  out.push(`baseline  ${baseline ? `${fmt(baseline.events)} naive transactions on ${baseline.connections} connections in ${fmt(baseline.seconds, 2)} s` : 'skipped'}`);
  out.push('');
  out.push(
    table([
      ['figure', 'value', 'baseline', 'ratio'],
      ['end-to-end events/s (first send → last ticket visible)', fmt(e2eRate), fmt(naiveRate), fmt(ratio, 2)],
      ['steady commit rate, tickets/s (10 % → 90 % of events)', fmt(steadyRate), fmt(naiveRate), fmt(steadyRate / naiveRate, 2)],
      ['accept-only events/s (first send → last 202)', fmt(acceptRate), fmt(naiveRate), fmt(acceptRate / naiveRate, 2)],
      ['accept latency p50, ms', fmt(percentile(load.latenciesMs, 50), 1), '', ''],
      ['accept latency p99, ms', fmt(percentile(load.latenciesMs, 99), 1), '', ''],
      ['accept latency max, ms', fmt(percentile(load.latenciesMs, 100), 1), '', ''],
      ['end-to-end seconds', fmt(e2eSeconds, 2), fmt(baseline?.seconds ?? NaN, 2), ''],
      ['tickets not yet written at the last accept', fmt(backlogAtLastAccept), '', ''],
    ]),
  );
  out.push('');
  // One row per part of either phase; a part that did not take part in a phase shows blank.
  const labels = [...new Set([...cpu.cores.keys(), ...(baseline?.cpu.cores.keys() ?? [])])].sort(
    (a, b) => Number(a === 'machine total') - Number(b === 'machine total') || Number(a.startsWith('other')) - Number(b.startsWith('other')),
  );
  const cores = (m: Map<string, number> | undefined, label: string) => (m?.has(label) ? fmt(m.get(label)!, 2) : '');
  out.push(`CPU, in cores (1.00 = one core busy), over the service's measured window (${fmt(cpu.seconds, 1)} s) and the baseline's (${fmt(baseline?.cpu.seconds ?? NaN, 1)} s)`);
  out.push(table([['process', 'service', 'baseline'], ...labels.map((l) => [l, cores(cpu.cores, l), cores(baseline?.cpu.cores, l)])]));
  out.push('');
  out.push(
    `check     tickets ${fmt(ticketsAfter)} / accepted ${fmt(load.accepted)}; inbound_events processed ${statuses.processed}, pending ${statuses.accepted}, failed ${statuses.failed}; service warnings ${warnings}`,
  );
  const e2eOk = e2eRate >= GOAL_EVENTS_PER_SECOND;
  const ratioOk = ratio >= GOAL_RATIO;
  const disturbed = [cpu, baseline?.cpu].map((c) => c?.cores.get('other (kernel, other jobs)') ?? 0).some((o) => o > OTHER_CPU_WARNING);
  if (disturbed) out.push(`note      other processes used more than ${OTHER_CPU_WARNING} cores during a measured window: the figures are disturbed, rerun on a quiet machine`);
  out.push(`goals     end-to-end ≥ ${fmt(GOAL_EVENTS_PER_SECOND)} events/s: ${e2eOk ? 'MET' : 'NOT MET'}; ratio ≥ ${fmt(GOAL_RATIO, 1)}: ${baseline ? (ratioOk ? 'MET' : 'NOT MET') : 'n/a (no baseline)'}`);
  out.push('');
  process.stdout.write(out.join('\n'));
}

main()
  .then(() => cleanup())
  .then(() => process.exit(0))
  .catch(async (error) => {
    if (stopping) return; // interrupted: the signal handler cleans up and exits
    process.stderr.write(`bench failed: ${error instanceof UsageError ? error.message : ((error as Error).stack ?? error)}\n`);
    for (const s of started) if (s.alive && s.output()) process.stderr.write(`\n--- last output of ${s.label}:\n${s.output()}\n`);
    await cleanup();
    process.exit(1);
  });

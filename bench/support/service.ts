/**
 * The service under test, started from dist/ as separate processes against a fresh PostgreSQL schema and
 * Redis prefix (both removed at the end), and the database connections of the benchmark itself.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { rigaDate } from '@lib/business-calendar';
import { AppConfig } from '../../src/config/app-config';
import { SESSION_SETTINGS } from '../../src/database/database-options';
import { now, onCleanup, onFailure, sleep, UsageError, until } from './lifecycle';
import { freePort } from './servers/private-services';

export const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const MAIN_JS = join(__dirname, '..', '..', 'src', 'main.js');
/** Connections left free for everyone else when sizing against max_connections. */
const RESERVED_CONNECTIONS = 10;
/** The service's defaults, from its own configuration class, so the report shows what actually ran. */
export const SERVICE_DEFAULTS = new AppConfig();

// ---------------------------------------------------------------------------------------------------------
// PostgreSQL

/** Every query of ours is bounded too: a stuck database ends the run with an error rather than a hang. */
const QUERY_TIMEOUT_MS = 60_000;

export async function connect(schema?: string): Promise<Client> {
  const client = new Client({
    connectionString: DATABASE_URL,
    query_timeout: QUERY_TIMEOUT_MS,
    connectionTimeoutMillis: 10_000,
    // The service's own session settings, so a plain statement runs as the service runs it.
    options: `${schema ? `-c search_path=${schema} ` : ''}${SESSION_SETTINGS}`,
  });
  await client.connect();
  return client;
}

export async function sql<T = Record<string, unknown>>(client: Client, text: string, params: unknown[] = []): Promise<T[]> {
  return (await client.query(text, params)).rows as T[];
}

/**
 * Under load every pool fills up; running out of connections mid-run would measure errors, not throughput.
 * So a layout whose pools do not fit into what max_connections leaves free is refused before anything starts.
 */
export async function checkConnections(
  admin: Client,
  processes: number,
  serviceEnv: Record<string, string>,
): Promise<{ free: number; pgVersion: string }> {
  const [{ free, version }] = await sql<{ free: number; version: string }>(
    admin,
    `SELECT current_setting('max_connections')::int - (SELECT count(*) FROM pg_stat_activity)::int - ${RESERVED_CONNECTIONS} AS free,
            current_setting('server_version') AS version`,
  );
  const poolSize = serviceSetting(serviceEnv, 'DATABASE_POOL_SIZE');
  const servicePools = processes * Number(poolSize) + 2;
  if (servicePools > free) {
    throw new UsageError(
      `${processes} process(es) × DATABASE_POOL_SIZE=${poolSize} need ${servicePools} connections, ` +
        `but only ${free} are free; lower it with --set DATABASE_POOL_SIZE=…`,
    );
  }
  return { free, pgVersion: version };
}

// ---------------------------------------------------------------------------------------------------------
// The service's settings

const TUNABLES = ['INBOUND_CONCURRENCY', 'INBOUND_BATCH_SIZE', 'INBOUND_BATCH_WAIT_MS', 'DATABASE_POOL_SIZE'] as const;

export function serviceSetting(serviceEnv: Record<string, string>, key: (typeof TUNABLES)[number]): string {
  return serviceEnv[key] ?? String(SERVICE_DEFAULTS[key]);
}

/** The ingest tunables as they ran, defaults included, then any other --set override. */
export function settingsLine(serviceEnv: Record<string, string>): string {
  const tunables = TUNABLES.map((k) => `${k}=${serviceSetting(serviceEnv, k)}`);
  const extra = Object.entries(serviceEnv)
    .filter(([k]) => !(TUNABLES as readonly string[]).includes(k))
    .map(([k, v]) => `${k}=${v}`);
  return [...tunables, ...extra].join(' ');
}

// ---------------------------------------------------------------------------------------------------------
// Service processes

export class ServiceProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  healthyAt = NaN;
  /** Last lines of output, shown only if the process dies or never becomes healthy. */
  private readonly tail: string[] = [];
  warnings = 0;

  /** APP_ROLE of the process. */
  readonly role: string;

  constructor(
    readonly label: string,
    env: Record<string, string>,
    nodeArgs: string[],
    cwd: string,
    readonly port: number,
  ) {
    this.role = env.APP_ROLE ?? 'all';
    this.child = spawn(process.execPath, [...nodeArgs, MAIN_JS], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    // A failed run shows what every process still running said last.
    onFailure(() => (this.alive && this.output() ? `\n--- last output of ${this.label}:\n${this.output()}\n` : ''));
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
    this.tail.push(line.length > 2000 ? `${line.slice(0, 2000)}…` : line);
    if (this.tail.length > 30) this.tail.shift();
  }
}

export function assertAlive(services: ServiceProcess[]): void {
  const dead = services.find((s) => !s.alive);
  if (dead)
    throw new Error(`${dead.label} exited (code ${dead.child.exitCode ?? dead.child.signalCode}); its last output:\n${dead.output()}`);
}

export function warningsOf(services: ServiceProcess[]): number {
  return services.reduce((n, s) => n + s.warnings, 0);
}

export { freePort } from './servers/private-services';

function healthy(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/health', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
  });
}

export interface ServiceLayout {
  /** Run id: the schema and the Redis prefix are named after it. */
  schema: string;
  prefix: string;
  /** One process each: its label in the report and its APP_ROLE. */
  processes: Array<{ label: string; role: string }>;
  /** Environment of the benchmark's own (channel settings and the like), before the --set overrides. */
  env: Record<string, string>;
  serviceEnv: Record<string, string>;
  nodeArgs: string[];
  /** Another PostgreSQL than the shared one (a private server the benchmark removes itself): the schema is made there. */
  databaseUrl?: string;
  /** The schema is left in place at the end (a named data set that later runs reuse), not dropped. */
  keepSchema?: boolean;
  /**
   * Another Redis than the shared one, as the service's variables (REDIS_URL, or REDIS_SENTINELS and
   * REDIS_SENTINEL_NAME): private servers the benchmark removes itself, so no keys are cleaned up.
   */
  redisEnv?: Record<string, string>;
}

export interface Service {
  processes: ServiceProcess[];
  env: Record<string, string>;
  /** The working directory of the processes: a kept temp dir with --node-args. */
  cwd: string;
}

/**
 * Starts the service: the schema is created and migrated by the first process to start (under its advisory
 * lock). The schema, the Redis keys under the prefix and the processes are removed at the end.
 */
export async function startService(admin: Client | null, layout: ServiceLayout): Promise<Service> {
  const { schema, prefix } = layout;
  // A private server is removed as a whole by whoever started it.
  if (!layout.databaseUrl && !layout.keepSchema) {
    if (!admin) throw new Error('startService: the shared database needs the admin connection that drops the schema');
    onCleanup(`schema ${schema}`, () => admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  }
  if (!layout.redisEnv) await cleanKeysAtEnd(prefix);

  // A kept schema is used again by later runs: its admin's password and the key of what it stores encrypted must
  // be the same each time (they guard a benchmark's generated data on loopback, nothing else).
  const kept = (label: string, bytes: number) =>
    createHash('sha256')
      .update(`bench:${schema}:${label}`)
      .digest('hex')
      .slice(0, bytes * 2);
  const env: Record<string, string> = {
    DATABASE_URL: layout.databaseUrl ?? DATABASE_URL,
    DATABASE_SCHEMA: schema,
    ...(layout.redisEnv ?? { REDIS_URL }),
    REDIS_PREFIX: prefix,
    WEBFORM_SECRET: `bench-webform-${randomBytes(16).toString('hex')}`,
    JWT_SECRET: `bench-jwt-${randomBytes(16).toString('hex')}`,
    DATA_ENCRYPTION_KEY: layout.keepSchema ? kept('data-key', 32) : randomBytes(32).toString('hex'),
    ADMIN_EMAIL: 'admin@bench.example',
    ADMIN_PASSWORD: `bench-passphrase-${layout.keepSchema ? kept('admin', 8) : randomBytes(8).toString('hex')}`,
    // Lets a bench scrape /metrics (env.METRICS_TOKEN).
    METRICS_TOKEN: `bench-metrics-${randomBytes(16).toString('hex')}`,
    LOG_LEVEL: 'warn',
    RUN_MIGRATIONS: 'true',
    // Every simulated client comes from loopback: production's per-source limits would measure themselves.
    RATE_LIMIT_LOGIN_PER_MINUTE: '1000000',
    RATE_LIMIT_WEBFORM_PER_MINUTE: '1000000',
    RATE_LIMIT_WEBHOOKS_PER_MINUTE: '1000000',
    RATE_LIMIT_CSAT_PER_MINUTE: '1000000',
    // A long benchmark signs in once: its tokens must outlive the run.
    JWT_TTL_SECONDS: '86400',
    ...layout.env,
    ...layout.serviceEnv,
  };
  // Only what a process needs from our environment: a stray IMAP_* or INBOUND_* in the shell must not silently
  // change what is measured; tuning goes through --set, where the report shows it.
  for (const key of ['PATH', 'HOME', 'LANG', 'TZ', 'NODE_PATH']) if (process.env[key]) env[key] = process.env[key]!;
  let cwd = process.cwd();
  if (layout.nodeArgs.length > 0) {
    // --prof and --cpu-prof write into the working directory; keep their files out of the project.
    cwd = mkdtempSync(join(os.tmpdir(), `${prefix}-node-`));
  }
  const processes: ServiceProcess[] = [];
  onCleanup('service processes', () => Promise.all(processes.map((s) => s.stop())));
  // Every role listens on PORT (a worker for /health and /metrics), so each process gets a port of its own.
  for (const { label, role } of layout.processes) {
    const port = await freePort();
    processes.push(new ServiceProcess(label, { ...env, APP_ROLE: role, PORT: String(port) }, layout.nodeArgs, cwd, port));
  }
  return { processes, env, cwd };
}

/** The keys under `prefix` on the shared Redis are removed at the end. */
async function cleanKeysAtEnd(prefix: string): Promise<void> {
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
}

/**
 * Starts process `index` of `service` again on the same port with the same settings (what a supervisor does
 * after a crash); the old one must have exited. The cleanup stops the new one.
 */
export function restartProcess(service: Service, index: number, nodeArgs: string[] = []): ServiceProcess {
  const old = service.processes[index];
  if (old.alive) throw new Error(`${old.label} is still running`);
  const role = old.role;
  const fresh = new ServiceProcess(old.label, { ...service.env, APP_ROLE: role, PORT: String(old.port) }, nodeArgs, service.cwd, old.port);
  service.processes[index] = fresh;
  return fresh;
}

/** Polls GET /health of every process every `everyMs` until each has answered 200; returns when the last one did. */
export async function waitHealthy(services: ServiceProcess[], everyMs: number, timeoutMs = 60_000): Promise<number> {
  await until('GET /health of every process', timeoutMs, everyMs, async () => {
    assertAlive(services);
    for (const s of services) if (Number.isNaN(s.healthyAt) && (await healthy(s.port))) s.healthyAt = now();
    return services.every((s) => !Number.isNaN(s.healthyAt));
  });
  return Math.max(...services.map((s) => s.healthyAt));
}

/**
 * Every centre of the schema open round the clock on whatever day the benchmark runs: the week all day, and
 * yesterday, today and tomorrow (Riga) as special dates, since a public holiday closes the week's hours.
 */
export async function openAroundTheClock(db: Client): Promise<void> {
  const allDay = [['00:00', '24:00']];
  const week = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, allDay]));
  const special = Object.fromEntries([-1, 0, 1].map((k) => [rigaDate(new Date(Date.now() + k * 86_400_000)), allDay]));
  await sql(db, 'UPDATE business_hours SET hours = $1::jsonb, special_hours = $2::jsonb', [JSON.stringify(week), JSON.stringify(special)]);
}

/** One counter of a process's /metrics (the sum of its series when it has labels is not read: the unlabelled line). */
export async function metricOf(service: Pick<Service, 'env'>, process: ServiceProcess, name: string): Promise<number> {
  const text = await new Promise<string>((resolve, reject) => {
    http
      .get(
        { host: '127.0.0.1', port: process.port, path: '/metrics', headers: { Authorization: `Bearer ${service.env.METRICS_TOKEN}` } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve(body));
        },
      )
      .on('error', reject);
  });
  return Number(
    text
      .split('\n')
      .find((l) => l.startsWith(`${name} `))
      ?.split(' ')[1] ?? NaN,
  );
}

/**
 * Statistics for every table of the schema, as autovacuum gathers them on a live system (at most a minute after a
 * table grows). Without them a fresh schema keeps, for the whole run, the plans its sessions made while the tables
 * were empty: a foreign-key check that scans its table, measured at half of all checks on tickets.
 */
export async function analyzeSchema(admin: Client, schema: string): Promise<void> {
  const tables = await sql<{ t: string }>(
    admin,
    `SELECT format('%I.%I', table_schema, table_name) AS t FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`,
    [schema],
  );
  if (tables.length > 0) await admin.query(`ANALYZE ${tables.map((r) => r.t).join(', ')}`);
}

// ---------------------------------------------------------------------------------------------------------
// Same-work baselines: the service's rows written by a bare handler

/**
 * A schema for a same-work baseline, migrated as the service's is (its triggers build the search documents, its
 * seed makes the institutions, queues and SLA policies), so that the baseline writes the same tables with the same
 * indexes and triggers; with a sequence of its own for references. Removed at the end.
 */
export async function migrateSameWorkSchema(admin: Client, schema: string): Promise<string> {
  onCleanup(`schema ${schema}`, () => admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const dataSource = join(__dirname, '../../src/database/data-source.js');
  const migrate = spawn(
    process.execPath,
    [
      '-e',
      `const ds = require(${JSON.stringify(dataSource)}).default; ds.initialize().then(() => ds.runMigrations()).then(() => ds.destroy())`,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { PATH: process.env.PATH, DATABASE_URL, DATABASE_SCHEMA: schema } },
  );
  const code = await new Promise<number | null>((resolve) => migrate.once('exit', resolve));
  if (code !== 0) throw new Error(`migrating the same-work schema ${schema} failed (exit ${code})`);
  await admin.query(`CREATE SEQUENCE "${schema}".bench_same_work_references`);
  return schema;
}

/** A bare handler: `code` runs in a node process of its own and prints the port it listens on. */
export async function spawnHandler(label: string, code: string): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  onCleanup(label, async () => void child.kill('SIGTERM'));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (d) => resolve(Number(String(d).trim())));
    child.once('exit', () => reject(new Error(`the ${label} exited`)));
  });
  return { port, child };
}

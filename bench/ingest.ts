/**
 * Ingest benchmark (not a test: it prints figures and exits 0 whether or not the goals are met).
 *
 * Signed Latvija.lv web-form submissions are posted by N concurrent clients to the real service, started from
 * dist/ as separate api and worker processes, and timed end to end: from the first send until the last
 * accepted event is visible as a row in `tickets`. In the same run, the same pg driver with the same
 * concurrency performs the naive per-event transaction (1 SELECT + 4 single-row INSERTs), so the result is a
 * ratio against what this machine's PostgreSQL can do the simple way, not only an absolute number that means
 * something different on every box. Then the same clients post the same forms to a same-work baseline: a bare
 * node:http handler that checks the signature and writes, in one statement, the rows the service writes for a form
 * (counted per table on both sides and printed), so that a second ratio says what the service's pipeline costs
 * beyond the work itself. Every side is warmed up with the same number of events and its tables analysed before
 * the clock starts, as autovacuum would have analysed them on a system in use.
 *
 *   npm run bench -- --clients 64 --events 20000 --api 1 --workers 1 --set INBOUND_BATCH_SIZE=500
 *
 * With --free-text the same processes take four measured phases one after the other, in the order A B B A: forms
 * that name their institution and topic (nothing to classify, A) and forms of free text that level 0 classifies
 * (B), so that warm-up and the tables' growth weigh on both kinds alike. The rates come from the last phase. The
 * CPU time per event of the api and worker processes is printed for each phase, with the ratio of the two kinds:
 * what classification costs, measured side by side (CPU time is less sensitive to the machine's load than wall
 * time).
 *
 * Everything lives in a fresh schema and Redis prefix that are removed at the end, also on error or Ctrl-C.
 */
import { SEED_EXAMPLES } from '@lib/contact-classifier';
import { legacyCheckDigit } from '@lib/personal-code';
import { signTimestampedHmac } from '@lib/webhook-signature';
import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { join } from 'node:path';
import { Client } from 'pg';
import { QueueName } from '../src/queues';
import { busy, coresBetween, CpuUse, cpuSnapshot, MACHINE_LABEL, OTHER_CPU_WARNING, OTHER_LABEL } from './support/cpu';
import { now, onCleanup, runBench, sleep, stopping, until } from './support/lifecycle';
import { parseFlags } from './support/options';
import { rowsByTable, rowsPerEvent } from './support/table-rows';
import { fmt, machineLine, nodeArgsLine, table } from './support/report';
import {
  assertAlive,
  checkConnections,
  analyzeSchema,
  connect,
  DATABASE_URL,
  metricOf,
  migrateSameWorkSchema,
  REDIS_URL,
  serviceSetting,
  ServiceProcess,
  settingsLine,
  spawnHandler,
  sql,
  startService,
  waitHealthy,
  warningsOf,
} from './support/service';

const WEBFORM_SECRET = `bench-webform-${randomBytes(16).toString('hex')}`;
const INSTITUTIONS = ['VSAA', 'VID', 'NVA', 'LAD', 'VZD', 'PMLP', 'VDI', 'UR'];
const GOAL_EVENTS_PER_SECOND = 1500;
const GOAL_RATIO = 1.0;
/** Level-0 classification may add this much to the service's CPU time per event (issue 17). */
const GOAL_CLASSIFICATION_CPU = 0.2;

// ---------------------------------------------------------------------------------------------------------
// Options

interface Options {
  api: number;
  workers: number;
  clients: number;
  events: number;
  warmup: number;
  durationS: number;
  drainTimeoutS: number;
  baseline: boolean;
  /** Submissions name no institution or topic: level 0 classifies each one's free text. */
  freeText: boolean;
  baselineEvents: number;
  serviceEnv: Record<string, string>;
  nodeArgs: string[];
}

function parseOptions(): Options {
  const { values, int, serviceEnv, nodeArgs } = parseFlags(
    'npm run bench',
    {
      api: { type: 'string' },
      workers: { type: 'string' },
      clients: { type: 'string' },
      events: { type: 'string' },
      warmup: { type: 'string' },
      duration: { type: 'string' },
      'drain-timeout': { type: 'string' },
      'baseline-events': { type: 'string' },
      'no-baseline': { type: 'boolean' },
      'free-text': { type: 'boolean' },
    },
    [
      ['--api N', 'api processes (default 1)'],
      ['--workers N', 'worker processes (default 1)'],
      ['--clients N', 'concurrent HTTP clients, and naive-baseline connections (default 64)'],
      ['--events N', 'measured submissions (default 20000)'],
      ['--warmup N', 'submissions before measuring, not counted (default 500)'],
      ['--duration S', 'stop sending after S seconds even if --events is not reached (default 45)'],
      ['--drain-timeout S', 'longest wait for the last ticket after the last accept (default 60)'],
      ['--baseline-events N', 'events of each baseline (default: --events)'],
      ['--no-baseline', 'skip the naive and the same-work baselines'],
      ['--free-text', "a phase of named forms, then one of citizens' free-text questions that level 0 classifies; CPU per event of each"],
    ],
  );
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
    freeText: values['free-text'] ?? false,
    baselineEvents: int(values['baseline-events'], 'BASELINE_EVENTS', events, 1, 1_000_000),
    serviceEnv,
    nodeArgs,
  };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
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
  institution?: string;
  topic?: string;
  language: string;
  applicant: { firstName: string; lastName: string; personalCode: string; email: string; phone: string };
  subject: string;
  message: string;
}

let freeText = false;

function submission(run: string, i: number): Submission {
  const form = namedSubmission(run, i);
  if (!freeText) return form;
  const example = SEED_EXAMPLES[(i * 7) % SEED_EXAMPLES.length];
  return {
    ...form,
    institution: undefined,
    topic: undefined,
    language: example.language ?? 'lv',
    subject: example.text.slice(0, 60),
    message: example.text,
  };
}

function namedSubmission(run: string, i: number): Submission {
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
      email: `${firstName
        .normalize('NFD')
        .replace(/[^a-zA-Z]/g, '')
        .toLowerCase()}.${i}@example.lv`,
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
async function runLoad(
  ports: number[],
  clients: number,
  run: string,
  from: number,
  count: number,
  deadlineMs: number,
): Promise<LoadResult> {
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
  cpu: CpuUse;
  /** Bytes of WAL PostgreSQL wrote over the measured window. */
  walBytes: number;
}

async function runBaseline(schema: string, connections: number, count: number, warmup: number, run: string): Promise<BaselineResult> {
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
  let last = 0;
  let deadline = now() + 120_000;
  const loop = async (client: Client) => {
    while (next < last && now() < deadline && !stopping) {
      const i = next++;
      const s = submission(run, i);
      const code = s.applicant.personalCode.replace('-', '');
      await client.query('BEGIN');
      try {
        const found = await client.query('SELECT customer_id FROM customer_identifiers WHERE kind = $1 AND value = $2', [
          'personal_code',
          code,
        ]);
        if (found.rowCount !== 0) throw new Error('baseline applicants are meant to be new');
        const customer = await client.query(
          'INSERT INTO customers (first_name, last_name, preferred_language) VALUES ($1, $2, $3) RETURNING id',
          [s.applicant.firstName, s.applicant.lastName, s.language],
        );
        const customerId = customer.rows[0].id;
        await client.query('INSERT INTO customer_identifiers (customer_id, kind, value) VALUES ($1, $2, $3)', [
          customerId,
          'personal_code',
          code,
        ]);
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
  let started = NaN;
  let cpuStart = cpuSnapshot([], 'bench (naive clients)');
  let walStart = '0/0';
  try {
    // Warmed up and analysed as the service is (runPhase), so that both are measured with their tables' statistics.
    last = warmup;
    await Promise.all(clients.map(loop));
    await analyzeSchema(admin, schema);
    done = 0;
    last = warmup + count;
    cpuStart = cpuSnapshot([], 'bench (naive clients)');
    walStart = await walPosition(admin);
    started = now();
    deadline = started + 120_000;
    await Promise.all(clients.map(loop));
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
  const seconds = (now() - started) / 1000;
  const cpu = coresBetween(cpuStart, cpuSnapshot([], 'bench (naive clients)'));
  const walBytes = await walSince(admin, walStart);
  await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
  return { events: done, seconds, connections, cpu, walBytes };
}

// ---------------------------------------------------------------------------------------------------------
// The same-work baseline: the service's rows for a form, written by a bare handler in one statement.

/**
 * A bare node:http handler that checks the signature as the service does (the same library) and writes the form's
 * rows with the statement of support/same-work-webform.ts (what it writes and leaves out is said there), through a
 * pool the size of the service's, as a prepared statement, answering once they are committed.
 */
function sameWorkCode(schema: string, poolSize: number): string {
  const signatureLib = join(__dirname, '../libs/webhook-signature/src/index.js');
  return `
    const http = require('node:http');
    const { Pool } = require('pg');
    const { verifyTimestampedHmac } = require(${JSON.stringify(signatureLib)});
    const { PLACE_FORM_SQL, placeFormValues } = require(${JSON.stringify(join(__dirname, 'support/same-work-webform.js'))});
    const secret = ${JSON.stringify(WEBFORM_SECRET)};
    const pool = new Pool({ connectionString: ${JSON.stringify(DATABASE_URL)}, max: ${poolSize}, options: '-c search_path=${schema},public' });
    const answer = (res, status, body) => { res.writeHead(status, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(body)); };
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const check = verifyTimestampedHmac(secret, req.headers['x-signature'], raw, { maxSkewSeconds: 300 });
        if (!check.ok) return answer(res, 401, { reason: check.reason });
        let values;
        try { values = placeFormValues(raw.toString('utf8')); } catch (e) { return answer(res, 422, { reason: e.message }); }
        pool
          .query({ name: 'place-form', text: PLACE_FORM_SQL, values })
          .then((r) => answer(res, 202, { reference: r.rows[0].reference }), (e) => answer(res, 500, { reason: e.message }));
      });
    });
    server.keepAliveTimeout = 65000;
    server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
  `;
}

interface SameWorkResult {
  load: LoadResult;
  cpu: CpuUse;
  walBytes: number;
  rows: Map<string, number>;
}

/**
 * The same-work baseline, driven by the same clients as the service (runLoad), warmed up and analysed as both
 * others are. Its forms are answered once their rows are committed, so its end to end is its last answer.
 */
async function runSameWork(admin: Client, schema: string, opts: Options, run: string, poolSize: number): Promise<SameWorkResult> {
  await migrateSameWorkSchema(admin, schema);
  const handler = await spawnHandler('same-work handler', sameWorkCode(schema, poolSize));
  try {
    const parts = [{ label: 'same-work node:http', pid: handler.child.pid }];
    if (opts.warmup > 0) await runLoad([handler.port], opts.clients, run, 0, opts.warmup, 60_000);
    await analyzeSchema(admin, schema);
    const before = await rowsByTable(admin, schema);
    const walStart = await walPosition(admin);
    const cpuStart = cpuSnapshot(parts, 'bench clients');
    const load = await runLoad([handler.port], opts.clients, run, opts.warmup, opts.baselineEvents, opts.durationS * 1000);
    const cpu = coresBetween(cpuStart, cpuSnapshot(parts, 'bench clients'));
    const walBytes = await walSince(admin, walStart);
    const rows = rowsPerEvent(before, await rowsByTable(admin, schema), load.accepted);
    if (load.accepted === 0)
      throw new Error(`the same-work handler accepted nothing; answers: ${[...load.refused].map(([k, v]) => `${k}×${v}`).join(', ')}`);
    return { load, cpu, walBytes, rows };
  } finally {
    handler.child.kill('SIGTERM');
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// One measured phase of the service

interface Phase {
  label: string;
  load: LoadResult;
  ticketsBefore: number;
  backlogAtLastAccept: number;
  lastTicketAt: number;
  samples: Array<[at: number, tickets: number]>;
  cpu: CpuUse;
  ticketsAfter: number;
  warnings: number;
  /** vp_db_statements_total of each service process over the window: how well its batches filled. */
  statements: number[];
  /** Bytes of WAL PostgreSQL wrote over the window. */
  walBytes: number;
}

interface PhaseContext {
  opts: Options;
  services: ServiceProcess[];
  serviceEnv: Record<string, string>;
  ports: number[];
  run: string;
  ticketCount: () => Promise<number>;
  /** ANALYZE of the service's schema, after each warm-up (analyzeSchema says why). */
  analyze: () => Promise<void>;
  /** The connection that reads the server's WAL position. */
  admin: Client;
}

/** A warm-up, then the measured load, with events `from` onwards; each phase warms up what it alone uses. */
async function runPhase(
  { opts, services, serviceEnv, ports, run, ticketCount, analyze, admin }: PhaseContext,
  label: string,
  from: number,
): Promise<Phase> {
  // Warm-up: JIT, connection pools, the year's reference sequence and caches, all before the clock starts.
  if (opts.warmup > 0) {
    const before = await ticketCount();
    const warm = await runLoad(ports, opts.clients, run, from, opts.warmup, 60_000);
    await until('warm-up tickets', 60_000, 50, async () => {
      assertAlive(services);
      return (await ticketCount()) >= before + warm.accepted;
    });
  }
  await analyze();
  const ticketsBefore = await ticketCount();
  const warningsBefore = warningsOf(services);

  // Measured phase. A sampler records the ticket count over time, from which the steady-state commit rate is
  // taken between 10 % and 90 % of the accepted events, free of the ramp-up and of the drain tail.
  const cpuParts = () => services.map((s) => ({ label: s.label, pid: s.child.pid }));
  const statements = () => Promise.all(services.map((p) => metricOf({ env: serviceEnv }, p, 'vp_db_statements_total')));
  const statementsBefore = await statements();
  const walStart = await walPosition(admin);
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
  const load = await runLoad(ports, opts.clients, run, from + opts.warmup, opts.events, opts.durationS * 1000);
  if (load.accepted === 0)
    throw new Error(`no submission was accepted; answers: ${[...load.refused].map(([k, v]) => `${k}×${v}`).join(', ')}`);
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
  const statementsAfter = await statements();
  const walBytes = await walSince(admin, walStart);
  const ticketsAfter = (await ticketCount()) - ticketsBefore;
  const warnings = warningsOf(services) - warningsBefore;
  return {
    label,
    load,
    ticketsBefore,
    backlogAtLastAccept,
    lastTicketAt,
    samples,
    cpu,
    ticketsAfter,
    warnings,
    statements: statementsAfter.map((n, i) => n - statementsBefore[i]),
    walBytes,
  };
}

/**
 * The server's WAL position. What a design writes per event shows in WAL bytes whatever else loads the machine,
 * where its CPU time does not: a row written twice costs twice its WAL (a checkpoint in the window adds full pages).
 */
async function walPosition(admin: Client): Promise<string> {
  return (await admin.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn;
}

async function walSince(admin: Client, start: string): Promise<number> {
  return Number((await admin.query<{ bytes: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1) AS bytes', [start])).rows[0].bytes);
}

async function main(): Promise<void> {
  const opts = parseOptions();
  // With --free-text the naive baseline's rows carry the free texts, the larger of the two kinds.
  freeText = opts.freeText;
  const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const schema = `bench_${run}`;
  const prefix = `bench_${run}`;

  const admin = await connect();
  onCleanup('database connection', () => admin.end());
  const { free: freeConnections, pgVersion } = await checkConnections(admin, opts.api + opts.workers, opts.serviceEnv);

  // Baseline first, while nothing else runs; a checkpoint after it so its dirty pages are not written on the service's time.
  let baseline: BaselineResult | null = null;
  let sameWork: SameWorkResult | null = null;
  const poolSize = Number(serviceSetting(opts.serviceEnv, 'DATABASE_POOL_SIZE'));
  if (opts.baseline) {
    const connections = Math.min(opts.clients, freeConnections);
    baseline = await runBaseline(`${schema}_naive`, connections, opts.baselineEvents, opts.warmup, run);
    await admin.query('CHECKPOINT');
    sameWork = await runSameWork(admin, `${schema}_same_work`, opts, run, poolSize);
    await admin.query('CHECKPOINT');
  }

  const numbered: Record<string, number> = { api: 0, worker: 0 };
  const roles = [...Array.from({ length: opts.api }, () => 'api'), ...Array.from({ length: opts.workers }, () => 'worker')];
  const {
    processes: services,
    cwd,
    env: serviceEnv,
  } = await startService(admin, {
    schema,
    prefix,
    processes: roles.map((role) => ({ label: `${role} #${++numbered[role]}`, role })),
    env: { WEBFORM_SECRET },
    serviceEnv: opts.serviceEnv,
    nodeArgs: opts.nodeArgs,
  });
  const ports = services.filter((s) => s.label.startsWith('api')).map((s) => s.port);
  await waitHealthy(services, 200);
  const seeded = await rowsByTable(admin, schema);
  const queue = new Queue(QueueName.Inbound, { prefix, connection: { url: REDIS_URL, maxRetriesPerRequest: 3 } });
  onCleanup('queue connection', () => queue.close());
  await until('every worker registered on the inbound queue', 60_000, 200, async () => {
    assertAlive(services);
    return (await queue.getWorkersCount()) >= opts.workers;
  });

  const db = await connect(schema);
  onCleanup('polling connection', () => db.end());
  const ticketCount = async () => Number((await sql<{ n: string }>(db, 'SELECT count(*) AS n FROM tickets'))[0].n);

  const context: PhaseContext = { opts, services, serviceEnv, ports, run, ticketCount, analyze: () => analyzeSchema(admin, schema), admin };
  const phases: Phase[] = [];
  if (opts.freeText) {
    // A B B A: the first phase of a fresh process pays for JIT, caches and index growth that later ones do not,
    // so each kind gets one early and one late phase and the drift cancels out in their sums.
    const order: Array<[label: string, classified: boolean]> = [
      ['named forms', false],
      ['free text (classified)', true],
      ['free text (classified)', true],
      ['named forms', false],
    ];
    for (const [index, [label, classified]] of order.entries()) {
      freeText = classified;
      phases.push(await runPhase(context, label, index * (opts.warmup + opts.events)));
    }
  } else {
    phases.push(await runPhase(context, 'named forms', 0));
  }
  // The rates are the last phase's (with --free-text, the late named-forms phase).
  const { load, backlogAtLastAccept, lastTicketAt, samples, cpu, ticketsAfter, warnings } = phases[phases.length - 1];
  // Proof that the free-text phases were classified and the named ones were not: otherwise the ratio compares nothing.
  const [classifiedRows] = await sql<{ classified: string; unclassified: string }>(
    db,
    `SELECT count(*) FILTER (WHERE classifier_version IS NOT NULL) AS classified,
            count(*) FILTER (WHERE classifier_version IS NULL) AS unclassified FROM tickets`,
  );
  const [statuses] = await sql<{ accepted: string; processed: string; failed: string }>(
    db,
    `SELECT count(*) FILTER (WHERE status = 'accepted') AS accepted, count(*) FILTER (WHERE status = 'processed') AS processed,
            count(*) FILTER (WHERE status = 'failed') AS failed FROM inbound_events`,
  );

  const written = await rowsByTable(admin, schema);
  const serviceRows = rowsPerEvent(seeded, written, (written.get('tickets') ?? 0) - (seeded.get('tickets') ?? 0));

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

  const refused = [...load.refused].map(([k, v]) => `${k}×${v}`).join(', ') || 'none';

  const out: string[] = [];
  out.push('');
  out.push('Web-form ingest benchmark');
  out.push(machineLine(pgVersion));
  out.push(`layout    ${opts.api} api + ${opts.workers} worker process(es); ${settingsLine(opts.serviceEnv)}`);
  out.push(
    `load      ${opts.clients} clients, ${fmt(load.accepted)} of ${fmt(opts.events)} events accepted (refused: ${refused}), warm-up ${fmt(opts.warmup)}${load.stoppedByDuration ? `, stopped by --duration ${opts.durationS}s` : ''}`,
  );
  const nodeLine = nodeArgsLine(opts.nodeArgs, cwd, services);
  if (nodeLine) out.push(nodeLine);
  out.push(
    `baseline  ${baseline ? `${fmt(baseline.events)} naive transactions on ${baseline.connections} connections in ${fmt(baseline.seconds, 2)} s` : 'skipped'}`,
  );
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
  // The same work: what the service's pipeline costs beyond writing its rows.
  const sameWorkSeconds = sameWork ? (sameWork.load.lastAcceptAt - sameWork.load.firstSendAt) / 1000 : NaN;
  const sameWorkRate = sameWork ? sameWork.load.accepted / sameWorkSeconds : NaN;
  const sameWorkRatio = e2eRate / sameWorkRate;
  if (sameWork) {
    out.push(
      `same work ${fmt(sameWork.load.accepted)} forms by the same ${opts.clients} clients to a bare node:http handler (signature, one statement, pool of ${poolSize}) in ${fmt(sameWorkSeconds, 2)} s`,
    );
    out.push(
      table([
        ['figure', 'service', 'same work', 'ratio'],
        ['end-to-end events/s (rows committed)', fmt(e2eRate), fmt(sameWorkRate), fmt(sameWorkRatio, 2)],
        ['answer latency p50, ms', fmt(percentile(load.latenciesMs, 50), 1), fmt(percentile(sameWork.load.latenciesMs, 50), 1), ''],
        ['answer latency p99, ms', fmt(percentile(load.latenciesMs, 99), 1), fmt(percentile(sameWork.load.latenciesMs, 99), 1), ''],
      ]),
    );
    const tables = [...new Set([...serviceRows.keys(), ...sameWork.rows.keys()])].sort();
    out.push(
      `rows per event, by table, the service | the same work: ${tables
        .map((t) => `${t} ${fmt(serviceRows.get(t) ?? 0, 2)} | ${fmt(sameWork.rows.get(t) ?? 0, 2)}`)
        .join(', ')}`,
    );
    out.push('');
  }
  // One row per part of either phase; a part that did not take part in a phase shows blank.
  const labels = [...new Set([...cpu.cores.keys(), ...(baseline?.cpu.cores.keys() ?? []), ...(sameWork?.cpu.cores.keys() ?? [])])].sort(
    (a, b) => Number(a === MACHINE_LABEL) - Number(b === MACHINE_LABEL) || Number(a === OTHER_LABEL) - Number(b === OTHER_LABEL),
  );
  const cores = (m: CpuUse['cores'] | undefined, label: string) => (m?.has(label) ? fmt(busy(m.get(label)!), 2) : '');
  out.push(
    `CPU, in cores (1.00 = one core busy), over the service's measured window (${fmt(cpu.seconds, 1)} s), the naive baseline's (${fmt(baseline?.cpu.seconds ?? NaN, 1)} s) and the same work's (${fmt(sameWork?.cpu.seconds ?? NaN, 1)} s)`,
  );
  out.push(
    table([
      ['process', 'service', 'naive', 'same work'],
      ...labels.map((l) => [l, cores(cpu.cores, l), cores(baseline?.cpu.cores, l), cores(sameWork?.cpu.cores, l)]),
    ]),
  );
  out.push('');
  // CPU seconds of each service process over a phase's measured window, per event accepted in it.
  const usPerEvent = (p: Phase, labels: string[]) =>
    (labels.reduce((a, l) => a + busy(p.cpu.cores.get(l) ?? [NaN, NaN]), 0) * p.cpu.seconds * 1e6) / p.load.accepted;
  const serviceLabels = services.map((s) => s.label);
  // PostgreSQL and Redis too: work the service moves between its processes and the servers shows only with them.
  const cpuRows = [
    ...serviceLabels.map((l) => [l, [l]] as const),
    ['api + worker processes', serviceLabels] as const,
    ['postgresql', ['postgresql']] as const,
    ['redis', ['redis']] as const,
  ];
  const named = phases.filter((p) => !p.label.startsWith('free text'));
  const classified = phases.filter((p) => p.label.startsWith('free text'));
  const compared = classified.length > 0;
  // CPU per event over all phases of one kind: total CPU-µs ÷ total events, so a short phase weighs less.
  const usPerEventOf = (kind: Phase[], labels: string[]) =>
    kind.reduce((a, p) => a + usPerEvent(p, labels) * p.load.accepted, 0) / kind.reduce((a, p) => a + p.load.accepted, 0);
  out.push(`CPU per event, µs (user + kernel of the process over the phase's measured window, ÷ events accepted in it)`);
  out.push(
    table([
      [
        'process',
        ...phases.map((p, i) => `${compared ? `${i + 1}. ` : ''}${p.label} (${fmt(p.load.accepted)})`),
        ...(compared ? ['ratio, free ÷ named'] : []),
      ],
      ...cpuRows.map(([label, labels]) => [
        label,
        ...phases.map((p) => fmt(usPerEvent(p, [...labels]), 0)),
        ...(compared ? [fmt(usPerEventOf(classified, [...labels]) / usPerEventOf(named, [...labels]), 2)] : []),
      ]),
    ]),
  );
  // Fewer statements per event where batches fill: a process that keeps up sooner writes smaller batches.
  out.push(
    `SQL statements per event (vp_db_statements_total ÷ events accepted): ${phases
      .map((p) => services.map((s, i) => `${s.label} ${fmt(p.statements[i] / p.load.accepted, 2)}`).join(', '))
      .join('; ')}`,
  );
  out.push(
    `PostgreSQL WAL per event, bytes: ${phases.map((p) => `${p.label} ${fmt(p.walBytes / p.load.accepted)}`).join('; ')}${
      baseline ? `; naive transaction ${fmt(baseline.walBytes / baseline.events)}` : ''
    }${sameWork ? `; same work ${fmt(sameWork.walBytes / sameWork.load.accepted)}` : ''}`,
  );
  if (!sameWork) out.push(`rows per event, by table: ${[...serviceRows].map(([t, n]) => `${t} ${fmt(n, 2)}`).join(', ')}`);
  out.push('');
  out.push(
    `check     tickets ${fmt(ticketsAfter)} / accepted ${fmt(load.accepted)}; inbound_events processed ${statuses.processed}, pending ${statuses.accepted}, failed ${statuses.failed}; service warnings ${warnings}`,
  );
  if (compared)
    out.push(
      `          tickets with a classifier version ${fmt(Number(classifiedRows.classified))}, without ${fmt(Number(classifiedRows.unclassified))} (all phases with their warm-ups)`,
    );
  const e2eOk = e2eRate >= GOAL_EVENTS_PER_SECOND;
  const ratioOk = ratio >= GOAL_RATIO;
  const disturbed = [...phases.map((p) => p.cpu), baseline?.cpu]
    .map((c) => busy(c?.cores.get(OTHER_LABEL) ?? [0, 0]))
    .some((o) => o > OTHER_CPU_WARNING);
  if (disturbed)
    out.push(
      `note      other processes used more than ${OTHER_CPU_WARNING} cores during a measured window: the figures are disturbed, rerun on a quiet machine`,
    );
  const classificationCost = compared ? usPerEventOf(classified, serviceLabels) / usPerEventOf(named, serviceLabels) - 1 : NaN;
  const classificationGoal = compared
    ? `; classification adds ≤ ${fmt(GOAL_CLASSIFICATION_CPU * 100)} % CPU per event (adds ${fmt(classificationCost * 100, 1)} %): ${classificationCost <= GOAL_CLASSIFICATION_CPU ? 'MET' : 'NOT MET'}`
    : '';
  out.push(
    `goals     end-to-end ≥ ${fmt(GOAL_EVENTS_PER_SECOND)} events/s: ${e2eOk ? 'MET' : 'NOT MET'}; ratio ≥ ${fmt(GOAL_RATIO, 1)} to the naive transaction: ${baseline ? (ratioOk ? 'MET' : 'NOT MET') : 'n/a (no baseline)'}${
      sameWork
        ? `; ratio to the same work ${fmt(sameWorkRatio, 2)} (≥ ${fmt(GOAL_RATIO, 1)}: ${sameWorkRatio >= GOAL_RATIO ? 'met' : 'not met'})`
        : ''
    }${classificationGoal}`,
  );
  out.push('');
  process.stdout.write(out.join('\n'));
}

runBench(main);

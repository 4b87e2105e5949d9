/**
 * IVR benchmark (not a test: it prints figures and exits 0 whether or not the goals are met).
 *
 * Simulated callers walk the real IVR of the real service (api and worker processes started from dist/), each
 * request signed with the twilio package exactly as Twilio signs it, each answer parsed for the next URL:
 * language → institution → answer → hang-up (self-served), some to an operator (a ticket at the hand-over), some
 * pressing a wrong key first. Two phases, each run against the service and, in the same run, against a bare
 * Node HTTP handler that answers a fixed TwiML document (the floor of what this machine's HTTP stack costs), and
 * against a same-work baseline: a bare node:http handler that checks the Twilio signature with the twilio package
 * and writes the same rows per step with `pg` directly, one statement per step and no framework (the call's row
 * upserted with its path at each step, as the service's progress writes do; at the status callback the call's
 * end, its inbound event, customer, ticket, message, contact, SLA clock and a hand-over's escalation). The rows
 * each side wrote per call are counted and printed, table by table:
 *
 *   1. offered load: steps started at a fixed rate (default 1,000/s), latency p50/p99 of each step;
 *   2. saturation: N callers with no think time, steps/s — the throughput ratio service / bare handler.
 *
 *   npm run bench:ivr -- --rate 1000 --duration 15 --callers 64
 *
 * Everything lives in a fresh schema and Redis prefix that are removed at the end, also on error or Ctrl-C.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Client } from 'pg';
import twilio from 'twilio';
import { busy, coresBetween, CpuPart, cpuSnapshot, CpuUse, MACHINE_LABEL, OTHER_CPU_WARNING, OTHER_LABEL } from './support/cpu';
import { now, onCleanup, runBench, sleep, stopping, until } from './support/lifecycle';
import { parseFlags } from './support/options';
import { fmt, machineLine, nodeArgsLine, table } from './support/report';
import {
  analyzeSchema,
  assertAlive,
  checkConnections,
  connect,
  DATABASE_URL,
  metricOf,
  migrateSameWorkSchema,
  serviceSetting,
  openAroundTheClock,
  spawnHandler,
  settingsLine,
  sql,
  startService,
  waitHealthy,
  warningsOf,
} from './support/service';

const AUTH_TOKEN = `bench-twilio-${randomBytes(16).toString('hex')}`;
const PUBLIC_BASE_URL = 'https://ivr.bench.invalid';
const PREFIX = '/v1/channels/voice/twilio';
const GOAL_P99_MS = 20;
const GOAL_RATIO = 0.3;
/** Saturation throughput of the service against the same-work baseline. */
const GOAL_SAME_WORK_RATIO = 1.0;
const GOAL_CPU_US_PER_STEP = 250;
const WARM_UP_S = 3;
const FIXED_TWIML =
  '<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="dtmf" numDigits="1" timeout="6" action="https://ivr.bench.invalid/v1/channels/voice/twilio/menu?n=main&amp;l=lv&amp;s=1&amp;t=0" method="POST" actionOnEmptyResult="true" language="lv-LV"><Say language="lv-LV">Labdien! Jūs esat sazvanījis valsts pārvaldes pakalpojumu informatīvo tālruni.</Say></Gather></Response>';

interface Options {
  rate: number;
  durationS: number;
  callers: number;
  saturationS: number;
  serviceEnv: Record<string, string>;
  nodeArgs: string[];
}

function parseOptions(): Options {
  const { values, int, serviceEnv, nodeArgs } = parseFlags(
    'npm run bench:ivr',
    { rate: { type: 'string' }, duration: { type: 'string' }, callers: { type: 'string' }, saturation: { type: 'string' } },
    [
      ['--rate N', 'steps per second offered in phase 1 (default 1000)'],
      ['--duration S', 'seconds of phase 1 (default 15)'],
      ['--callers N', 'concurrent callers without think time in phase 2 (default 64)'],
      ['--saturation S', 'seconds of phase 2 (default 10)'],
    ],
  );
  return {
    rate: int(values.rate, 'RATE', 1000, 1, 20_000),
    durationS: int(values.duration, 'DURATION', 15, 1, 300),
    callers: int(values.callers, 'CALLERS', 64, 1, 1024),
    saturationS: int(values.saturation, 'SATURATION', 10, 1, 300),
    serviceEnv,
    nodeArgs,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Callers

const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

interface Target {
  port: number;
  /** The bare handler answers every URL with the same TwiML; a caller there walks a fixed script of URLs. */
  bare: boolean;
}

function post(target: Target, url: string, params: Record<string, string>): Promise<{ status: number; body: string }> {
  const body = new URLSearchParams(params).toString();
  const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: target.port,
        method: 'POST',
        path: url.slice(PUBLIC_BASE_URL.length),
        agent,
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(body),
          'X-Twilio-Signature': signature,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const actionOf = (xml: string, verb: 'Gather' | 'Enqueue') => {
  const m = verb === 'Gather' ? /<Gather[^>]* action="([^"]+)"/.exec(xml) : /<Enqueue[^>]* action="([^"]+)"/.exec(xml);
  return m ? m[1].replace(/&amp;/g, '&') : null;
};

/** What callers press: most are served by an answer, some want a person, some press a wrong key first. */
const SCRIPTS = [
  ['1', '2', '2'], // Latvian, VID, opening hours → hang up
  ['1', '1', '1'], // Latvian, VSAA, payment dates
  ['2', '3', '1'], // English, PMLP, passports
  ['1', '5'], // Latvian, centres' opening hours
  ['3', '4', '1'], // Russian, Latvija.lv, signing in
  ['1', '2', '0'], // Latvian, VID, operator → queued (a ticket now)
  ['1', '9', '2', '2'], // a wrong key, then VID, opening hours
  ['2', '1', '0'], // English, VSAA, operator
];

let callCounter = 0;
/** The first failure, shown in the report: an error count alone does not say what to fix. */
let firstError: string | undefined;
/** Latencies by webhook (incoming, language, menu, status…), to show which step costs what. */
const byStep = new Map<string, number[]>();

/** One call as a sequence of steps; `next()` performs the next one and says whether the call goes on. */
class SimulatedCall {
  private readonly callSid = `CA${randomBytes(16).toString('hex')}`;
  private readonly from = `+3712${String(++callCounter % 10_000_000).padStart(7, '0')}`;
  private readonly script: string[];
  private pressed = 0;
  private nextUrl: string | null = `${PUBLIC_BASE_URL}${PREFIX}/incoming`;
  private nextParams: Record<string, string> = {};
  done = false;

  constructor(private readonly target: Target) {
    this.script = SCRIPTS[callCounter % SCRIPTS.length];
  }

  private params(extra: Record<string, string>): Record<string, string> {
    return {
      AccountSid: `AC${'0'.repeat(32)}`,
      CallSid: this.callSid,
      From: this.from,
      To: '+37167000000',
      Direction: 'inbound',
      ...extra,
    };
  }

  /** Performs one step; resolves with its latency in ms. */
  async next(): Promise<number> {
    const url = this.nextUrl!;
    const started = now();
    const res = await post(this.target, url, this.params(this.nextParams));
    const ms = now() - started;
    const step = url.slice(PUBLIC_BASE_URL.length + PREFIX.length + 1).replace(/\?.*/, '');
    if (!this.target.bare) (byStep.get(step) ?? byStep.set(step, []).get(step)!).push(ms);
    if (res.status >= 300) throw new Error(`${url} answered ${res.status}: ${res.body.slice(0, 300)}`);
    if (url.endsWith('/status')) {
      this.done = true;
      return ms;
    }
    const digit = this.script[this.pressed++];
    const action = this.target.bare ? `${PUBLIC_BASE_URL}${PREFIX}/menu?n=main&l=lv&s=${this.pressed}&t=0` : actionOf(res.body, 'Gather');
    if (digit !== undefined && action) {
      this.nextUrl = action;
      this.nextParams = { CallStatus: 'in-progress', Digits: digit };
    } else {
      // Heard the answer (or queued): the call ends; Twilio posts the status callback.
      this.nextUrl = `${PUBLIC_BASE_URL}${PREFIX}/status`;
      this.nextParams = { CallStatus: 'completed', CallDuration: '60' };
    }
    return ms;
  }
}

/** Microseconds of CPU per step for each process, with the cores in use beside the machine total. */
function cpuTable(phases: Array<[string, PhaseResult]>): string {
  const labels = [...new Set(phases.flatMap(([, r]) => [...r.cpu.cores.keys()]))].sort(
    (x, y) => Number(x === MACHINE_LABEL) - Number(y === MACHINE_LABEL) || Number(x === OTHER_LABEL) - Number(y === OTHER_LABEL),
  );
  const cell = (r: PhaseResult, label: string) => {
    const cores = r.cpu.cores.get(label);
    if (!cores || !Number.isFinite(busy(cores)) || busy(cores) <= 0.005) return '';
    const perStep = (busy(cores) * 1e6) / (r.steps / r.seconds);
    return `${fmt(perStep)} (${fmt(busy(cores), 2)})`;
  };
  return table([['', ...labels], ...phases.map(([name, r]) => [name, ...labels.map((l) => cell(r, l))])]);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

interface PhaseResult {
  steps: number;
  errors: number;
  seconds: number;
  p50: number;
  p99: number;
  max: number;
  /** Cores used by each part of the system meanwhile. */
  cpu: CpuUse;
  /** The benchmark's own longest event-loop delay, ms: a late caller measures its own lateness too. */
  clientLagMs: number;
}

/** The processes whose CPU a phase accounts for; set once the service runs. */
let cpuParts: CpuPart[] = [];
const BENCH_LABEL = 'benchmark (callers)';

/**
 * Phase 1, open loop: a step is started every 1/rate s, whatever the answers do, by a caller whose previous
 * step has finished (a new call when none is free), so the offered load does not bend to the server's speed.
 */
async function offered(target: Target, rate: number, seconds: number): Promise<PhaseResult> {
  const latencies: number[] = [];
  let errors = 0;
  const ready: SimulatedCall[] = [];
  const inFlight = new Set<Promise<void>>();
  const cpuStart = cpuSnapshot(cpuParts, BENCH_LABEL);
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const start = now();
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total && !stopping; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 1) await sleep(wait);
    const call = ready.pop() ?? new SimulatedCall(target);
    const p: Promise<void> = call
      .next()
      .then((ms) => {
        latencies.push(ms);
        if (!call.done) ready.push(call);
      })
      .catch((error) => {
        errors += 1;
        firstError ??= (error as Error).message;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  lag.disable();
  const cpu = coresBetween(cpuStart, cpuSnapshot(cpuParts, BENCH_LABEL));
  const elapsed = (now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    steps: latencies.length,
    errors,
    seconds: elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
    cpu,
    clientLagMs: lag.max / 1e6,
  };
}

/** Phase 2, closed loop: `callers` callers each step again as soon as the previous answer is in. */
async function saturation(target: Target, callers: number, seconds: number): Promise<PhaseResult> {
  const latencies: number[] = [];
  let errors = 0;
  const cpuStart = cpuSnapshot(cpuParts, BENCH_LABEL);
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const start = now();
  const until = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      let call = new SimulatedCall(target);
      while (now() < until && !stopping) {
        try {
          latencies.push(await call.next());
        } catch (error) {
          errors += 1;
          firstError ??= (error as Error).message;
        }
        if (call.done) call = new SimulatedCall(target);
      }
    }),
  );
  lag.disable();
  const cpu = coresBetween(cpuStart, cpuSnapshot(cpuParts, BENCH_LABEL));
  const elapsed = (now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    steps: latencies.length,
    errors,
    seconds: elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
    cpu,
    clientLagMs: lag.max / 1e6,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The bare handler: plain node:http in a process of its own, reading the body and answering fixed TwiML.

async function startBare(): Promise<{ port: number; child: ChildProcess }> {
  return spawnHandler('bare handler', FIXED_BARE);
}

const FIXED_BARE = `
    const http = require('node:http');
    const twiml = ${JSON.stringify(FIXED_TWIML)};
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => { res.writeHead(200, { 'Content-Type': 'text/xml' }); res.end(twiml); });
    });
    server.keepAliveTimeout = 65000;
    server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
  `;

/**
 * The same-work baseline: the same rows the service writes for a call, written by a bare handler with the least
 * machinery. The signature is checked as the service checks it (twilio.validateRequest over the public URL and
 * the POST parameters). Every step upserts the call's row with its path, as the service's progress writes do. The
 * status callback then writes the rest in one statement: the call's end and outcome, the accepted and processed
 * inbound event, a customer with the caller's number, the ticket (level 0 and resolved when the IVR served the
 * caller; level 1 and queued after "0"), its message, its contact, its SLA clock with the clock's history, and the
 * escalation of a hand-over. The ticket's and message's search documents come from the schema's own triggers.
 * All of it goes into a schema of its own, migrated like the service's, through a pg pool the size of the service's,
 * as prepared statements (parsed and planned once per connection).
 * What it leaves out is what the service does besides: queues, the worker's hand-off, Redis, limits, logs.
 */
function sameWorkCode(schema: string, poolSize: number): string {
  return `
    const http = require('node:http');
    const { randomUUID } = require('node:crypto');
    const twilio = require('twilio');
    const { Pool } = require('pg');
    const token = ${JSON.stringify(AUTH_TOKEN)};
    const base = ${JSON.stringify(PUBLIC_BASE_URL)};
    const twiml = ${JSON.stringify(FIXED_TWIML)};
    const pool = new Pool({ connectionString: ${JSON.stringify(DATABASE_URL)}, max: ${poolSize}, options: '-c search_path=${schema},public' });
    const answer = (res, status, body) => { res.writeHead(status, { 'Content-Type': 'text/xml' }); res.end(body); };
    const year = new Date().getFullYear();
    const END_CALL = ${JSON.stringify(END_CALL_SQL)};
    const server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const params = Object.fromEntries(new URLSearchParams(body));
        if (!twilio.validateRequest(token, String(req.headers['x-twilio-signature'] || ''), base + req.url, params)) return answer(res, 403, 'signature');
        if (!/^CA[0-9a-fA-F]{32}$/.test(params.CallSid || '')) return answer(res, 422, 'CallSid');
        const step = req.url.replace(/^.*\\/([a-z-]+)(\\?.*)?$/, '$1') + (params.Digits ? ':' + params.Digits : '');
        const write = step === 'status'
          ? pool.query({ name: 'end-call', text: END_CALL, values: [params.CallSid, params.CallStatus || null, Number(params.CallDuration) || null, randomUUID(), randomUUID(), randomUUID(), randomUUID(), year] })
          : pool.query({
              name: 'step',
              text: "INSERT INTO calls AS c (call_sid, from_number, to_number, path) VALUES ($1, $2, $3, ARRAY[$4]) ON CONFLICT (call_sid) DO UPDATE SET path = c.path || EXCLUDED.path, updated_at = now()",
              values: [params.CallSid, params.From || 'unknown', params.To || null, step],
            });
        write.then(() => answer(res, 200, step === 'status' ? '<Response/>' : twiml), (e) => answer(res, 500, String(e.message)));
      });
    });
    server.keepAliveTimeout = 65000;
    server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
  `;
}

/**
 * The same-work baseline's call end, one statement: $1 call sid, $2 Twilio's status, $3 duration, $4 customer,
 * $5 ticket, $6 message and $7 event ids, $8 the reference's year. The texts are shaped as the service's.
 */
const END_CALL_SQL = `
  WITH call AS (
    UPDATE calls SET ended_at = now(), twilio_status = $2, duration_seconds = $3, ticket_requested_at = now(), updated_at = now(),
      outcome = CASE WHEN 'menu:0' = ANY(path) THEN 'handed_over' ELSE 'self_served' END
    WHERE call_sid = $1
    RETURNING call_sid, from_number, to_number, path, coalesce(language, 'lv') AS language, 'menu:0' = ANY(path) AS handed
  ), customer AS (
    INSERT INTO customers (id) SELECT $4 FROM call RETURNING id
  ), identifier AS (
    INSERT INTO customer_identifiers (customer_id, kind, value, provenance)
    SELECT $4, 'phone', from_number, 'channel' FROM call ON CONFLICT (kind, value) DO NOTHING
  ), queue AS (
    SELECT id FROM queues WHERE level = 1 ORDER BY is_general DESC, code LIMIT 1
  ), policy AS (
    SELECT id FROM sla_policies WHERE active ORDER BY scope, created_at LIMIT 1
  ), ticket AS (
    INSERT INTO tickets (id, reference, channel, kind, language, status, level, queue_id, customer_id, subject, origin_address,
                         resolved_at, sla_policy_id, sla_state, sla_due_at, first_response_due_at)
    SELECT $5, 'VP-' || $8 || '-' || lpad(nextval('bench_same_work_references')::text, 6, '0'), 'voice', 'consultation', call.language,
           CASE WHEN handed THEN 'queued' ELSE 'resolved' END, CASE WHEN handed THEN 1 ELSE 0 END,
           CASE WHEN handed THEN (SELECT id FROM queue) END, $4, 'Call from ' || from_number, from_number,
           CASE WHEN handed THEN NULL ELSE now() END, (SELECT id FROM policy), CASE WHEN handed THEN 'ok' END,
           CASE WHEN handed THEN now() + interval '2 hours' END, CASE WHEN handed THEN now() + interval '2 hours' END
    FROM call
    RETURNING id
  ), message AS (
    INSERT INTO messages (id, ticket_id, channel, external_id, direction, author_type, subject, text, address, meta)
    SELECT $6, ticket.id, 'voice', call_sid, 'inbound', 'customer', 'Call from ' || from_number,
           'Call from ' || from_number || ' in ' || language || '; IVR path: ' || array_to_string(path, ' › ') || '; call ended: '
             || CASE WHEN handed THEN 'handed over' ELSE 'self served' END || '.',
           from_number, jsonb_build_object('callSid', call_sid, 'ivrPath', to_jsonb(path), 'queue', NULL)
    FROM call, ticket
    RETURNING id
  ), event AS (
    INSERT INTO inbound_events (id, channel, external_id, received_at, payload, status, ticket_id, message_id, attempts, processed_at)
    SELECT $7, 'voice', call_sid, now(),
           jsonb_build_object('channel', 'voice', 'externalId', call_sid, 'from', jsonb_build_object('address', from_number),
             'subject', 'Call from ' || from_number, 'meta', jsonb_build_object('callSid', call_sid, 'ivrPath', to_jsonb(path))),
           'processed', $5, $6, 1, now()
    FROM call, message
  ), contact AS (
    INSERT INTO ticket_contacts (ticket_id, kind, value, provenance) SELECT $5, 'phone', from_number, 'channel' FROM call, ticket
  ), clock AS (
    INSERT INTO sla_clocks (ticket_id, metric, policy_id, status, measure, started_at, budget_ms, consumed_ms, running_since,
                            warning_at, due_at, warning_fire_at, breach_fire_at)
    SELECT $5, 'first_response', (SELECT id FROM policy), CASE WHEN handed THEN 'running' ELSE 'stopped' END, 'business', now(), 7200000, 0,
           CASE WHEN handed THEN now() END, warning, due, warning, due
    FROM call, ticket, LATERAL (SELECT CASE WHEN handed THEN now() + interval '96 minutes' END AS warning,
                                       CASE WHEN handed THEN now() + interval '2 hours' END AS due) AS t
  ), history AS (
    INSERT INTO sla_clock_events (ticket_id, metric, kind, policy_id, cycle, due_at, consumed_ms, at)
    SELECT $5, 'first_response', kind, (SELECT id FROM policy), 1, now() + interval '2 hours', 0, now()
    FROM call, ticket, LATERAL unnest(CASE WHEN handed THEN ARRAY['started'] ELSE ARRAY['started', 'stopped'] END) AS kind
  ), escalation AS (
    INSERT INTO escalations (ticket_id, from_level, to_level, to_queue_id, reason, summary)
    SELECT $5, 0, 1, (SELECT id FROM queue), 'routed', 'Call from ' || from_number FROM call, ticket WHERE handed
  )
  SELECT 1`;

// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseOptions();
  const run = `bench_ivr_${Date.now().toString(36)}`;
  const admin = await connect();
  onCleanup('admin connection', () => admin.end());
  const { pgVersion } = await checkConnections(admin, 3, options.serviceEnv); // api, worker and the same-work handler

  const service = await startService(admin, {
    schema: run,
    prefix: run,
    processes: [
      { label: 'api', role: 'api' },
      { label: 'worker', role: 'worker' },
    ],
    env: {
      PUBLIC_BASE_URL,
      TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      VOICE_EXTRA_LANGUAGES: 'en,ru',
      // The password policy refuses one that contains the e-mail's name ("admin").
      ADMIN_PASSWORD: `ivr-bench-${randomBytes(8).toString('hex')}`,
    },
    serviceEnv: options.serviceEnv,
    nodeArgs: options.nodeArgs,
  });
  await waitHealthy(service.processes, 100);
  // Operators on duty around the clock, so that "0" reaches the queue whenever the benchmark runs.
  const db = await connect(run);
  onCleanup('schema connection', () => db.end());
  await openAroundTheClock(db);

  const api: Target = { port: service.processes[0].port, bare: false };
  const bareHandler = await startBare();
  const bare: Target = { port: bareHandler.port, bare: true };
  const poolSize = Number(serviceSetting(options.serviceEnv, 'DATABASE_POOL_SIZE'));
  const sameWorkSchema = await migrateSameWorkSchema(admin, `${run}_same_work`);
  const sameWorkHandler = await spawnHandler('same-work handler', sameWorkCode(sameWorkSchema, poolSize));
  const sameWork: Target = { port: sameWorkHandler.port, bare: true };
  cpuParts = [
    ...service.processes.map((p) => ({ label: p.label, pid: p.child.pid })),
    { label: 'bare node:http', pid: bareHandler.child.pid },
    { label: 'same-work node:http', pid: sameWorkHandler.child.pid },
  ];
  const statements = async () => Promise.all(service.processes.map((p) => metricOf(service, p, 'vp_db_statements_total')));

  // Warm-up: JIT, connection pools, the menu and calendar caches, then the offered rate itself for a few
  // seconds, so that phase 1 measures the steady state and not the first second's new connections.
  await saturation(api, 16, 2);
  await saturation(bare, 16, 1);
  await saturation(sameWork, 16, 1);
  await offered(api, options.rate, WARM_UP_S);
  await offered(bare, options.rate, 1);
  await offered(sameWork, options.rate, 1);
  // Both schemas analysed after their warm-up, as a system in use is (analyzeSchema says why).
  await analyzeSchema(admin, run);
  await analyzeSchema(admin, sameWorkSchema);
  assertAlive(service.processes);

  process.stdout.write(`phase 1: ${fmt(options.rate)} steps/s offered for ${options.durationS} s\n`);
  const bareOffered = await offered(bare, options.rate, options.durationS);
  const sameWorkOffered = await offered(sameWork, options.rate, options.durationS);
  byStep.clear();
  const statementsBefore = await statements();
  const apiOffered = await offered(api, options.rate, options.durationS);
  // Statements per step, by process: the worker's share follows the hand-overs (tickets) a little later.
  await sleep(1000);
  const statementsAfter = await statements();
  const stepRows = [...byStep].map(([step, list]) => {
    list.sort((a, b) => a - b);
    return [step, fmt(list.length), fmt(percentile(list, 50), 2), fmt(percentile(list, 99), 2)];
  });
  process.stdout.write(`phase 2: ${options.callers} callers without think time for ${options.saturationS} s\n`);
  const bareMax = await saturation(bare, options.callers, options.saturationS);
  const sameWorkMax = await saturation(sameWork, options.callers, options.saturationS);
  const statementsBeforeMax = await statements();
  const apiMax = await saturation(api, options.callers, options.saturationS);
  await sleep(1000);
  const statementsAfterMax = await statements();
  assertAlive(service.processes);

  const ended = await until('every ended call to be a ticket', 60_000, 200, async () => {
    const [row] = await sql<{ ended: number; ticketed: number }>(
      db,
      `SELECT count(*)::int AS ended, count(*) FILTER (WHERE e.status = 'processed')::int AS ticketed
       FROM calls c LEFT JOIN inbound_events e ON e.channel = 'voice' AND e.external_id = c.call_sid WHERE c.ended_at IS NOT NULL`,
    );
    return row.ended === row.ticketed ? row : null;
  });

  const [{ calls, tickets, selfServed }] = await sql<{ calls: number; tickets: number; selfServed: number }>(
    db,
    `SELECT (SELECT count(*)::int FROM calls) AS calls,
            (SELECT count(*)::int FROM tickets WHERE channel = 'voice') AS tickets,
            (SELECT count(*)::int FROM tickets WHERE channel = 'voice' AND level = 0 AND status = 'resolved') AS "selfServed"`,
  );
  const rowsPerCall = await Promise.all([run, sameWorkSchema].map((schema) => rowsPerEndedCall(admin, schema)));
  const rate = (r: PhaseResult) => r.steps / r.seconds;
  const row = (label: string, r: PhaseResult) => [
    label,
    fmt(r.steps),
    fmt(r.errors),
    fmt(rate(r)),
    fmt(r.p50, 2),
    fmt(r.p99, 2),
    fmt(r.max, 1),
    fmt(r.clientLagMs, 1),
  ];
  const header = ['', 'steps', 'errors', 'steps/s', 'p50 ms', 'p99 ms', 'max ms', "callers' max loop delay ms"];
  const ratio = rate(apiMax) / rate(bareMax);
  const sameWorkRatio = rate(apiMax) / rate(sameWorkMax);
  const apiCpuPerStep = (busy(apiMax.cpu.cores.get('api') ?? [0, 0]) * 1e6) / rate(apiMax);
  const statementsPerStep = (before: number[], after: number[], steps: number) =>
    service.processes.map((p, i) => `${p.label} ${fmt((after[i] - before[i]) / Math.max(1, steps), 3)}`).join(', ');
  const perStep = statementsPerStep(statementsBefore, statementsAfter, apiOffered.steps);
  // At saturation the service's batches fill up: fewer statements per step than at a steady rate.
  const perStepMax = statementsPerStep(statementsBeforeMax, statementsAfterMax, apiMax.steps);
  process.stdout.write(
    [
      '',
      machineLine(pgVersion),
      `load      ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (1/5/15 min load average at the end: other work on the machine shows here)`,
      `service   1 api + 1 worker process; ${settingsLine(options.serviceEnv)}`,
      // Where --cpu-prof wrote the profiles, and which pid is the api's.
      ...[nodeArgsLine(options.nodeArgs, service.cwd, service.processes)].filter((line): line is string => line !== null),
      '',
      `phase 1 — ${fmt(options.rate)} steps/s offered, ${options.durationS} s`,
      table([
        header,
        row('IVR (service)', apiOffered),
        row('same work: node:http + signature + pg', sameWorkOffered),
        row('bare node:http, fixed TwiML', bareOffered),
      ]),
      `SQL statements per step in phase 1 (vp_db_statements_total ÷ steps): ${perStep}; the same-work baseline sends 1`,
      '',
      'phase 1, the service by webhook',
      table([['', 'steps', 'p50 ms', 'p99 ms'], ...stepRows]),
      '',
      `phase 2 — saturation, ${options.callers} callers`,
      table([
        header,
        row('IVR (service)', apiMax),
        row('same work: node:http + signature + pg', sameWorkMax),
        row('bare node:http, fixed TwiML', bareMax),
      ]),
      `SQL statements per step in phase 2: ${perStepMax} (the worker's, of the tickets made within a second after)`,
      '',
      `CPU per step, µs of one core (cores busy ÷ steps per second), by process`,
      cpuTable([
        ['phase 1, service', apiOffered],
        ['phase 1, same work', sameWorkOffered],
        ['phase 1, bare', bareOffered],
        ['phase 2, service', apiMax],
        ['phase 2, same work', sameWorkMax],
        ['phase 2, bare', bareMax],
      ]),
      ...([apiOffered, sameWorkOffered, bareOffered, apiMax, sameWorkMax, bareMax].some(
        (r) => busy(r.cpu.cores.get(OTHER_LABEL) ?? [0, 0]) > OTHER_CPU_WARNING,
      )
        ? [
            `note: other processes used more than ${OTHER_CPU_WARNING} cores in a measured window: the figures are disturbed, rerun on a quiet machine`,
          ]
        : []),
      '',
      `throughput ratio service / same-work baseline: ${fmt(sameWorkRatio, 3)}   (goal ≥ ${GOAL_SAME_WORK_RATIO}: ${sameWorkRatio >= GOAL_SAME_WORK_RATIO ? 'met' : 'NOT met'})`,
      `throughput ratio service / bare: ${fmt(ratio, 3)}   (goal ≥ ${GOAL_RATIO}: ${ratio >= GOAL_RATIO ? 'met' : 'NOT met'})`,
      `api CPU per step at saturation: ${fmt(apiCpuPerStep)} µs   (goal ≤ ${GOAL_CPU_US_PER_STEP} µs: ${apiCpuPerStep <= GOAL_CPU_US_PER_STEP ? 'met' : 'NOT met'})`,
      `p99 at ${fmt(options.rate)} steps/s offered: ${fmt(apiOffered.p99, 2)} ms   (goal < ${GOAL_P99_MS} ms: ${apiOffered.p99 < GOAL_P99_MS && apiOffered.errors === 0 ? 'met' : 'NOT met'})`,
      "rows per ended call, by table: the service | the same-work baseline (the service's SLA warnings and breaches of",
      'queued calls, fired by timers during the run, are in sla_events, audit_events and sla_clock_events; the baseline has none)',
      `  ${WRITTEN_TABLES.map((t, i) => `${t} ${fmt(rowsPerCall[0][i], 2)} | ${fmt(rowsPerCall[1][i], 2)}`).join(', ')}`,
      `calls ${fmt(calls)}, voice tickets ${fmt(tickets)} (self-served at level 0: ${fmt(selfServed)}), every ended call a ticket: ${fmt(ended.ticketed)}/${fmt(ended.ended)}`,
      `warnings logged by the service: ${warningsOf(service.processes)}${firstError ? `; first failed step: ${firstError}` : ''}`,
      '',
    ].join('\n'),
  );
}

/** The tables a call's steps and its ticket write rows into (ticket_search_documents by trigger). */
const WRITTEN_TABLES = [
  'calls',
  'inbound_events',
  'customers',
  'customer_identifiers',
  'tickets',
  'messages',
  'ticket_contacts',
  'ticket_search_documents',
  'sla_clocks',
  'sla_clock_events',
  'sla_events',
  'escalations',
  'audit_events',
];

/** Rows in each of WRITTEN_TABLES per ended call: that the baseline does the same work is checked in every run. */
async function rowsPerEndedCall(admin: Client, schema: string): Promise<number[]> {
  const [row] = await sql<Record<string, number>>(
    admin,
    `SELECT ${WRITTEN_TABLES.map((t) => `(SELECT count(*)::int FROM "${schema}".${t}) AS ${t}`).join(', ')},
            (SELECT count(*)::int FROM "${schema}".calls WHERE ended_at IS NOT NULL) AS ended`,
  );
  return WRITTEN_TABLES.map((t) => row[t] / Math.max(1, row.ended));
}

runBench(main);

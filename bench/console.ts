/**
 * Console benchmark (not a test: it prints figures and exits 0 whether or not the goals are met).
 *
 * A fresh schema is migrated by the service itself (one api and one worker process started from dist/, which
 * serve the built console), then filled with the inbox benchmark's generator: by default 1,000,000 tickets. Then
 * 50 operators' consoles are simulated as /agents socket.io clients (online, with heartbeats, each receiving every
 * ticket event and the work the router gives them), and one operator works in a real headless Chromium:
 *
 *   - first inbox render after sign-in: from pressing "Sign in" to the first row of the inbox in the page,
 *     beside the API's own time for the same list (GET /v1/tickets?sort=sla_due&limit=50 as that operator);
 *   - a web-form submission's 202 to its row in the open inbox of the real browser (p50/p99), beside the 202 to
 *     the ticket.created event at the simulated consoles and the API's own time for the list the inbox reads for
 *     the new row (the same GET with q=<reference>);
 *   - the built bundle: the JavaScript the console's index.html loads at once (gzip), and what loads later.
 *
 *   npm run bench:console                                              # full size: 1,000,000 tickets
 *   npm run bench:console -- --tickets 20000 --messages-per-ticket 2 --arrivals 50
 *
 * Everything lives in a fresh schema and Redis prefix that are removed at the end, also on error or Ctrl-C; a
 * schema named with --schema (bench:inbox's, say) is kept instead and reused by later runs without generating again.
 */
import { signTimestampedHmac } from '@lib/webhook-signature';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Client } from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import { generate, schemaName } from './inbox';
import { busy, coresBetween, cpuSnapshot, OTHER_CPU_WARNING, OTHER_LABEL } from './support/cpu';
import { now, onCleanup, runBench, sleep, stopping, withTimeout } from './support/lifecycle';
import { parseFlags } from './support/options';
import { fmt, machineLine, nodeArgsLine, table } from './support/report';
import { assertAlive, checkConnections, connect, DATABASE_URL, settingsLine, sql, startService, waitHealthy } from './support/service';
import { jsonClient } from './support/json-client';

const GOAL_VISIBLE_P99_MS = 1000;
const GOAL_FIRST_RENDER_MS = 1500;
const GOAL_INITIAL_JS_GZIP_KB = 300;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LOAD_STATEMENT_TIMEOUT_MS = 60 * 60_000;

interface Options {
  tickets: number;
  messagesPerTicket: number;
  operators: number;
  arrivals: number;
  renders: number;
  /** A named schema kept after the run and reused when it already holds tickets; null for a fresh one. */
  schema: string | null;
  serviceEnv: Record<string, string>;
  nodeArgs: string[];
}

function parseOptions(): Options {
  const { values, int, serviceEnv, nodeArgs } = parseFlags(
    'npm run bench:console',
    {
      tickets: { type: 'string' },
      'messages-per-ticket': { type: 'string' },
      operators: { type: 'string' },
      arrivals: { type: 'string' },
      renders: { type: 'string' },
      schema: { type: 'string' },
    },
    [
      ['--tickets N', 'tickets generated over the past year (default 1000000)'],
      ['--messages-per-ticket N', 'messages per ticket (default 10)'],
      ['--operators N', "operators' consoles simulated as /agents socket clients (default 50)"],
      ['--arrivals N', 'web-form submissions timed from their 202 to the row in the browser (default 200)'],
      ['--renders N', 'sign-ins timed to the first inbox render, each in a fresh browser profile (default 20)'],
      ['--schema NAME', "keep the data in this schema; reuse it (migrated, not generated again) when it holds tickets, e.g. bench:inbox's"],
    ],
  );
  return {
    tickets: int(values.tickets, 'TICKETS', 1_000_000, 1_000, 20_000_000),
    messagesPerTicket: int(values['messages-per-ticket'], 'MESSAGES_PER_TICKET', 10, 0, 100),
    operators: int(values.operators, 'OPERATORS', 50, 0, 2_000),
    arrivals: int(values.arrivals, 'ARRIVALS', 200, 1, 100_000),
    renders: int(values.renders, 'RENDERS', 20, 1, 1_000),
    schema: schemaName(values.schema ?? process.env.BENCH_SCHEMA),
    serviceEnv,
    nodeArgs,
  };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

// ---------------------------------------------------------------------------------------------------------
// HTTP

const { request, expectOk } = jsonClient(4);

/** The API's own time for one GET (through the same keep-alive agent), in ms. */
async function timedGet(port: number, path: string, token: string): Promise<number> {
  const started = now();
  const res = await request(port, 'GET', path, token);
  if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status}`);
  return now() - started;
}

interface Operator {
  email: string;
  password: string;
  token: string;
}

async function operator(port: number, adminToken: string, label: string): Promise<Operator> {
  const email = `${label}-${randomBytes(3).toString('hex')}@bench.example`;
  const password = `Bench-${randomBytes(12).toString('hex')}`;
  // Every language, so that the router may give any arrival to any of them, as to a full shift.
  await expectOk(port, 'POST', '/v1/admin/agents', adminToken, {
    email,
    displayName: `Bench ${label}`,
    password,
    roles: ['operator'],
    languages: ['lv', 'ru', 'en'],
  });
  const { accessToken } = await expectOk(port, 'POST', '/v1/auth/login', null, { email, password });
  return { email, password, token: accessToken };
}

// ---------------------------------------------------------------------------------------------------------
// Simulated consoles: the /agents socket as the console uses it (websocket only, online, heartbeats).

class SimulatedConsole {
  readonly socket: Socket;
  readonly created = new Map<string, number>();
  assignments = 0;
  private heartbeat: ReturnType<typeof setInterval> | undefined;

  constructor(port: number, token: string) {
    this.socket = io(`http://127.0.0.1:${port}/agents`, {
      transports: ['websocket'],
      auth: { token, state: 'online' },
      reconnection: true,
      forceNew: true,
    });
    this.socket.on('ticket.created', (e: { reference: string }) => this.created.set(e.reference, now()));
    this.socket.on('assignment', () => this.assignments++);
  }

  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('ready', ({ heartbeatSeconds }: { heartbeatSeconds: number }) => {
        this.heartbeat = setInterval(() => this.socket.emit('heartbeat', {}, () => undefined), heartbeatSeconds * 1000);
        resolve();
      });
      this.socket.once('connect_error', reject);
    });
  }

  close(): void {
    clearInterval(this.heartbeat);
    this.socket.close();
  }
}

// ---------------------------------------------------------------------------------------------------------
// The browser

async function signIn(browser: Browser, port: number, who: Operator): Promise<{ page: Page; close: () => Promise<void>; ms: number }> {
  const context = await browser.newContext({ locale: 'lv-LV', viewport: { width: 1360, height: 860 } });
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${port}/console/`);
  await page.getByLabel('E-pasts').fill(who.email);
  await page.getByLabel('Parole', { exact: true }).fill(who.password);
  const started = now();
  await page.getByRole('button', { name: 'Ieiet' }).click();
  await page.locator('tbody tr[data-reference]').first().waitFor({ timeout: 60_000 });
  const ms = now() - started;
  return { page, close: () => context.close(), ms };
}

/**
 * The chromium this benchmark started and every process under it (zygote, renderers, GPU), each as one part
 * labelled "chromium", so that the browser's CPU is not counted as "other" (other jobs also run chromium here).
 */
function browserProcesses(): Array<{ label: string; pid: number }> {
  const parentOf = new Map<number, number>();
  const commOf = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      commOf.set(Number(entry), stat.slice(stat.indexOf('(') + 1, close));
      parentOf.set(Number(entry), Number(stat.slice(close + 2).split(' ')[1]));
    } catch {
      // the process ended meanwhile
    }
  }
  const roots = [...parentOf].filter(([pid, ppid]) => ppid === process.pid && commOf.get(pid)?.startsWith('chrom')).map(([pid]) => pid);
  const found = new Set(roots);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parentOf) {
      if (!found.has(pid) && found.has(ppid)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  return [...found].map((pid) => ({ label: `chromium ${pid}`, pid }));
}

/** The console's built files: what index.html loads at once, and the chunks loaded when a page needs them. */
function bundle(): { initialGzip: number; initialRaw: number; initial: string[]; lazy: Array<[string, number]> } {
  const dist = join(__dirname, '..', 'console');
  const manifestPath = join(dist, '.vite', 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath} is missing: run npm run build`);
  const manifest: Record<string, { file: string; isEntry?: boolean; imports?: string[]; dynamicImports?: string[] }> = JSON.parse(
    readFileSync(manifestPath, 'utf8'),
  );
  const entry = Object.entries(manifest).find(([, c]) => c.isEntry)!;
  const initial = new Set<string>();
  const walk = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || initial.has(chunk.file)) return;
    initial.add(chunk.file);
    for (const i of chunk.imports ?? []) walk(i);
  };
  walk(entry[0]);
  const size = (file: string) => {
    const bytes = readFileSync(join(dist, file));
    return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  };
  const initialSizes = [...initial].map(size);
  const lazy = Object.values(manifest)
    .filter((c) => c.file.endsWith('.js') && !initial.has(c.file))
    .map((c) => [c.file, size(c.file).gzip] as [string, number]);
  return {
    initialGzip: initialSizes.reduce((s, x) => s + x.gzip, 0),
    initialRaw: initialSizes.reduce((s, x) => s + x.raw, 0),
    initial: [...initial],
    lazy,
  };
}

// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const opts = parseOptions();
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run 'bash scripts/browser.sh install' (Debian's chromium package)`);
  // The service serves the console from dist/console, beside this file's dist/bench.
  if (!existsSync(join(__dirname, '..', 'console', 'index.html'))) throw new Error('the built console is missing: run npm run build');
  const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const prefix = `bench_${run}`;
  const schema = opts.schema ?? prefix;

  const admin = await connect();
  onCleanup('database connection', () => admin.end());
  const { pgVersion } = await checkConnections(admin, 2, opts.serviceEnv);

  const startedAt = now();
  const {
    processes: services,
    env,
    cwd,
  } = await startService(admin, {
    schema,
    prefix,
    keepSchema: opts.schema !== null,
    processes: [
      { label: 'api', role: 'api' },
      { label: 'worker', role: 'worker' },
    ],
    env: {},
    serviceEnv: opts.serviceEnv,
    nodeArgs: opts.nodeArgs,
  });
  // A kept schema's migrations may build something over all its data first (search documents: minutes at 1M).
  await waitHealthy(services, 200, opts.schema ? LOAD_STATEMENT_TIMEOUT_MS : undefined);
  const [api] = services;
  const migratedSeconds = (now() - startedAt) / 1000;

  const loader = new Client({
    connectionString: DATABASE_URL,
    query_timeout: LOAD_STATEMENT_TIMEOUT_MS,
    options: `-c search_path=${schema}`,
  });
  await loader.connect();
  onCleanup('loading connection', () => loader.end());
  const loadStarted = now();
  const [{ n: ticketsThere }] = await sql<{ n: string }>(loader, 'SELECT count(*) AS n FROM (SELECT 1 FROM tickets LIMIT 1) t');
  const reused = Number(ticketsThere) > 0;
  if (!reused) await generate(loader, schema, opts);
  const loadSeconds = (now() - loadStarted) / 1000;
  const [counts] = await sql<{ tickets: string; open: string }>(
    loader,
    `SELECT count(*) AS tickets, count(*) FILTER (WHERE status NOT IN ('resolved', 'closed')) AS open FROM tickets`,
  );
  assertAlive(services);

  const { accessToken: adminToken } = await expectOk(api.port, 'POST', '/v1/auth/login', null, {
    email: env.ADMIN_EMAIL,
    password: env.ADMIN_PASSWORD,
  });
  const person = await operator(api.port, adminToken, 'browser-operator');
  const simulated: SimulatedConsole[] = [];
  onCleanup('socket clients', async () => simulated.forEach((c) => c.close()));
  for (let i = 0; i < opts.operators; i++) {
    const who = await operator(api.port, adminToken, `console-${i}`);
    const c = new SimulatedConsole(api.port, who.token);
    simulated.push(c);
    await withTimeout(c.ready(), 10_000, `socket ${i} ready`);
  }

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  onCleanup('browser', () => browser.close());

  const parts = () => [...services.map((s) => ({ label: s.label, pid: s.child.pid })), ...browserProcesses()];
  const cpuStart = cpuSnapshot(parts(), 'bench (client)');

  // First render after sign-in, each in a fresh profile (nothing cached), beside the API's time for the same list.
  const listPath = '/v1/tickets?sort=sla_due&limit=50';
  const renders: number[] = [];
  const listTimes: number[] = [];
  const apiSignIns: number[] = [];
  for (let i = 0; i < opts.renders && !stopping; i++) {
    const session = await signIn(browser, api.port, person);
    renders.push(session.ms);
    await session.close();
    listTimes.push(await timedGet(api.port, listPath, person.token));
    // What the page asks before its first row, straight from Node: sign in (scrypt), who am I, the list.
    const started = now();
    const { accessToken } = await expectOk(api.port, 'POST', '/v1/auth/login', null, { email: person.email, password: person.password });
    await expectOk(api.port, 'GET', '/v1/auth/me', accessToken);
    await expectOk(api.port, 'GET', listPath, accessToken);
    apiSignIns.push(now() - started);
  }

  // Arrivals, one at a time, into the inbox left open in the browser.
  const open = await signIn(browser, api.port, person);
  onCleanup('browser page', () => open.close());
  await open.page.getByText('Tiešsaiste').waitFor({ timeout: 30_000 });
  const visible: number[] = [];
  const toSockets: number[] = [];
  const rowReads: number[] = [];
  let missed = 0;
  for (let i = 0; i < opts.arrivals && !stopping; i++) {
    const raw = JSON.stringify({
      submissionId: `LV-${run}-${i}`,
      submittedAt: new Date().toISOString(),
      form: 'question',
      institution: ['VSAA', 'VID', 'NVA', 'PMLP'][i % 4],
      topic: 'pensijas',
      language: 'lv',
      applicant: {
        firstName: 'Anna',
        lastName: 'Kalniņa',
        personalCode: `32${String(900_000_000 + i).padStart(9, '0')}`,
        email: `anna.${run}.${i}@example.lv`,
      },
      subject: `Jautājums par pensiju (${i})`,
      message: 'Labdien! Kad tiks izmaksāta pensija? Paldies.',
    });
    const signature = signTimestampedHmac(env.WEBFORM_SECRET, raw, Math.floor(Date.now() / 1000));
    const res = await request(api.port, 'POST', '/v1/channels/webform/submissions', null, raw, { 'x-signature': signature });
    const accepted = now();
    if (res.status !== 202) throw new Error(`web form: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    const reference: string = res.body.reference;
    try {
      await open.page.locator(`tr[data-reference="${reference}"]`).waitFor({ state: 'attached', timeout: 15_000 });
      visible.push(now() - accepted);
    } catch {
      missed++;
    }
    for (const c of simulated) {
      const at = c.created.get(reference);
      if (at !== undefined) toSockets.push(at - accepted);
      c.created.delete(reference);
    }
    rowReads.push(
      await timedGet(
        api.port,
        `/v1/tickets?${new URLSearchParams({ sort: 'sla_due', limit: '5', q: reference }).toString()}`,
        person.token,
      ),
    );
    await sleep(100);
  }
  const cpu = coresBetween(cpuStart, cpuSnapshot(parts(), 'bench (client)'));
  const built = bundle();

  // ------------------------------------------------------------------------------------------------------
  // Report

  const out: string[] = [];
  const kb = (b: number) => `${fmt(b / 1024, 1)} KB`;
  const pair = (label: string, xs: number[], base: number[], baseLabel: string) => [
    label,
    fmt(percentile(xs, 50), 1),
    fmt(percentile(xs, 99), 1),
    baseLabel,
    fmt(percentile(base, 50), 1),
    fmt(percentile(base, 99), 1),
    fmt(percentile(xs, 50) / percentile(base, 50), 1),
    String(xs.length),
  ];
  out.push('');
  out.push('Console benchmark (the built console in headless Chromium, simulated consoles on /agents)');
  out.push(machineLine(pgVersion));
  out.push(`layout    1 api process, 1 worker process; ${settingsLine(opts.serviceEnv)}`);
  const nodeLine = nodeArgsLine(opts.nodeArgs, cwd, services);
  if (nodeLine) out.push(nodeLine);
  out.push(
    `data      ${fmt(Number(counts.tickets))} tickets (${fmt(Number(counts.open))} open) × ${opts.messagesPerTicket} messages; migrated in ${fmt(migratedSeconds, 1)} s, ${reused ? `data of schema ${schema} reused, not generated` : `generated in ${fmt(loadSeconds, 1)} s`}`,
  );
  out.push(
    `consoles  ${opts.operators} simulated operators online on /agents (heartbeats), ${simulated.reduce((s, c) => s + c.assignments, 0)} assignments pushed to them; 1 operator in Chromium`,
  );
  out.push('');
  out.push(
    table([
      ['measure', 'p50 ms', 'p99 ms', 'baseline (same run)', 'p50 ms', 'p99 ms', 'ratio p50', 'n'],
      pair('first inbox render after sign-in', renders, apiSignIns, 'API sign-in + /v1/auth/me + the list'),
      pair('first inbox render after sign-in', renders, listTimes, `API GET ${listPath}`),
      pair('web-form 202 → row in the browser', visible, rowReads, 'API GET the row the inbox reads'),
      pair('web-form 202 → ticket.created at sockets', toSockets, rowReads, 'API GET the row the inbox reads'),
    ]),
  );
  if (missed) out.push(`missed    ${missed} arrivals did not show in the browser within 15 s (not counted above)`);
  out.push('');
  out.push(`bundle    initial JavaScript ${kb(built.initialGzip)} gzip (${kb(built.initialRaw)} raw): ${built.initial.join(', ')}`);
  out.push(`          loaded when opened: ${built.lazy.map(([f, g]) => `${f} ${kb(g)}`).join(', ') || 'none'}`);
  out.push('');
  // The browser's processes, each a part of its own while measuring, as one figure.
  const browserCores = [...cpu.cores]
    .filter(([l]) => l.startsWith('chromium '))
    .reduce((a, [, c]) => a + (Number.isFinite(busy(c)) ? busy(c) : 0), 0);
  const shown = [...cpu.cores].filter(([l]) => !l.startsWith('chromium ')).map(([l, c]) => `${l} ${fmt(busy(c), 2)}`);
  shown.splice(services.length, 0, `chromium ${fmt(browserCores, 2)}`);
  out.push(`CPU, in cores over the measured part (${fmt(cpu.seconds, 1)} s): ${shown.join(', ')}`);
  if (busy(cpu.cores.get(OTHER_LABEL) ?? [0, 0]) > OTHER_CPU_WARNING) {
    out.push(
      `note      other processes used more than ${OTHER_CPU_WARNING} cores while measuring: the figures are disturbed, rerun on a quiet machine`,
    );
  }
  out.push('');
  const visibleOk = visible.length > 0 && missed === 0 && percentile(visible, 99) <= GOAL_VISIBLE_P99_MS;
  const renderOk = percentile(renders, 99) <= GOAL_FIRST_RENDER_MS;
  const sizeOk = built.initialGzip <= GOAL_INITIAL_JS_GZIP_KB * 1024;
  out.push(
    `goals     visible ≤ ${GOAL_VISIBLE_P99_MS} ms p99 after the 202: ${visibleOk ? 'MET' : 'NOT MET'}; first inbox render ≤ ${GOAL_FIRST_RENDER_MS} ms (p99): ${renderOk ? 'MET' : 'NOT MET'}; initial JavaScript ≤ ${GOAL_INITIAL_JS_GZIP_KB} KB gzip: ${sizeOk ? 'MET' : 'NOT MET'}`,
  );
  out.push('');
  process.stdout.write(out.join('\n'));
}

runBench(main);

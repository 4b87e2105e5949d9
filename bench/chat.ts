/**
 * Chat benchmark (not a test: it prints figures and exits 0 whether or not the goals are met).
 *
 * N visitor sessions are held on ONE api instance (plus a worker for the pipeline), each talking to one of M
 * operators: every visitor first asks for a person (the assistant hands over, the ticket goes to level 1), an
 * operator joins it from the agents' socket, then every visitor sends a message every --every-ms, timed from the
 * visitor's emit to the operator's `chat.message` (the relay), and operators answer one message in --reply-every
 * through the REST reply API (timed to the visitor's `message`: that path goes through the outbound queue). The
 * same clients then do the same against a bare socket.io server with the same events and nothing behind them
 * (bench/support/echo-server.ts), so each figure stands beside what socket.io alone gives on this machine.
 *
 *   npm run bench:chat -- --sessions 5000 --operators 50 --duration 30
 *
 * Then the citizen's widget in chromium (bench/chat-widget.ts): bundle sizes, and launcher click → usable
 * conversation over --widget-opens opens, beside a blank page's load.
 *
 * Everything lives in a fresh schema and Redis prefix that are removed at the end, also on error or Ctrl-C.
 */
import { ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { io, Socket } from 'socket.io-client';
import { busy, coresBetween, cpuSnapshot, CpuUse, MACHINE_LABEL, mainThreadSchedule, OTHER_CPU_WARNING, OTHER_LABEL } from './support/cpu';
import { now, onCleanup, runBench, sleep, stopping, until } from './support/lifecycle';
import { measureWidget } from './chat-widget';
import { parseFlags } from './support/options';
import { fmt, machineLine, table } from './support/report';
import {
  analyzeSchema,
  assertAlive,
  checkConnections,
  connect,
  freePort,
  openAroundTheClock,
  settingsLine,
  sql,
  startService,
  waitHealthy,
  warningsOf,
} from './support/service';

const GOAL_SESSIONS = 5000;
const GOAL_P99_MS = 50;

interface Options {
  sessions: number;
  operators: number;
  everyMs: number;
  replyEvery: number;
  durationS: number;
  setupConcurrency: number;
  baseline: boolean;
  widgetOpens: number;
  serviceEnv: Record<string, string>;
  nodeArgs: string[];
}

function parseOptions(): Options {
  const { values, int, serviceEnv, nodeArgs } = parseFlags(
    'npm run bench:chat',
    {
      sessions: { type: 'string' },
      operators: { type: 'string' },
      'every-ms': { type: 'string' },
      'reply-every': { type: 'string' },
      duration: { type: 'string' },
      'setup-concurrency': { type: 'string' },
      'no-baseline': { type: 'boolean' },
      'widget-opens': { type: 'string' },
    },
    [
      ['--sessions N', `concurrent visitor sessions (default ${GOAL_SESSIONS})`],
      ['--operators M', 'operators, each joined to sessions/M chats (default 50)'],
      ['--every-ms MS', 'each visitor sends a message this often during the measured window (default 10000)'],
      ['--reply-every K', 'operators answer one visitor message in K through the reply API (default 5; 0: never)'],
      ['--duration S', 'measured window in seconds (default 30)'],
      ['--setup-concurrency N', 'sessions set up at once (default 100)'],
      ['--no-baseline', 'skip the bare socket.io server'],
      ['--widget-opens N', 'times the widget is opened in chromium for its click-to-usable time (default 50; 0: skip)'],
    ],
  );
  return {
    sessions: int(values.sessions, 'SESSIONS', GOAL_SESSIONS, 1, 20_000),
    operators: int(values.operators, 'OPERATORS', 50, 1, 1000),
    everyMs: int(values['every-ms'], 'EVERY_MS', 10_000, 100, 600_000),
    replyEvery: int(values['reply-every'], 'REPLY_EVERY', 5, 0, 1_000_000),
    durationS: int(values.duration, 'DURATION', 30, 1, 600),
    setupConcurrency: int(values['setup-concurrency'], 'SETUP_CONCURRENCY', 100, 1, 2000),
    baseline: !(values['no-baseline'] ?? process.env.BENCH_NO_BASELINE === '1'),
    widgetOpens: int(values['widget-opens'], 'WIDGET_OPENS', 50, 0, 1000),
    serviceEnv,
    nodeArgs,
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** What differs between the service and the bare server: how a chat is set up and how an operator answers. */
interface Target {
  name: string;
  port: number;
  operatorAuth: (k: number) => Record<string, string>;
  /** Starts the session and hands it to people; returns what an operator joins it by. */
  openChat: (visitor: Socket, i: number) => Promise<string>;
  /** After every chat is open: the service needs its tickets at level 1 before anyone can join. */
  settle: () => Promise<void>;
  /** After set-up, before the measured window. */
  beforeWindow: () => Promise<void>;
  reply: (operator: Socket, k: number, reference: string, text: string) => Promise<void>;
}

interface RunResult {
  requested: number;
  opened: number;
  setupFailures: Map<string, number>;
  setupSeconds: number;
  held: number;
  sent: number;
  relayMs: number[];
  ackMs: number[];
  replyMs: number[];
  /** From the operator's reply to its acceptance (the service's 202; the bare server's ack). */
  replyAcceptedMs: number[];
  repliesSent: number;
  refused: Map<string, number>;
  cpu: CpuUse;
  /** Per service process: the share of the window its main thread spent runnable but waiting for a core. */
  waitedForCore: Map<string, number>;
}

const ack = <T = any>(socket: Socket, event: string, payload: unknown, timeoutMs = 30_000): Promise<T> =>
  socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<T>;

function connectSocket(
  port: number,
  namespace: string,
  auth: Record<string, string> = {},
  before?: (socket: Socket) => void,
): Promise<Socket> {
  const socket = io(`http://127.0.0.1:${port}${namespace}`, { transports: ['websocket'], forceNew: true, reconnection: false, auth });
  before?.(socket);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no connection to ${namespace} in 30 s`)), 30_000);
    socket.once('connect', () => (clearTimeout(timer), resolve(socket)));
    socket.once('connect_error', (e) => (clearTimeout(timer), reject(e)));
  });
}

async function inBatches<T>(count: number, concurrency: number, work: (i: number) => Promise<T>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count && !stopping) await work(next++);
    }),
  );
}

const countOf = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);

async function runAgainst(
  target: Target,
  opts: Options,
  cpuParts: () => Array<{ label: string; pid: number | undefined }>,
): Promise<RunResult> {
  const sockets: Socket[] = [];
  const closeAll = () => sockets.splice(0).forEach((s) => s.disconnect());
  onCleanup(`${target.name} client sockets`, async () => closeAll());

  const operators: Socket[] = [];
  const heartbeats: NodeJS.Timeout[] = [];
  onCleanup(`${target.name} heartbeats`, async () => heartbeats.forEach(clearInterval));
  for (let k = 0; k < opts.operators; k++) {
    // Like the agents' web app: heartbeats keep the operator online, so their chats are not given back meanwhile.
    const s = await connectSocket(target.port, '/agents', target.operatorAuth(k), (socket) =>
      socket.once('ready', (r: { heartbeatSeconds?: number }) => {
        if (r?.heartbeatSeconds) heartbeats.push(setInterval(() => socket.emit('heartbeat', {}), r.heartbeatSeconds * 1000));
      }),
    );
    sockets.push(s);
    operators.push(s);
  }

  const visitors: Array<Socket | null> = new Array(opts.sessions).fill(null);
  const references: Array<string | null> = new Array(opts.sessions).fill(null);
  const setupFailures = new Map<string, number>();
  const setupStart = now();
  await inBatches(opts.sessions, opts.setupConcurrency, async (i) => {
    try {
      const v = await connectSocket(target.port, '/chat');
      sockets.push(v);
      references[i] = await target.openChat(v, i);
      visitors[i] = v;
    } catch (e) {
      countOf(setupFailures, (e as Error).message.slice(0, 80));
    }
  });
  await target.settle();
  await inBatches(opts.sessions, opts.setupConcurrency, async (i) => {
    if (!references[i]) return;
    const joined = await ack(operators[i % opts.operators], 'chat.join', { reference: references[i] }).catch((e: Error) => ({
      ok: false,
      code: e.message,
    }));
    if (!joined.ok) {
      countOf(setupFailures, `chat.join: ${joined.code}`);
      visitors[i]?.disconnect();
      visitors[i] = null;
    }
  });
  const setupSeconds = (now() - setupStart) / 1000;
  const opened = visitors.filter(Boolean).length;
  await target.beforeWindow();

  // The measured window. Texts carry who sent them and their sequence, so each side knows what it timed.
  const sentAt = new Map<string, number>();
  const replySentAt = new Map<string, number>();
  const relayMs: number[] = [];
  const ackMs: number[] = [];
  const replyMs: number[] = [];
  const replyAcceptedMs: number[] = [];
  const refused = new Map<string, number>();
  let sent = 0;
  let repliesSent = 0;
  let received = 0;
  operators.forEach((operator, k) =>
    operator.on('chat.message', (e: { reference: string; message: { author: string; text: string } }) => {
      const at = sentAt.get(e.message.text);
      if (e.message.author !== 'visitor' || at === undefined) return;
      relayMs.push(now() - at);
      sentAt.delete(e.message.text);
      received += 1;
      if (opts.replyEvery > 0 && received % opts.replyEvery === 0) {
        const text = `r ${e.message.text}`;
        replySentAt.set(text, now());
        repliesSent += 1;
        const replied = now();
        target
          .reply(operator, k, e.reference, text)
          .then(() => replyAcceptedMs.push(now() - replied))
          .catch((err: Error) => countOf(refused, `reply: ${err.message.slice(0, 60)}`));
      }
    }),
  );
  visitors.forEach((v) =>
    v?.on('message', (m: { author: string; text: string }) => {
      const at = replySentAt.get(m.text);
      if (m.author !== 'agent' || at === undefined) return;
      replyMs.push(now() - at);
      replySentAt.delete(m.text);
    }),
  );
  const cpuStart = cpuSnapshot(cpuParts(), 'bench clients');
  const scheduleStart = cpuParts().map((part) => ({ label: part.label, pid: part.pid, at: mainThreadSchedule(part.pid) }));
  const windowEnd = now() + opts.durationS * 1000;
  await Promise.all(
    visitors.map(async (v, i) => {
      if (!v) return;
      // Spread over the interval (or the window, if shorter), so the load is a steady rate and not a drum beat.
      await sleep(Math.random() * Math.min(opts.everyMs, opts.durationS * 1000));
      for (let seq = 0; now() < windowEnd && !stopping; seq++) {
        const text = `b ${i} ${seq}`;
        const started = now();
        sentAt.set(text, started);
        sent += 1;
        const answer = await ack(v, 'message', { clientMessageId: `b${i}x${seq}`, text }).catch((e: Error) => ({
          ok: false,
          code: e.message,
        }));
        if (answer.ok) ackMs.push(now() - started);
        else countOf(refused, String(answer.code));
        await sleep(Math.max(0, opts.everyMs - (now() - started)));
      }
    }),
  );
  // Relays and replies still in flight get a moment; what has not arrived by then counts as lost.
  await until(`${target.name}: last relays`, 10_000, 50, async () => sentAt.size === 0 && replySentAt.size === 0).catch(() => undefined);
  const cpu = coresBetween(cpuStart, cpuSnapshot(cpuParts(), 'bench clients'));
  const waitedForCore = new Map<string, number>();
  for (const start of scheduleStart) {
    const end = mainThreadSchedule(start.pid);
    if (start.at && end) waitedForCore.set(start.label, (end.waited - start.at.waited) / cpu.seconds);
  }
  const held = visitors.filter((v) => v?.connected).length;
  heartbeats.splice(0).forEach(clearInterval);
  closeAll();
  return {
    requested: opts.sessions,
    opened,
    setupFailures,
    setupSeconds,
    held,
    sent,
    relayMs: relayMs.sort((a, b) => a - b),
    ackMs: ackMs.sort((a, b) => a - b),
    replyMs: replyMs.sort((a, b) => a - b),
    replyAcceptedMs: replyAcceptedMs.sort((a, b) => a - b),
    repliesSent,
    refused,
    cpu,
    waitedForCore,
  };
}

function postJson(port: number, path: string, body: unknown, token?: string): Promise<{ status: number; body: any }> {
  const raw = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        agent: keepAlive,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(raw),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.once('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.once('error', reject);
    req.end(raw);
  });
}
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 64 });

async function main(): Promise<void> {
  const opts = parseOptions();
  const run = `${Date.now().toString(36)}${Math.random().toString(16).slice(2, 8)}`;
  const schema = `bench_${run}`;
  const prefix = `bench_${run}`;
  const admin = await connect();
  onCleanup('database connection', () => admin.end());
  const { pgVersion } = await checkConnections(admin, 2, opts.serviceEnv);

  // ---- The service: one api instance holds every socket; one worker runs the pipeline and delivers replies.
  const serviceEnv = {
    CHAT_SESSIONS_PER_HOUR: String(Math.max(1000, opts.sessions * 4)),
    CHAT_RATE_PER_MINUTE: String(Math.max(30, Math.ceil((60_000 / opts.everyMs) * 4))),
    ...opts.serviceEnv,
  };
  const { processes: services, env } = await startService(admin, {
    schema,
    prefix,
    processes: [
      { label: 'api', role: 'api' },
      { label: 'worker', role: 'worker' },
    ],
    env: {},
    serviceEnv,
    nodeArgs: opts.nodeArgs,
  });
  await waitHealthy(services, 200);
  const db = await connect(schema);
  onCleanup('polling connection', () => db.end());
  // Open round the clock, holidays included, so the hand-over goes to people whatever the day and hour of the run.
  await openAroundTheClock(db);
  const apiPort = services[0].port;
  const login = async (email: string, password: string) => {
    const res = await postJson(apiPort, '/v1/auth/login', { email, password });
    if (res.status !== 200) throw new Error(`login of ${email}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.accessToken as string;
  };
  const adminToken = await login(env.ADMIN_EMAIL, env.ADMIN_PASSWORD);
  const tokens: string[] = [];
  for (let k = 0; k < opts.operators; k++) {
    const email = `operator${k}@bench.example`;
    const created = await postJson(
      apiPort,
      '/v1/admin/agents',
      { email, displayName: `Operator ${k}`, password: env.ADMIN_PASSWORD, roles: ['operator'], capacity: { chat: 100 } },
      adminToken,
    );
    if (created.status !== 201) throw new Error(`creating ${email}: ${created.status} ${JSON.stringify(created.body)}`);
    tokens.push(await login(email, env.ADMIN_PASSWORD));
  }
  const warningsBefore = warningsOf(services);
  const service: Target = {
    name: 'service',
    port: apiPort,
    operatorAuth: (k) => ({ token: tokens[k] }),
    openChat: async (v, i) => {
      const started = await ack(v, 'start', { language: 'lv', name: `Apmeklētājs ${i}` });
      if (!started.ok) throw new Error(`start: ${started.code}`);
      const asked = await ack(v, 'message', { clientMessageId: `hello${i}`, text: 'Labdien, gribu runāt ar operatoru' });
      if (!asked.ok) throw new Error(`message: ${asked.code}`);
      return asked.reference as string;
    },
    settle: () =>
      until('every chat handed over to level 1', 300_000, 200, async () => {
        assertAlive(services);
        const [{ n }] = await sql<{ n: number }>(db, `SELECT count(*)::int AS n FROM tickets WHERE channel = 'chat' AND level = 1`);
        const [{ pending }] = await sql<{ pending: number }>(
          db,
          `SELECT count(*)::int AS pending FROM inbound_events WHERE status = 'accepted'`,
        );
        return pending === 0 && n > 0;
      }).then(() => undefined),
    // The set-up made the schema's tables from nothing; analysed as autovacuum would have them (analyzeSchema).
    beforeWindow: () => analyzeSchema(admin, schema),
    reply: async (_operator, k, reference, text) => {
      const res = await postJson(apiPort, `/v1/tickets/${reference}/replies`, { text, force: true }, tokens[k]);
      if (res.status !== 202) throw new Error(String(res.status));
    },
  };
  const serviceParts = () => services.map((s) => ({ label: s.label, pid: s.child.pid }));
  process.stderr.write(`service: setting up ${opts.sessions} sessions with ${opts.operators} operators …\n`);
  // PostgreSQL counts the deadlocks it broke per database: each one rolled back a batch of messages or replies.
  const deadlocks = async () =>
    (await sql<{ n: number }>(db, 'SELECT deadlocks::int AS n FROM pg_stat_database WHERE datname = current_database()'))[0].n;
  const deadlocksBefore = await deadlocks();
  const measured = await runAgainst(service, opts, serviceParts);
  // The statistics collector reports a backend's counts when it goes idle, within a second.
  await sleep(1000);
  const deadlocksDuring = (await deadlocks()) - deadlocksBefore;
  const [persisted] = await sql<{ tickets: number; messages: number; pending: number; failed: number }>(
    db,
    `SELECT (SELECT count(*)::int FROM tickets WHERE channel = 'chat') AS tickets,
            (SELECT count(*)::int FROM messages WHERE channel = 'chat') AS messages,
            (SELECT count(*)::int FROM inbound_events WHERE status = 'accepted') AS pending,
            (SELECT count(*)::int FROM inbound_events WHERE status = 'failed') AS failed`,
  );
  const warnings = warningsOf(services) - warningsBefore;
  // The widget in a browser, against the same service once the chat load is over.
  const widget =
    opts.widgetOpens > 0 ? await measureWidget(apiPort, adminToken, opts.widgetOpens) : ['Chat widget: skipped (--widget-opens 0)'];
  for (const s of services) await s.stop();

  // ---- The baseline: a bare socket.io server with the same events, in a process of its own.
  let baseline: RunResult | null = null;
  if (opts.baseline) {
    const port = await freePort();
    const echo: ChildProcess = spawn(process.execPath, [join(__dirname, 'support', 'echo-server.js')], {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    onCleanup('echo server', async () => void echo.kill('SIGKILL'));
    await new Promise<void>((resolve, reject) => {
      echo.stdout!.once('data', () => resolve());
      echo.once('exit', (code) => reject(new Error(`the echo server exited (${code})`)));
    });
    const bare: Target = {
      name: 'bare socket.io',
      port,
      operatorAuth: () => ({}),
      openChat: async (v) => (await ack(v, 'start', {})).sessionId,
      settle: async () => undefined,
      beforeWindow: async () => undefined,
      reply: async (operator, _k, reference, text) => {
        await ack(operator, 'reply', { reference, text });
      },
    };
    process.stderr.write(`bare socket.io: setting up ${opts.sessions} sessions …\n`);
    baseline = await runAgainst(bare, opts, () => [{ label: 'echo server', pid: echo.pid }]);
    echo.kill('SIGTERM');
  }

  // ---- Report
  const p = (xs: number[] | undefined, q: number) => (xs ? fmt(percentile(xs, q), 1) : '');
  const ratio = (a: number, b: number | undefined) => (b === undefined || !Number.isFinite(a / b) ? '' : fmt(a / b, 2));
  const b = baseline ?? undefined;
  const failures = (r: RunResult) => [...r.setupFailures, ...r.refused].map(([k, v]) => `${k}×${v}`).join(', ') || 'none';
  const out: string[] = [];
  out.push('');
  out.push('Chat benchmark: visitors on /chat, operators on /agents, one api instance');
  out.push(machineLine(pgVersion));
  out.push(`layout    1 api + 1 worker; ${settingsLine(serviceEnv)}`);
  out.push(
    `load      ${fmt(opts.sessions)} sessions, ${opts.operators} operators, a message per session every ${fmt(opts.everyMs)} ms for ${opts.durationS} s, ` +
      `a reply to one in ${opts.replyEvery || '∞'} (service: REST reply → outbound queue → chat sender; bare: a socket event)`,
  );
  out.push(`baseline  ${baseline ? 'bare socket.io server (same events, no Redis, no storage), same clients, same machine' : 'skipped'}`);
  out.push('');
  const row = (name: string, value: (r: RunResult) => number, digits = 0, withRatio = true) => [
    name,
    fmt(value(measured), digits),
    b ? fmt(value(b), digits) : '',
    withRatio ? ratio(value(measured), b ? value(b) : undefined) : '',
  ];
  out.push(
    table([
      ['figure', 'service', 'bare socket.io', 'ratio'],
      row('sessions held to the end', (r) => r.held),
      row('sessions set up (start, hand-over, operator joined)', (r) => r.opened),
      row('set-up seconds', (r) => r.setupSeconds, 1),
      row('visitor messages sent in the window', (r) => r.sent),
      row('relayed to the operator', (r) => r.relayMs.length),
      [
        'relay latency p50, ms',
        p(measured.relayMs, 50),
        p(b?.relayMs, 50),
        ratio(percentile(measured.relayMs, 50), b ? percentile(b.relayMs, 50) : undefined),
      ],
      [
        'relay latency p99, ms',
        p(measured.relayMs, 99),
        p(b?.relayMs, 99),
        ratio(percentile(measured.relayMs, 99), b ? percentile(b.relayMs, 99) : undefined),
      ],
      ['relay latency max, ms', p(measured.relayMs, 100), p(b?.relayMs, 100), ''],
      [
        'ack latency p50, ms (stored: accepted by the pipeline)',
        p(measured.ackMs, 50),
        p(b?.ackMs, 50),
        ratio(percentile(measured.ackMs, 50), b ? percentile(b.ackMs, 50) : undefined),
      ],
      [
        'ack latency p99, ms',
        p(measured.ackMs, 99),
        p(b?.ackMs, 99),
        ratio(percentile(measured.ackMs, 99), b ? percentile(b.ackMs, 99) : undefined),
      ],
      row('operator replies sent', (r) => r.repliesSent),
      row('replies received by the visitor', (r) => r.replyMs.length),
      ['reply latency p50, ms', p(measured.replyMs, 50), p(b?.replyMs, 50), ''],
      ['reply latency p99, ms', p(measured.replyMs, 99), p(b?.replyMs, 99), ''],
      ['  of which accepted (202), p50, ms', p(measured.replyAcceptedMs, 50), p(b?.replyAcceptedMs, 50), ''],
      ['  of which accepted (202), p99, ms', p(measured.replyAcceptedMs, 99), p(b?.replyAcceptedMs, 99), ''],
    ]),
  );
  out.push('');
  const labels = [...new Set([...measured.cpu.cores.keys(), ...(b?.cpu.cores.keys() ?? [])])].sort(
    (x, y) => Number(x === MACHINE_LABEL) - Number(y === MACHINE_LABEL) || Number(x === OTHER_LABEL) - Number(y === OTHER_LABEL),
  );
  const cores = (m: CpuUse['cores'] | undefined, label: string) => (m?.has(label) ? fmt(busy(m.get(label)!), 2) : '');
  out.push(
    `CPU, in cores (1.00 = one core busy), over the measured windows (${fmt(measured.cpu.seconds, 1)} s and ${fmt(b?.cpu.seconds ?? NaN, 1)} s)`,
  );
  out.push(
    table([['process', 'service', 'bare socket.io'], ...labels.map((l) => [l, cores(measured.cpu.cores, l), cores(b?.cpu.cores, l)])]),
  );
  if (measured.waitedForCore.size > 0)
    out.push(
      `waiting   share of the window each service process's main thread was ready to run but waited for a core: ${[
        ...measured.waitedForCore,
      ]
        .map(([label, share]) => `${label} ${fmt(share, 2)}`)
        .join(', ')}`,
    );
  out.push('');
  out.push(
    `check     chat tickets ${fmt(persisted.tickets)} (one per session), chat messages ${fmt(persisted.messages)}; inbound_events pending ${persisted.pending}, failed ${persisted.failed}; service warnings ${warnings}; deadlocks in the database during the run ${deadlocksDuring}`,
  );
  out.push(`refusals  service: ${failures(measured)}${b ? `; bare: ${failures(b)}` : ''}`);
  const disturbed = [measured.cpu, b?.cpu].map((c) => busy(c?.cores.get(OTHER_LABEL) ?? [0, 0])).some((o) => o > OTHER_CPU_WARNING);
  if (disturbed)
    out.push(
      `note      other processes used more than ${OTHER_CPU_WARNING} cores during a measured window: the figures are disturbed, rerun on a quiet machine`,
    );
  const p99 = percentile(measured.relayMs, 99);
  out.push(
    `goals     ${fmt(GOAL_SESSIONS)} sessions held: ${measured.held >= GOAL_SESSIONS ? 'MET' : `NOT MET (${fmt(measured.held)})`}; relay p99 < ${GOAL_P99_MS} ms: ${p99 < GOAL_P99_MS ? 'MET' : 'NOT MET'}`,
  );
  out.push('');
  out.push(...widget, '');
  process.stdout.write(out.join('\n'));
}

runBench(main);

/**
 * Privacy benchmark (not a test: it prints figures and exits 0 whether or not the goals are met).
 *
 * The inbox benchmark's year of a busy centre (bench/inbox.ts's generator, by default 1,000,000 tickets and
 * 10,000,000 messages) is loaded into a fresh schema that the service migrated, and then:
 *
 *  - several persons, each with `--tickets-per-person` tickets across channels (their customer record with a
 *    personas kods and an e-mail address, and each ticket's own e-mail contact), are each exported (a subject
 *    access request) and then erased (an erasure request) through the real API, one request at a time, and the
 *    worker process does the work; each is timed from the POST to the request reading `done`;
 *  - the retention policies are set (through the admin API) so that about `--retention` closed tickets are past
 *    their period, and the real retention job runs once on the worker; its tickets per second are printed beside
 *    plain UPDATEs of the same tickets and their messages (the columns retention blanks, in transactions of the
 *    same batch size, each rolled back), run just before it in the same run on the same rows.
 *
 *   npm run bench:privacy                                   # full size: 1,000,000 tickets × 10 messages
 *   npm run bench:privacy -- --tickets 100000 --persons 5
 *
 * Everything lives in a fresh schema and Redis prefix that are removed at the end, also on error or Ctrl-C.
 */
import { Queue, QueueEvents } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { legacyCheckDigit, normalizePersonalCode } from '@lib/personal-code';
import { DUE_TICKETS, RETENTION_BATCH } from '../src/privacy/retention.service';
import { JobName, QueueName } from '../src/queues';
import { generate } from './inbox';
import { busy, coresBetween, cpuSnapshot, OTHER_CPU_WARNING, OTHER_LABEL } from './support/cpu';
import { jsonClient } from './support/json-client';
import { now, onCleanup, runBench, stopping, until } from './support/lifecycle';
import { parseFlags } from './support/options';
import { fmt, machineLine, nodeArgsLine, table } from './support/report';
import {
  assertAlive,
  checkConnections,
  connect,
  DATABASE_URL,
  REDIS_URL,
  settingsLine,
  sql,
  startService,
  waitHealthy,
  warningsOf,
} from './support/service';

const GOAL_REQUEST_SECONDS = 10;
const GOAL_RETENTION_RATIO = 0.5;
/** A statement of the data load may run for minutes at full size; it is still bounded. */
const LOAD_STATEMENT_TIMEOUT_MS = 60 * 60_000;
/** How often a request's status is read while waiting for it: small beside the seconds measured. */
const POLL_MS = 25;

interface Options {
  tickets: number;
  messagesPerTicket: number;
  persons: number;
  warmup: number;
  ticketsPerPerson: number;
  retention: number;
  explain: boolean;
  serviceEnv: Record<string, string>;
  nodeArgs: string[];
}

function parseOptions(): Options {
  const { values, int, serviceEnv, nodeArgs } = parseFlags(
    'npm run bench:privacy',
    {
      tickets: { type: 'string' },
      'messages-per-ticket': { type: 'string' },
      persons: { type: 'string' },
      warmup: { type: 'string' },
      'tickets-per-person': { type: 'string' },
      retention: { type: 'string' },
      'no-explain': { type: 'boolean' },
    },
    [
      ['--tickets N', 'tickets generated over the past year (default 1000000)'],
      ['--messages-per-ticket N', 'messages per ticket (default 10)'],
      ['--persons N', 'persons measured: each is exported, then erased (default 10)'],
      ['--warmup N', 'persons exported and erased first, not counted (default 1)'],
      ['--tickets-per-person N', 'tickets of each person, across channels (default 100)'],
      ['--retention N', 'closed tickets the retention run anonymises, about (default 20000)'],
      ['--no-explain', 'skip EXPLAIN (ANALYZE, BUFFERS) of the retention batch statement'],
    ],
  );
  const tickets = int(values.tickets, 'TICKETS', 1_000_000, 10_000, 20_000_000);
  return {
    tickets,
    messagesPerTicket: int(values['messages-per-ticket'], 'MESSAGES_PER_TICKET', 10, 0, 100),
    persons: int(values.persons, 'PERSONS', 10, 1, 1000),
    warmup: int(values.warmup, 'WARMUP', 1, 0, 100),
    ticketsPerPerson: int(values['tickets-per-person'], 'TICKETS_PER_PERSON', 100, 1, 10_000),
    retention: int(values.retention, 'RETENTION', 20_000, 100, tickets / 2),
    explain: !(values['no-explain'] ?? process.env.BENCH_NO_EXPLAIN === '1'),
    serviceEnv,
    nodeArgs,
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const { expectOk } = jsonClient(1);

// ---------------------------------------------------------------------------------------------------------
// Persons

interface Person {
  personalCode: string;
  email: string;
}

/** A valid legacy personas kods (born 1.1.1980) whose serial is `n`: the checksum is the library's own rule. */
function personalCodeOf(n: number): string {
  const first = `010180${1}${String(n % 1000).padStart(3, '0')}`;
  return normalizePersonalCode(`${first}${legacyCheckDigit(first)}`)!;
}

/**
 * A person as ingest leaves them: a customer record with their personas kods and e-mail address, and tickets
 * taken from the generated ones (so spread over channels, institutions and statuses as they come), each with the
 * e-mail contact its own channel gave.
 */
async function addPerson(db: Client, n: number, ticketsPerPerson: number): Promise<Person> {
  const person = { personalCode: personalCodeOf(n), email: `persona-${n}@bench.example` };
  const [{ id }] = await sql<{ id: string }>(db, `INSERT INTO customers (first_name, last_name) VALUES ($1, $2) RETURNING id`, [
    `Persona${n}`,
    `Benchmarka${n}`,
  ]);
  await db.query(
    `INSERT INTO customer_identifiers (customer_id, kind, value, provenance) VALUES ($1, 'personal_code', $2, 'portal'), ($1, 'email', $3, 'channel')`,
    [id, person.personalCode, person.email],
  );
  // Consecutive slices of the tickets in id order (random uuids): a sample across channels, no ticket twice.
  const { rowCount: changed } = await db.query(
    `WITH picked AS (SELECT id FROM tickets ORDER BY id OFFSET $2 LIMIT $3),
          owned AS (UPDATE tickets t SET customer_id = $1 FROM picked WHERE t.id = picked.id RETURNING t.id)
     INSERT INTO ticket_contacts (ticket_id, kind, value, provenance) SELECT id, 'email', $4, 'channel' FROM owned`,
    [id, n * ticketsPerPerson, ticketsPerPerson, person.email],
  );
  if (changed !== ticketsPerPerson) throw new Error(`person ${n}: ${changed} tickets, expected ${ticketsPerPerson}`);
  return person;
}

/** Starts a subject request and waits for it to be done; seconds from the POST to `done`, and its result. */
async function subjectRequest(
  port: number,
  token: string,
  kind: 'access' | 'erasure',
  person: Person,
): Promise<{ seconds: number; result: any }> {
  const started = now();
  const { id } = await expectOk(port, 'POST', '/v1/privacy/subject-requests', token, {
    kind,
    identifier: { kind: 'personal_code', value: person.personalCode },
    otherIdentifiers: [{ kind: 'email', value: person.email }],
    reason: 'benchmark: request letter, identity checked with the eID card',
  });
  let request: any;
  await until(`${kind} request ${id}`, 10 * 60_000, POLL_MS, async () => {
    request = await expectOk(port, 'GET', `/v1/privacy/subject-requests/${id}`, token);
    return request.status === 'done' || request.status === 'failed';
  });
  const seconds = (now() - started) / 1000;
  if (request.status !== 'done') throw new Error(`${kind} request failed: ${request.error}`);
  return { seconds, result: request.result };
}

// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const opts = parseOptions();
  const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const schema = `bench_${run}`;

  const admin = await connect();
  onCleanup('database connection', () => admin.end());
  const { pgVersion } = await checkConnections(admin, 2, opts.serviceEnv);

  // The api migrates the fresh schema; the worker starts after the load, so its periodic work does not run
  // against half-loaded tables without their indexes.
  const startedAt = now();
  const layout = { schema, prefix: schema, env: {}, serviceEnv: opts.serviceEnv, nodeArgs: opts.nodeArgs };
  const { processes: apiProcesses, env, cwd } = await startService(admin, { ...layout, processes: [{ label: 'api', role: 'api' }] });
  await waitHealthy(apiProcesses, 200);
  const [api] = apiProcesses;
  const migratedSeconds = (now() - startedAt) / 1000;

  const loader = new Client({
    connectionString: DATABASE_URL,
    query_timeout: LOAD_STATEMENT_TIMEOUT_MS,
    options: `-c search_path=${schema}`,
  });
  await loader.connect();
  onCleanup('loading connection', () => loader.end());
  const loadStarted = now();
  const steps = await generate(loader, schema, opts);
  const persons: Person[] = [];
  for (let n = 0; n < opts.warmup + opts.persons; n++) persons.push(await addPerson(loader, n, opts.ticketsPerPerson));
  await loader.query('ANALYZE customers, customer_identifiers, ticket_contacts');
  const loadSeconds = (now() - loadStarted) / 1000;
  const [sizes] = await sql<{ tickets: string; messages: string; total: string; tickets_n: string; messages_n: string }>(
    loader,
    `SELECT pg_size_pretty(pg_total_relation_size('tickets')) AS tickets, pg_size_pretty(pg_total_relation_size('messages')) AS messages,
            pg_size_pretty(sum(pg_total_relation_size(c.oid))) AS total,
            (SELECT count(*) FROM tickets) AS tickets_n, (SELECT count(*) FROM messages) AS messages_n
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
    [schema],
  );

  const { processes: workerProcesses } = await startService(admin, { ...layout, processes: [{ label: 'worker', role: 'worker' }] });
  await waitHealthy(workerProcesses, 200);
  const [worker] = workerProcesses;
  const services = [api, worker];
  assertAlive(services);
  const cpuParts = () => services.map((s) => ({ label: s.label, pid: s.child.pid }));

  const { accessToken: token } = await expectOk(api.port, 'POST', '/v1/auth/login', null, {
    email: env.ADMIN_EMAIL,
    password: env.ADMIN_PASSWORD,
  });

  // ------------------------------------------------------------------------------------------------------
  // Subject requests: each person exported, then erased, one request at a time.

  const exports: number[] = [];
  const erasures: number[] = [];
  const found: string[] = [];
  const requestsCpuStart = cpuSnapshot(cpuParts(), 'bench (client)');
  for (const [i, person] of persons.entries()) {
    if (stopping) return;
    const access = await subjectRequest(api.port, token, 'access', person);
    if (access.result.tickets.length !== opts.ticketsPerPerson) {
      throw new Error(`the access archive holds ${access.result.tickets.length} tickets, expected ${opts.ticketsPerPerson}`);
    }
    const erasure = await subjectRequest(api.port, token, 'erasure', person);
    if (erasure.result.erased.length !== opts.ticketsPerPerson) {
      throw new Error(`the erasure erased ${erasure.result.erased.length} tickets, expected ${opts.ticketsPerPerson}`);
    }
    if (i === 0)
      found.push(
        `archive ${JSON.stringify(access.result.found)} (${fmt(access.result.archive.bytes)} bytes); erasure changed ${JSON.stringify(erasure.result.changed)}`,
      );
    if (i < opts.warmup) continue;
    exports.push(access.seconds);
    erasures.push(erasure.seconds);
  }
  const requestsCpu = coresBetween(requestsCpuStart, cpuSnapshot(cpuParts(), 'bench (client)'));
  exports.sort((a, b) => a - b);
  erasures.sort((a, b) => a - b);

  // ------------------------------------------------------------------------------------------------------
  // Retention: every ticket-content period set to the age of about the --retention'th oldest closed ticket.

  const [{ days }] = await sql<{ days: number }>(
    loader,
    `SELECT floor(extract(epoch FROM now() - coalesce(closed_at, resolved_at)) / 86400)::int AS days FROM tickets
     WHERE content_erased_at IS NULL AND coalesce(closed_at, resolved_at) IS NOT NULL
     ORDER BY coalesce(closed_at, resolved_at) OFFSET $1 LIMIT 1`,
    [opts.retention - 1],
  );
  const policies: Array<{ id: string; target: string }> = await expectOk(api.port, 'GET', '/v1/admin/retention-policies', token);
  for (const p of policies.filter((p) => p.target === 'ticket_content')) {
    await expectOk(api.port, 'PATCH', `/v1/admin/retention-policies/${p.id}`, token, { keepDays: days });
  }
  const preview = await expectOk(api.port, 'GET', '/v1/admin/retention-policies/preview', token);

  // The plan of the job's first batch, read before it runs (a read of one batch: it hardly warms the cache).
  let plan: string[] = [];
  if (opts.explain) {
    const first = [new Date(), '-infinity', '00000000-0000-0000-0000-000000000000'];
    plan = (await loader.query(`EXPLAIN (ANALYZE, BUFFERS) ${DUE_TICKETS} LIMIT ${RETENTION_BATCH}`, first)).rows.map(
      (r) => r['QUERY PLAN'] as string,
    );
  }

  const connection = { url: REDIS_URL, maxRetriesPerRequest: null };
  const queue = new Queue(QueueName.Retention, { prefix: schema, connection });
  const events = new QueueEvents(QueueName.Retention, { prefix: schema, connection });
  onCleanup('retention queue', () => Promise.all([queue.close(), events.close()]));
  await events.waitUntilReady();
  // The baseline first: plain UPDATEs of the tickets the job will anonymise and their messages, setting the columns
  // it blanks, in transactions of the job's batch size. Each is rolled back, so the job then finds the same rows as
  // they were: an UPDATE after the job would write values already there, which PostgreSQL does far more cheaply
  // (no index changes), and would flatter the baseline.
  const due = (await sql<{ id: string }>(loader, `${DUE_TICKETS}`, [new Date(), '-infinity', '00000000-0000-0000-0000-000000000000'])).map(
    (r) => r.id,
  );
  const plainStarted = now();
  for (let i = 0; i < due.length && !stopping; i += RETENTION_BATCH) {
    const ids = due.slice(i, i + RETENTION_BATCH);
    await loader.query('BEGIN');
    await loader.query(
      `UPDATE tickets SET subject = NULL, origin_address = NULL, csat_comment = NULL, content_erased_at = now() WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    await loader.query(
      `UPDATE messages SET text = '', html = NULL, subject = NULL, address = NULL, delivery_error = NULL WHERE ticket_id = ANY($1::uuid[])`,
      [ids],
    );
    await loader.query('ROLLBACK');
  }
  const plainSeconds = (now() - plainStarted) / 1000;
  const [{ messages: plainMessages }] = await sql<{ messages: number }>(
    loader,
    `SELECT count(*)::int AS messages FROM messages WHERE ticket_id = ANY($1::uuid[])`,
    [due],
  );

  const retentionCpuStart = cpuSnapshot(cpuParts(), 'bench (client)');
  const runStarted = new Date();
  const retentionStarted = now();
  const job = await queue.add(JobName.RetentionRun, {}, { jobId: `bench-retention-${run}` });
  await job.waitUntilFinished(events, 60 * 60_000);
  const retentionSeconds = (now() - retentionStarted) / 1000;
  const retentionCpu = coresBetween(retentionCpuStart, cpuSnapshot(cpuParts(), 'bench (client)'));
  const [audit] = await sql<{ detail: Record<string, number> }>(
    loader,
    `SELECT detail FROM audit_events WHERE action = 'retention.run' ORDER BY created_at DESC LIMIT 1`,
  );
  const anonymised = (
    await sql<{ id: string }>(loader, `SELECT id FROM tickets WHERE content_erased_at >= $1 ORDER BY id`, [runStarted])
  ).map((r) => r.id);
  const [{ messages: retentionMessages }] = await sql<{ messages: number }>(
    loader,
    `SELECT count(*)::int AS messages FROM messages WHERE ticket_id = ANY($1::uuid[])`,
    [anonymised],
  );

  assertAlive(services);

  // ------------------------------------------------------------------------------------------------------
  // Report

  const out: string[] = [];
  out.push('');
  out.push('Privacy benchmark (subject access, erasure, retention)');
  out.push(machineLine(pgVersion));
  out.push(`layout    1 api process, 1 worker process; ${settingsLine(opts.serviceEnv)}`);
  const nodeLine = nodeArgsLine(opts.nodeArgs, cwd, services);
  if (nodeLine) out.push(nodeLine);
  out.push(
    `data      ${fmt(Number(sizes.tickets_n))} tickets (${sizes.tickets}), ${fmt(Number(sizes.messages_n))} messages (${sizes.messages}); schema ${sizes.total} in all`,
  );
  out.push(`load      migrated by the service in ${fmt(migratedSeconds, 1)} s; generated in ${fmt(loadSeconds, 1)} s:`);
  out.push(table([['step', 'rows', 'seconds'], ...steps.map((s) => [s.step, fmt(s.rows), fmt(s.seconds, 1)])]));
  out.push('');
  out.push(
    `persons   ${fmt(opts.warmup)} warm-up + ${fmt(opts.persons)} measured, each with ${fmt(opts.ticketsPerPerson)} tickets (personas kods + e-mail); ` +
      `exported, then erased, one request at a time, timed from the POST to status done (polled every ${POLL_MS} ms)`,
  );
  out.push(`first     ${found[0] ?? ''}`);
  out.push('');
  const row = (label: string, s: number[]) => [
    label,
    fmt(percentile(s, 50), 2),
    fmt(percentile(s, 99), 2),
    fmt(s[s.length - 1], 2),
    fmt(GOAL_REQUEST_SECONDS, 0),
    fmt(percentile(s, 99) / GOAL_REQUEST_SECONDS, 3),
  ];
  out.push(
    table([
      ['request', 'p50 s', 'p99 s', 'max s', 'goal s', 'p99 / goal'],
      row('subject access export', exports),
      row('erasure', erasures),
    ]),
  );
  out.push(
    `CPU, in cores over the requests (${fmt(requestsCpu.seconds, 1)} s): ${[...requestsCpu.cores].map(([l, c]) => `${l} ${fmt(busy(c), 2)}`).join(', ')}`,
  );
  out.push('');
  const jobRate = anonymised.length / retentionSeconds;
  const plainRate = due.length / plainSeconds;
  out.push(
    `retention ticket content kept ${fmt(days)} days (every ticket_content policy); preview said ${fmt(preview.tickets)} tickets, ${fmt(preview.customers)} customers; ` +
      `the run's audit entry: ${JSON.stringify(audit?.detail ?? {})}`,
  );
  out.push(
    table([
      ['over the same rows', 'tickets', 'messages', 'seconds', 'tickets/s', 'ratio'],
      [
        'retention job (enqueued → finished)',
        fmt(anonymised.length),
        fmt(retentionMessages),
        fmt(retentionSeconds, 2),
        fmt(jobRate, 0),
        fmt(jobRate / plainRate, 2),
      ],
      [
        `plain UPDATE … WHERE id = ANY(…), tickets + messages, ${RETENTION_BATCH} per transaction (run first)`,
        fmt(due.length),
        fmt(plainMessages),
        fmt(plainSeconds, 2),
        fmt(plainRate, 0),
        '1.00',
      ],
    ]),
  );
  out.push(
    `CPU, in cores over the retention job (${fmt(retentionCpu.seconds, 1)} s): ${[...retentionCpu.cores].map(([l, c]) => `${l} ${fmt(busy(c), 2)}`).join(', ')}`,
  );
  for (const cpu of [requestsCpu, retentionCpu]) {
    if (busy(cpu.cores.get(OTHER_LABEL) ?? [0, 0]) > OTHER_CPU_WARNING) {
      out.push(
        `note      other processes used more than ${OTHER_CPU_WARNING} cores while measuring: the figures are disturbed, rerun on a quiet machine`,
      );
      break;
    }
  }
  const warnings = warningsOf(services);
  if (warnings > 0) out.push(`note      the service logged ${fmt(warnings)} warning(s) or error(s)`);
  if (plan.length) {
    out.push('');
    out.push(`--- the retention job's first batch statement (tickets due, ${RETENTION_BATCH} at a time), before the run:`);
    out.push(...plan.map((l) => `  ${l}`));
  }
  out.push('');
  const requestsOk =
    exports.length > 0 && percentile(exports, 99) <= GOAL_REQUEST_SECONDS && percentile(erasures, 99) <= GOAL_REQUEST_SECONDS;
  const retentionOk = jobRate / plainRate >= GOAL_RETENTION_RATIO;
  out.push(
    `goals     export and erasure p99 ≤ ${GOAL_REQUEST_SECONDS} s for a person with ${opts.ticketsPerPerson} tickets: ${requestsOk ? 'MET' : 'NOT MET'}; ` +
      `retention ≥ ${GOAL_RETENTION_RATIO} of the plain UPDATE's rate: ${retentionOk ? 'MET' : 'NOT MET'}`,
  );
  out.push('');
  process.stdout.write(out.join('\n'));
}

runBench(main);

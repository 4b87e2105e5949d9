/**
 * Inbox benchmark (not a test: it prints figures and exits 0 whether or not the goals are met).
 *
 * A fresh schema is migrated by the service itself (one api process started from dist/), then filled with a
 * year of a busy centre, by default 1,000,000 tickets and 10,000,000 messages, with set-based SQL: institutions,
 * queues, channels, statuses, levels, assignees and running SLA clocks spread the way they are in practice.
 * Then the inbox list that operators and specialists keep open all day (a filter, `sort=sla_due`, page 2 by the
 * cursor of page 1) is timed through the real HTTP API as logged-in staff, and, in the same run and interleaved
 * with it, the very statement the service runs (built by the service's own code) through the same pg driver, as
 * psql would run it. The report gives p50/p99 of both and their ratio, and the plans of the measured statements.
 *
 *   npm run bench:inbox                                   # full size: 1,000,000 tickets × 10 messages
 *   npm run bench:inbox -- --tickets 50000 --iterations 300
 *   npm run bench:inbox -- --tickets 200000 --schema bench_inbox_200k   # generated once, reused by later runs
 *
 * Everything lives in a fresh schema and Redis prefix that are removed at the end, also on error or Ctrl-C; a
 * schema named with --schema is kept instead, and a later run with the same name migrates it (so new indexes
 * are built on the data already there) and measures without generating again.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { AuthUser } from '../src/auth/auth-user';
import { runTicketList, SEARCH_SETTINGS, ticketListQuery } from '../src/tickets/tickets-query.service';
import { busy, coresBetween, cpuSnapshot, OTHER_CPU_WARNING, OTHER_LABEL } from './support/cpu';
import { now, onCleanup, runBench, stopping, UsageError } from './support/lifecycle';
import { parseFlags } from './support/options';
import { fmt, machineLine, nodeArgsLine, table } from './support/report';
import { assertAlive, checkConnections, connect, DATABASE_URL, settingsLine, sql, startService, waitHealthy } from './support/service';
import { jsonClient } from './support/json-client';

const GOAL_P99_MS = 10;
const GOAL_RATIO = 2;
/** A statement of the data load may run for minutes at full size; it is still bounded. */
const LOAD_STATEMENT_TIMEOUT_MS = 60 * 60_000;

// ---------------------------------------------------------------------------------------------------------
// Options

interface Options {
  tickets: number;
  messagesPerTicket: number;
  iterations: number;
  warmup: number;
  explain: boolean;
  /** A named schema kept after the run and reused when it already holds tickets; null for a fresh one. */
  schema: string | null;
  serviceEnv: Record<string, string>;
  nodeArgs: string[];
}

function parseOptions(): Options {
  const { values, int, serviceEnv, nodeArgs } = parseFlags(
    'npm run bench:inbox',
    {
      tickets: { type: 'string' },
      'messages-per-ticket': { type: 'string' },
      iterations: { type: 'string' },
      warmup: { type: 'string' },
      'no-explain': { type: 'boolean' },
      schema: { type: 'string' },
    },
    [
      ['--tickets N', 'tickets generated over the past year (default 1000000)'],
      ['--messages-per-ticket N', 'messages per ticket (default 10, so 10,000,000 messages at full size)'],
      ['--iterations N', 'measured requests per scenario, each paired with one plain query (default 2000)'],
      ['--warmup N', 'requests and queries per scenario before measuring, not counted (default 200)'],
      ['--no-explain', 'skip EXPLAIN (ANALYZE, BUFFERS) of the measured statements'],
      ['--schema NAME', 'keep the data in this schema; reuse it (migrated, not generated again) when it holds tickets'],
    ],
  );
  return {
    tickets: int(values.tickets, 'TICKETS', 1_000_000, 1_000, 20_000_000),
    messagesPerTicket: int(values['messages-per-ticket'], 'MESSAGES_PER_TICKET', 10, 0, 100),
    iterations: int(values.iterations, 'ITERATIONS', 2000, 10, 1_000_000),
    warmup: int(values.warmup, 'WARMUP', 200, 0, 100_000),
    explain: !(values['no-explain'] ?? process.env.BENCH_NO_EXPLAIN === '1'),
    schema: schemaName(values.schema ?? process.env.BENCH_SCHEMA),
    serviceEnv,
    nodeArgs,
  };
}

export function schemaName(raw: string | undefined): string | null {
  if (raw === undefined || raw === '') return null;
  // Quoted into DDL and search_path: a plain lower-case identifier only.
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(raw)) throw new UsageError(`--schema must be a lower-case identifier, got ${JSON.stringify(raw)}`);
  return raw;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

// ---------------------------------------------------------------------------------------------------------
// Data: weighted choices become CASE expressions over deterministic uniform numbers, so every row is generated
// inside PostgreSQL and the same --tickets always gives the same data.

type Weighted<T> = Array<[value: T, weight: number]>;

/** Institution queues and their share of all tickets; the general queue takes the rest. */
const INSTITUTION_QUEUES: Weighted<string> = [
  ['VSAA', 0.14],
  ['VID', 0.14],
  ['NVA', 0.07],
  ['LAD', 0.05],
  ['VZD', 0.04],
  ['PMLP', 0.06],
  ['VDI', 0.02],
  ['UR', 0.03],
  ['VDAA', 0.01],
  ['RIGA', 0.02],
  ['DAUGAVPILS', 0.01],
  ['LIEPAJA', 0.01],
];
const GENERAL_SHARE = 1 - INSTITUTION_QUEUES.reduce((a, [, w]) => a + w, 0);
/** Share of general-queue tickets already attributed to an institution (the rest are general questions). */
const GENERAL_WITH_INSTITUTION = 0.55;

const CHANNEL_WEIGHTS: Weighted<string> = [
  ['email', 0.28],
  ['webform', 0.17],
  ['voice', 0.22],
  ['chat', 0.15],
  ['social', 0.06],
  ['counter', 0.07],
  ['phone', 0.05],
];
/** How long the SLA gives, by channel: written submissions 10 working days, live contacts a day for the follow-up. */
const SLA_BUDGET: Record<string, string> = {
  email: '14 days',
  webform: '14 days',
  counter: '14 days',
  phone: '7 days',
  social: '2 days',
  chat: '8 hours',
  voice: '8 hours',
};
/** Tickets younger than this are mostly still open; older ones mostly closed, a few lingering. */
const OPEN_WINDOW_DAYS = 21;
const RECENT_STATUS: Weighted<string> = [
  ['new', 0.04],
  ['bot', 0.02],
  ['queued', 0.3],
  ['assigned', 0.3],
  ['pending_customer', 0.1],
  ['pending_institution', 0.08],
  ['resolved', 0.08],
  ['closed', 0.08],
];
const OLD_STATUS: Weighted<string> = [
  ['queued', 0.005],
  ['assigned', 0.008],
  ['pending_customer', 0.004],
  ['pending_institution', 0.003],
  ['resolved', 0.03],
  ['closed', 0.95],
];
const PRIORITY: Weighted<string> = [
  ['low', 0.1],
  ['normal', 0.75],
  ['high', 0.12],
  ['urgent', 0.03],
];
const LANGUAGE: Weighted<string> = [
  ['lv', 0.7],
  ['ru', 0.22],
  ['en', 0.08],
];
const KIND: Weighted<string> = [
  ['question', 0.5],
  ['consultation', 0.2],
  ['application', 0.15],
  ['complaint', 0.1],
  ['suggestion', 0.05],
];
const TOPICS = [
  'pensijas',
  'nodokļi',
  'bezdarbs',
  'platības maksājumi',
  'kadastrs',
  'pases',
  'darba drošība',
  'uzņēmumi',
  'e-paraksts',
  'deklarācija',
];
const FIRST_NAMES = ['Jānis', 'Anna', 'Pēteris', 'Līga', 'Andris', 'Ilze', 'Mārtiņš', 'Inese', 'Dmitrijs', 'Olga', 'Kristaps', 'Zane'];
const LAST_NAMES = ['Bērziņš', 'Kalniņa', 'Ozols', 'Liepiņa', 'Jansons', 'Krūmiņa', 'Petrovs', 'Ivanova', 'Zariņš', 'Vītola'];
const MESSAGE_TEXTS = [
  'Labdien! Vēlos uzzināt, kad tiks izskatīts mans iesniegums un vai ir nepieciešami vēl kādi dokumenti. Paldies!',
  'Paldies par jūsu jautājumu. Iesniegums ir nodots iestādei, atbildi saņemsiet 10 darba dienu laikā.',
  'Здравствуйте! Подскажите, пожалуйста, как подать заявление на пособие по безработице онлайн?',
  'Good afternoon, I need to renew my residence permit and would like to know which documents to bring.',
  'Lūdzu, precizējiet savu personas kodu un pievienojiet deklarācijas kopiju, lai varam turpināt.',
  'Sveiki, manā kontā portālā neparādās pēdējais maksājums. Vai varat pārbaudīt?',
];
/**
 * What a citizen's message is about, beyond the phrases every centre hears all day: words of the services, drawn
 * with Zipf's law (the k-th word 1/k as often as the first), so a search meets common words (the first few are in
 * most tickets), middling ones (the last are in 2–3 % of tickets) and, with the case number every inbound message
 * carries, rare ones (a number is in a handful of tickets).
 */
const SERVICE_WORDS = [
  'pabalsts',
  'pensija',
  'izziņa',
  'nodoklis',
  'dzīvesvieta',
  'pase',
  'bezdarbnieks',
  'īpašums',
  'atmaksa',
  'apliecība',
  'slimības lapa',
  'ienākumi',
  'darba devējs',
  'parāds',
  'karte',
  'kadastrs',
  'zemesgrāmata',
  'invaliditāte',
  'apgādnieks',
  'uzturlīdzekļi',
  'atvaļinājums',
  'subsīdija',
  'mikrouzņēmums',
  'transportlīdzeklis',
  'būvatļauja',
  'bāriņtiesa',
  'laulība',
  'dzimšanas reģistrācija',
  'patentmaksa',
  'kavējuma nauda',
  'mežsaimniecība',
  'lopkopība',
  'ūdensapgāde',
  'stipendija',
  'aizbildnība',
  'repatriācija',
  'uzturēšanās atļauja',
  'vēlēšanas',
  'zvejniecība',
  'meliorācija',
];
/** Inbound messages carry a case or document number out of this many, so one number is in about five tickets. */
const CASE_NUMBERS = 1_000_000;
/** Staff the tickets are assigned to: operators for the general queue, specialists per institution. */
const OPERATORS = 200;
const SPECIALISTS_PER_INSTITUTION = 8;

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** A uniform number in [0, 1) for row `n` and draw `k`, from PostgreSQL's own integer hash. */
const uniform = (n: string, k: number) => `((hashint8(${n} * 64 + ${k}) & 2147483647) / 2147483648.0)`;

function pick<T extends string>(u: string, choices: Weighted<T>): string {
  const total = choices.reduce((a, [, w]) => a + w, 0);
  let upTo = 0;
  const arms = choices.slice(0, -1).map(([value, w]) => `WHEN ${u} < ${(upTo += w / total).toFixed(6)} THEN ${lit(value)}`);
  return `(CASE ${arms.join(' ')} ELSE ${lit(choices[choices.length - 1][0])} END)`;
}

/** Zipf's law over the values in their order: the k-th as often as the first divided by k. */
const zipf = (values: string[]): Weighted<string> => values.map((v, k) => [v, 1 / (k + 1)]);

const arrayPick = (u: string, values: string[]) => `(ARRAY[${values.map(lit).join(',')}])[1 + floor(${u} * ${values.length})::int]`;

/** A uuid made from a label and a number, so related rows refer to each other without a join. */
const idOf = (label: string, n: string) => `md5(${lit(label)} || ${n})::uuid`;

export interface LoadStep {
  step: string;
  rows: number;
  seconds: number;
}

/**
 * Bulk loading into tables with their indexes kept would maintain every index row by row; like a restore, the
 * indexes and keys of the big tables are dropped first and built once at the end, from their own definitions.
 */
async function withoutIndexes(db: Client, schema: string, tables: string[], load: () => Promise<void>, steps: LoadStep[]): Promise<void> {
  const constraints = await sql<{ tbl: string; name: string; def: string; type: string }>(
    db,
    `SELECT c.conrelid::regclass::text AS tbl, c.conname AS name, pg_get_constraintdef(c.oid) AS def, c.contype AS type
     FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
     WHERE n.nspname = $1 AND c.contype IN ('p', 'u', 'f')
       AND (c.conrelid::regclass::text = ANY($2) OR (c.contype = 'f' AND c.confrelid::regclass::text = ANY($2)))`,
    [schema, tables],
  );
  const indexes = await sql<{ name: string; def: string }>(
    db,
    `SELECT ic.relname AS name, pg_get_indexdef(i.indexrelid) AS def
     FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
     WHERE n.nspname = $1 AND i.indrelid::regclass::text = ANY($2)
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u'))`,
    [schema, tables],
  );
  const foreign = constraints.filter((c) => c.type === 'f');
  const keys = constraints.filter((c) => c.type !== 'f');
  for (const c of [...foreign, ...keys]) await db.query(`ALTER TABLE ${c.tbl} DROP CONSTRAINT "${c.name}"`);
  for (const i of indexes) await db.query(`DROP INDEX "${schema}"."${i.name}"`);

  await load();

  const started = now();
  // Primary and unique keys first: the foreign keys need them.
  for (const c of keys) await db.query(`ALTER TABLE ${c.tbl} ADD CONSTRAINT "${c.name}" ${c.def}`);
  for (const i of indexes) await db.query(i.def);
  for (const c of foreign) await db.query(`ALTER TABLE ${c.tbl} ADD CONSTRAINT "${c.name}" ${c.def}`);
  steps.push({
    step: `indexes and keys of ${tables.join(', ')} (${keys.length + indexes.length} indexes, ${foreign.length} foreign keys)`,
    rows: NaN,
    seconds: (now() - started) / 1000,
  });
}

/** A busy centre's year as set-based SQL; bench/console.ts loads its database with it too. */
export async function generate(db: Client, schema: string, opts: Pick<Options, 'tickets' | 'messagesPerTicket'>): Promise<LoadStep[]> {
  const steps: LoadStep[] = [];
  const timed = async (step: string, statement: string, params: unknown[] = []) => {
    const started = now();
    const result = await db.query(statement, params);
    steps.push({ step, rows: result.rowCount ?? NaN, seconds: (now() - started) / 1000 });
  };
  // Index builds sort whole tables: give them memory, as a restore would.
  await db.query(`SET maintenance_work_mem = '1GB'`);

  const customers = Math.ceil(opts.tickets * 0.6);
  const specialists = INSTITUTION_QUEUES.length * SPECIALISTS_PER_INSTITUTION;

  await timed(
    'staff (operators, specialists per institution)',
    `INSERT INTO agents (id, email, display_name, password_hash, roles, languages)
     SELECT ${idOf('agent', 'g.n')}, 'agent-' || g.n || '@bench.example', 'Agent ' || g.n, '!',
            CASE WHEN g.n <= ${OPERATORS} THEN ARRAY['operator'] ELSE ARRAY['specialist'] END, ARRAY['lv', 'ru']
     FROM generate_series(1, ${OPERATORS + specialists}) g(n)`,
  );
  await db.query(
    `INSERT INTO agent_institutions (agent_id, institution_id)
     SELECT ${idOf('agent', `(${OPERATORS} + g.n)`)}, i.id
     FROM generate_series(1, ${specialists}) g(n)
     JOIN institutions i ON i.code = (ARRAY[${INSTITUTION_QUEUES.map(([c]) => lit(c)).join(',')}])[1 + (g.n - 1) % ${INSTITUTION_QUEUES.length}]`,
  );

  await timed(
    'customers',
    `INSERT INTO customers (id, first_name, last_name, preferred_language, created_at, updated_at)
     SELECT ${idOf('customer', 'g.n')}, ${arrayPick(uniform('g.n', 1), FIRST_NAMES)}, ${arrayPick(uniform('g.n', 2), LAST_NAMES)},
            ${pick(uniform('g.n', 3), LANGUAGE)}, now() - interval '400 days' * ${uniform('g.n', 4)}, now()
     FROM generate_series(1, ${customers}) g(n)`,
  );

  // Queue 0 is the general queue; 1..12 the institution queues in INSTITUTION_QUEUES order.
  const queueWeights: Weighted<string> = [
    ['0', GENERAL_SHARE],
    ...INSTITUTION_QUEUES.map(([, w], i): [string, number] => [String(i + 1), w]),
  ];
  const institutionWeights: Weighted<string> = INSTITUTION_QUEUES.map(([, w], i) => [String(i + 1), w]);
  const codes = `ARRAY[${INSTITUTION_QUEUES.map(([c]) => lit(c)).join(',')}]`;
  const budgets = `(CASE d.channel ${Object.entries(SLA_BUDGET)
    .map(([channel, budget]) => `WHEN ${lit(channel)} THEN interval ${lit(budget)}`)
    .join(' ')} END)`;

  // The search documents are built once after the load, as the migration builds them, not appended to message by
  // message through the triggers that keep them on a live system.
  const documentTriggers = [
    ['tickets', 'ticket_search_tickets_inserted'],
    ['messages', 'ticket_search_messages_inserted'],
  ];
  for (const [table, trigger] of documentTriggers) await db.query(`ALTER TABLE ${table} DISABLE TRIGGER ${trigger}`);
  await withoutIndexes(
    db,
    schema,
    ['tickets', 'messages'],
    async () => {
      // Each level is computed once per row, the draws first (OFFSET 0 keeps PostgreSQL from folding the levels
      // into one and repeating every expression wherever the next level names it). Draws u0..u13 of ticket n:
      // 0 age, 1 channel, 2 queue, 3 institution of a general ticket, 4 status, 5 level, 6 assignee, 7 customer,
      // 8 priority, 9 language, 10 kind, 11 topic, 12 extension, 13 breached once.
      await timed(
        'tickets',
        `INSERT INTO tickets (reference, channel, institution_id, topic, kind, language, priority, status, level, queue_id,
           assignee_id, customer_id, subject, created_at, updated_at, first_response_at, resolved_at, closed_at,
           sla_policy_id, sla_state, sla_due_at, sla_warning_at, first_response_due_at, next_response_due_at,
           resolution_due_at, sla_breached_at)
         SELECT 'VP-' || extract(year FROM d.created_at)::int || '-' || lpad(d.n::text, 7, '0'), d.channel, inst.id, d.topic, d.kind,
           d.language, d.priority, d.status, d.level, q.id,
           CASE WHEN d.status IN ('new', 'bot', 'queued') THEN NULL
                WHEN d.queue_no = 0 THEN ${idOf('agent', `(1 + floor(d.u6 * ${OPERATORS})::int)`)}
                ELSE ${idOf('agent', `(${OPERATORS} + d.queue_no + ${INSTITUTION_QUEUES.length} * floor(d.u6 * ${SPECIALISTS_PER_INSTITUTION})::int)`)} END,
           CASE WHEN d.u7 < 0.9 THEN ${idOf('customer', `(1 + floor(d.u7 / 0.9 * ${customers})::int)`)} END,
           'Jautājums: ' || d.topic, d.created_at, d.created_at + interval '1 hour',
           CASE WHEN d.status NOT IN ('new', 'bot', 'queued') THEN d.created_at + d.budget * 0.3 END,
           CASE WHEN d.status IN ('resolved', 'closed') THEN d.created_at + d.budget * 0.7 END,
           CASE WHEN d.status = 'closed' THEN d.created_at + d.budget * 0.7 + interval '7 days' END,
           sp.id,
           CASE WHEN d.status IN ('resolved', 'closed') THEN 'met'
                WHEN d.status = 'pending_customer' THEN 'paused'
                WHEN d.due_at <= now() THEN 'breached'
                WHEN d.warning_at <= now() THEN 'warning' ELSE 'ok' END,
           CASE WHEN d.running THEN d.due_at END,
           CASE WHEN d.running AND d.due_at > now() THEN d.warning_at END,
           CASE WHEN d.running AND d.status IN ('new', 'bot', 'queued') THEN d.due_at END,
           CASE WHEN d.running AND d.status NOT IN ('new', 'bot', 'queued') THEN d.due_at END,
           CASE WHEN d.running THEN d.due_at END,
           CASE WHEN (d.running AND d.due_at <= now()) OR (NOT d.running AND d.u13 < 0.08) THEN d.created_at + d.budget END
         FROM (
           SELECT c.*, c.status IN ('new', 'bot', 'queued', 'assigned', 'pending_institution') AS running,
                  c.created_at + c.budget * c.stretch AS due_at, c.created_at + c.budget * c.stretch * 0.8 AS warning_at
           FROM (
             SELECT d.*, ${budgets} AS budget,
                    CASE WHEN d.u12 < 0.1 THEN 2.2 ELSE 1 END AS stretch,
                    CASE WHEN d.age_days < ${OPEN_WINDOW_DAYS} THEN ${pick('d.u4', RECENT_STATUS)}
                         ELSE ${pick('d.u4', OLD_STATUS)} END AS status,
                    CASE WHEN d.queue_no = 0 THEN CASE WHEN d.u5 < 0.1 THEN 0 ELSE 1 END
                         ELSE CASE WHEN d.u5 < 0.4 THEN 1 WHEN d.u5 < 0.9 THEN 2 ELSE 3 END END AS level,
                    CASE WHEN d.queue_no > 0 THEN d.queue_no
                         WHEN d.u3 < ${GENERAL_WITH_INSTITUTION} THEN ${pick(`(d.u3 / ${GENERAL_WITH_INSTITUTION})`, institutionWeights)}::int
                    END AS institution_no
             FROM (
               SELECT g.*, g.u0 * 365 AS age_days, now() - interval '365 days' * g.u0 AS created_at,
                      ${pick('g.u1', CHANNEL_WEIGHTS)} AS channel, ${pick('g.u2', queueWeights)}::int AS queue_no,
                      ${pick('g.u8', PRIORITY)} AS priority, ${pick('g.u9', LANGUAGE)} AS language,
                      ${pick('g.u10', KIND)} AS kind, ${arrayPick('g.u11', TOPICS)} AS topic
               FROM (SELECT g.n, ${Array.from({ length: 14 }, (_, k) => `${uniform('g.n', k)} AS u${k}`).join(', ')}
                     FROM generate_series(1, ${opts.tickets}) g(n) OFFSET 0) g
               OFFSET 0
             ) d
             OFFSET 0
           ) c
           OFFSET 0
         ) d
         JOIN queues q ON q.code = CASE WHEN d.queue_no = 0 THEN 'GENERAL' ELSE (${codes})[d.queue_no] END
         LEFT JOIN institutions inst ON inst.code = (${codes})[d.institution_no]
         LEFT JOIN sla_policies sp ON sp.scope = 'case' AND sp.channel = d.channel AND sp.level IS NULL AND sp.priority IS NULL AND sp.institution_id IS NULL`,
      );
      if (opts.messagesPerTicket > 0) {
        // Customer and staff take turns; inbound messages carry the channel's id, as the pipeline stores them.
        await timed(
          'messages',
          `INSERT INTO messages (ticket_id, channel, external_id, direction, author_type, author_agent_id, text, delivery_status, sent_at, created_at)
           SELECT t.id, t.channel, CASE WHEN j % 2 = 1 THEN t.reference || '/' || j END,
                  CASE WHEN j % 2 = 1 THEN 'inbound' ELSE 'outbound' END, CASE WHEN j % 2 = 1 THEN 'customer' ELSE 'agent' END,
                  CASE WHEN j % 2 = 0 THEN t.assignee_id END,
                  ${arrayPick(uniform('m.n', 0), MESSAGE_TEXTS)}
                    || CASE WHEN j % 2 = 1 THEN ' Jautājums par: ' || ${pick(uniform('m.n', 1), zipf(SERVICE_WORDS))}
                         || '. Lietas Nr. ' || (1 + floor(${uniform('m.n', 2)} * ${CASE_NUMBERS})::int) || '.' ELSE '' END,
                  CASE WHEN j % 2 = 0 THEN 'delivered' END, t.created_at + interval '2 hours' * j, t.created_at + interval '2 hours' * j
           FROM tickets t CROSS JOIN generate_series(1, ${opts.messagesPerTicket}) j
           CROSS JOIN LATERAL (SELECT split_part(t.reference, '-', 3)::bigint * 128 + j AS n) m`,
        );
      }
    },
    steps,
  );
  for (const [table, trigger] of documentTriggers) await db.query(`ALTER TABLE ${table} ENABLE TRIGGER ${trigger}`);
  // Without statistics of the fresh rows, the plan of each ticket's document looks costly enough to be compiled
  // (JIT) once per ticket: 11 ms each, three hours for a million, where with them it takes minutes.
  await db.query('ANALYZE tickets, messages, customers');
  await withoutIndexes(
    db,
    schema,
    ['ticket_search_documents'],
    () => timed('search documents (ticket_search_rebuild)', 'SELECT ticket_search_rebuild()'),
    steps,
  );
  const started = now();
  // Statistics and the visibility map as autovacuum would leave them on a live system.
  await db.query(
    'VACUUM (ANALYZE) tickets, ticket_search_documents, customers, agents, agent_institutions, queues, institutions, sla_policies',
  );
  await db.query('ANALYZE messages');
  steps.push({ step: 'VACUUM ANALYZE', rows: NaN, seconds: (now() - started) / 1000 });
  return steps;
}

// ---------------------------------------------------------------------------------------------------------
// HTTP

const { request, expectOk } = jsonClient(1);

interface Staff {
  label: string;
  token: string;
  user: AuthUser;
}

async function staffMember(
  port: number,
  adminToken: string,
  label: string,
  roles: AuthUser['roles'],
  institutions: string[],
): Promise<Staff> {
  const email = `${label}-${randomBytes(3).toString('hex')}@bench.example`;
  const password = `Bench-${randomBytes(12).toString('hex')}`;
  const created = await expectOk(port, 'POST', '/v1/admin/agents', adminToken, {
    email,
    displayName: `Bench ${label}`,
    password,
    roles,
    institutions,
  });
  const { accessToken } = await expectOk(port, 'POST', '/v1/auth/login', null, { email, password });
  return { label, token: accessToken, user: { id: created.id, email, roles, institutionIds: [] } };
}

// ---------------------------------------------------------------------------------------------------------
// Measurement

interface Scenario {
  who: Staff;
  /** The inbox filter, as the agent's client sends it. */
  filter: Record<string, string>;
}

interface ScenarioResult {
  label: string;
  path: string;
  http: Float64Array;
  plain: Float64Array;
  rows: number;
  plan: string[];
  sql: string;
  params: unknown[];
}

const queryString = (q: Record<string, string>) => new URLSearchParams(q).toString();

async function measure(port: number, db: Client, scenario: Scenario, opts: Options): Promise<ScenarioResult | string> {
  const { who, filter } = scenario;
  let label = `${who.label}: ${Object.entries(filter)
    .filter(([k, v]) => k !== 'sort' || v === 'relevance')
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')}`;
  const first = await expectOk(port, 'GET', `/v1/tickets?${queryString(filter)}`, who.token);
  // A rare word's matches fit on one page: that page is what its searcher waits for.
  if (!first.nextCursor && !filter.q)
    return `${label}: skipped, page 1 is the last (${first.items.length} items); more --tickets give it a page 2`;
  if (!first.nextCursor) label += ' (page 1, the only one)';
  const query = first.nextCursor ? { ...filter, cursor: first.nextCursor } : filter;
  const path = `/v1/tickets?${queryString(query)}`;
  // The statement the service runs for this request, built by the service's own code.
  const list = ticketListQuery(who.user, query);
  const { text, params } = list;

  const page = await expectOk(port, 'GET', path, who.token);
  // A search runs in its own transaction, as the API runs it.
  const runPlain = async () => {
    if (!list.search) return runTicketList(db, list);
    await db.query('BEGIN');
    try {
      return await runTicketList(db, list);
    } finally {
      await db.query('COMMIT');
    }
  };
  const plainRows = await runPlain();
  const httpIds = page.items.map((t: { id: string }) => t.id).join(',');
  const plainIds = plainRows
    .slice(0, page.items.length)
    .map((r) => r.id)
    .join(',');
  if (httpIds !== plainIds)
    throw new Error(`${label}: the plain statement does not return the API's page 2; the benchmark's SQL is not the service's`);

  const runHttp = async () => {
    const res = await request(port, 'GET', path, who.token);
    if (res.status !== 200) throw new Error(`${label}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  };
  for (let i = 0; i < opts.warmup && !stopping; i++) {
    await runHttp();
    await runPlain();
  }
  // Interleaved one by one, so both see the same caches and the same machine load.
  const httpMs = new Float64Array(opts.iterations);
  const plainMs = new Float64Array(opts.iterations);
  for (let i = 0; i < opts.iterations && !stopping; i++) {
    let started = now();
    await runHttp();
    httpMs[i] = now() - started;
    started = now();
    await runPlain();
    plainMs[i] = now() - started;
  }

  let plan: string[] = [];
  if (opts.explain) {
    await db.query('BEGIN');
    try {
      if (list.search) await db.query(SEARCH_SETTINGS);
      plan = (await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, params)).rows.map((r) => r['QUERY PLAN'] as string);
    } finally {
      await db.query('COMMIT');
    }
  }
  return { label, path, http: httpMs.sort(), plain: plainMs.sort(), rows: page.items.length, plan, sql: text, params };
}

// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const opts = parseOptions();
  const run = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const prefix = `bench_${run}`;
  const schema = opts.schema ?? prefix;

  const admin = await connect();
  onCleanup('database connection', () => admin.end());
  const { pgVersion } = await checkConnections(admin, 1, opts.serviceEnv);

  // The service migrates the fresh schema itself as it starts.
  const startedAt = now();
  const {
    processes: services,
    env,
    cwd,
  } = await startService(admin, {
    schema,
    prefix,
    keepSchema: opts.schema !== null,
    processes: [{ label: 'api', role: 'api' }],
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
  const steps = reused ? [] : await generate(loader, schema, opts);
  const loadSeconds = (now() - loadStarted) / 1000;
  const [sizes] = await sql<{ tickets: string; messages: string; total: string; tickets_n: string; messages_n: string }>(
    loader,
    `SELECT pg_size_pretty(pg_total_relation_size('tickets')) AS tickets, pg_size_pretty(pg_total_relation_size('messages')) AS messages,
            pg_size_pretty(sum(pg_total_relation_size(c.oid))) AS total,
            (SELECT count(*) FROM tickets) AS tickets_n, (SELECT count(*) FROM messages) AS messages_n
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
    [schema],
  );
  const open = await sql<{ status: string; n: string }>(
    loader,
    `SELECT status, count(*) AS n FROM tickets WHERE status NOT IN ('resolved', 'closed') GROUP BY status ORDER BY status`,
  );
  assertAlive(services);

  // Staff through the admin API, signed in as they would be.
  const { accessToken: adminToken } = await expectOk(api.port, 'POST', '/v1/auth/login', null, {
    email: env.ADMIN_EMAIL,
    password: env.ADMIN_PASSWORD,
  });
  const operator = await staffMember(api.port, adminToken, 'operator', ['operator'], []);
  const specialist = await staffMember(api.port, adminToken, 'specialist', ['specialist'], ['VID']);
  specialist.user.institutionIds = (await sql<{ id: string }>(loader, `SELECT id FROM institutions WHERE code = 'VID'`)).map((r) => r.id);

  const db = await connect(schema);
  onCleanup('plain-query connection', () => db.end());
  // The oldest case number, found the way an operator would be given one: read off a message.
  const [caseRow] = await sql<{ n: string | null }>(
    db,
    `SELECT substring(text FROM 'Lietas Nr\\. (\\d+)') AS n FROM messages WHERE direction = 'inbound' AND text LIKE '%Lietas Nr.%' LIMIT 1`,
  );
  const caseNumber = caseRow?.n ?? null;
  const scenarios: Scenario[] = [
    { who: operator, filter: { queue: 'GENERAL', status: 'queued', sort: 'sla_due' } },
    { who: operator, filter: { queue: 'GENERAL', status: 'queued', sla: 'ok', sort: 'sla_due' } },
    { who: specialist, filter: { status: 'queued', sort: 'sla_due' } },
    { who: specialist, filter: { status: 'assigned', sla: 'warning', sort: 'sla_due' } },
    // Search: one word and two words in another form than written, newest first and by relevance.
    { who: operator, filter: { q: 'iesniegumu' } },
    { who: operator, filter: { q: 'deklaracija kopija' } },
    { who: specialist, filter: { q: 'maksajumu' } },
    { who: operator, filter: { q: 'deklaracija kopija', sort: 'relevance' } },
    // A customer's name typed without diacritics (a tenth of the customers), and a specialist's ranked and due-time searches.
    { who: operator, filter: { q: 'Zarins' } },
    { who: specialist, filter: { q: 'maksajumu', sort: 'relevance' } },
    { who: specialist, filter: { q: 'izskatits dokumenti', sort: 'sla_due' } },
    // Words of a few per cent of the tickets, alone and together, and a case number a handful of tickets carry.
    { who: operator, filter: { q: 'melioracijas' } },
    { who: operator, filter: { q: 'stipendiju aizbildniba' } },
    { who: specialist, filter: { q: 'uzturesanas atlauju', sort: 'relevance' } },
    ...(caseNumber ? [{ who: operator, filter: { q: caseNumber } }] : []),
  ];
  const cpuStart = cpuSnapshot([{ label: 'api', pid: api.child.pid }], 'bench (client, plain queries)');
  const results: ScenarioResult[] = [];
  const skipped: string[] = [];
  for (const scenario of scenarios) {
    if (stopping) return;
    const result = await measure(api.port, db, scenario, opts);
    if (typeof result === 'string') skipped.push(result);
    else results.push(result);
  }
  const cpu = coresBetween(cpuStart, cpuSnapshot([{ label: 'api', pid: api.child.pid }], 'bench (client, plain queries)'));

  // ------------------------------------------------------------------------------------------------------
  // Report

  const out: string[] = [];
  out.push('');
  out.push('Inbox list benchmark (filter + sort=sla_due + page 2 by cursor)');
  out.push(machineLine(pgVersion));
  out.push(`layout    1 api process; ${settingsLine(opts.serviceEnv)}`);
  const nodeLine = nodeArgsLine(opts.nodeArgs, cwd, services);
  if (nodeLine) out.push(nodeLine);
  out.push(
    `data      ${fmt(Number(sizes.tickets_n))} tickets (${sizes.tickets}), ${fmt(Number(sizes.messages_n))} messages (${sizes.messages}); schema ${sizes.total} in all`,
  );
  out.push(`open      ${open.map((o) => `${o.status} ${fmt(Number(o.n))}`).join(', ')}`);
  if (reused) {
    out.push(`load      migrated by the service in ${fmt(migratedSeconds, 1)} s; data of schema ${schema} reused, not generated`);
  } else {
    out.push(`load      migrated by the service in ${fmt(migratedSeconds, 1)} s; generated in ${fmt(loadSeconds, 1)} s:`);
    out.push(table([['step', 'rows', 'seconds'], ...steps.map((s) => [s.step, fmt(s.rows), fmt(s.seconds, 1)])]));
  }
  out.push('');
  out.push(
    `run       per scenario ${fmt(opts.warmup)} warm-up + ${fmt(opts.iterations)} measured pairs, one at a time: GET through the API, then the same statement on one pg connection`,
  );
  out.push('');
  const rows = results.map((r) => {
    const [h50, h99, p50, p99] = [percentile(r.http, 50), percentile(r.http, 99), percentile(r.plain, 50), percentile(r.plain, 99)];
    return [r.label, fmt(h50, 2), fmt(h99, 2), fmt(p50, 2), fmt(p99, 2), fmt(h50 / p50, 2), fmt(h99 / p99, 2), String(r.rows)];
  });
  out.push(
    table([['scenario (page 2)', 'API p50 ms', 'API p99 ms', 'SQL p50 ms', 'SQL p99 ms', 'ratio p50', 'ratio p99', 'rows'], ...rows]),
  );
  for (const line of skipped) out.push(line);
  out.push('');
  out.push(
    `CPU, in cores over the measured scenarios (${fmt(cpu.seconds, 1)} s): ${[...cpu.cores].map(([l, c]) => `${l} ${fmt(busy(c), 2)}`).join(', ')}`,
  );
  if (busy(cpu.cores.get(OTHER_LABEL) ?? [0, 0]) > OTHER_CPU_WARNING) {
    out.push(
      `note      other processes used more than ${OTHER_CPU_WARNING} cores while measuring: the figures are disturbed, rerun on a quiet machine`,
    );
  }
  for (const r of results) {
    out.push('');
    out.push(`--- ${r.label}`);
    out.push(`GET ${r.path}`);
    if (r.plan.length) out.push(...r.plan.map((l) => `  ${l}`));
  }
  if (results[0]) {
    out.push('');
    out.push(`statement of the first scenario (parameters ${JSON.stringify(results[0].params)}):`);
    out.push(results[0].sql.replace(/\s+/g, ' '));
  }
  out.push('');
  const p99Ok = results.length > 0 && results.every((r) => percentile(r.http, 99) < GOAL_P99_MS);
  const ratioOk = results.every((r) => percentile(r.http, 99) / percentile(r.plain, 99) <= GOAL_RATIO);
  out.push(
    `goals     API p99 < ${GOAL_P99_MS} ms: ${p99Ok ? 'MET' : 'NOT MET'}; API p99 within ${GOAL_RATIO}× of the plain statement's p99: ${ratioOk ? 'MET' : 'NOT MET'}`,
  );
  out.push('');
  process.stdout.write(out.join('\n'));
}

// Run when started as the inbox benchmark, not when another benchmark borrows its generator.
if (require.main === module) runBench(main);

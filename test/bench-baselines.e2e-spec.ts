import { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { PLACE_FORM_SQL, placeFormValues } from '../bench/support/same-work-webform';
import { rowsByTable, rowsPerEvent } from '../bench/support/table-rows';
import { webformSubmission } from './support/factories';
import { eventually, signedSubmission, TestEnv } from './support/test-env';

/**
 * `npm run bench` compares the service with a baseline that claims to write the same rows for a web form in one
 * statement. Benchmarks do not run in CI, so this checks the claim against the service as migrated today: a
 * migration that adds a table the pipeline writes, or a column the statement must fill, fails here and not in the
 * middle of someone's benchmark run (or worse, not at all, with the baseline quietly doing less).
 */
describe('the same-work baseline of the ingest benchmark', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let db: Client;

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all' });
    db = new Client({ connectionString: env.databaseUrl, options: `-c search_path=${env.name}` });
    await db.connect();
    // Its own references, far from the service's in the schema they share here (the benchmark gives it a schema of its own).
    await db.query('CREATE SEQUENCE bench_same_work_references START 900000');
  });

  afterAll(async () => {
    await db?.end();
    await env.teardown();
  });

  /** A form of a person nobody has written as yet, for an institution that accepts cases. */
  const freshForm = (n: number) =>
    webformSubmission({
      institution: 'VID',
      topic: 'nodokļi',
      applicant: {
        firstName: 'Līga',
        lastName: 'Ozola',
        personalCode: `3200000${String(n).padStart(4, '0')}`,
        email: `liga.${n}.${env.name}@example.lv`,
        phone: `+3712${String(n).padStart(7, '0')}`,
      },
    });

  it('writes, table by table, the rows the service writes for the same form', async () => {
    const before = await rowsByTable(db, env.name);
    const served = freshForm(1);
    const accepted = await signedSubmission(app, served).expect(202);
    const [serviceTicket] = await eventually(async () => {
      const rows = await env.sql(
        `SELECT t.*, e.status AS event_status FROM tickets t JOIN inbound_events e ON e.ticket_id = t.id WHERE t.reference = $1`,
        [accepted.body.reference],
      );
      return rows.length === 1 && rows[0].event_status === 'processed' ? rows : null;
    });
    const afterService = await rowsByTable(db, env.name);

    const raw = JSON.stringify(freshForm(2));
    const {
      rows: [{ reference }],
    } = await db.query<{ reference: string }>(PLACE_FORM_SQL, placeFormValues(raw));
    const afterBaseline = await rowsByTable(db, env.name);

    // The worker's scheduled retraining of the classifier runs when it starts and may store a model meanwhile.
    const perForm = (from: Map<string, number>, to: Map<string, number>) =>
      Object.fromEntries([...rowsPerEvent(from, to, 1)].filter(([table]) => table !== 'classifier_models'));
    const serviceRows = perForm(before, afterService);
    const baselineRows = perForm(afterService, afterBaseline);
    expect(baselineRows).toEqual(serviceRows);
    // The sixteen rows the README names, so that this test cannot pass by both sides writing nothing.
    expect(serviceRows).toEqual({
      customers: 1,
      customer_identifiers: 3,
      tickets: 1,
      messages: 1,
      ticket_contacts: 3,
      sla_clocks: 2,
      sla_clock_events: 2,
      escalations: 1,
      ticket_search_documents: 1,
      inbound_events: 1,
    });

    // Routed alike: the same institution and queue, waiting at level 1 with its clocks running.
    const [baselineTicket] = await env.sql('SELECT * FROM tickets WHERE reference = $1', [reference]);
    for (const column of ['institution_id', 'queue_id', 'level', 'status', 'channel', 'kind', 'sla_policy_id', 'sla_state'])
      expect({ column, value: baselineTicket[column] }).toEqual({ column, value: serviceTicket[column] });
    const clocks = await env.sql(
      `SELECT ticket_id = $1 AS baseline, metric, status FROM sla_clocks WHERE ticket_id IN ($1, $2) ORDER BY 1, 2`,
      [baselineTicket.id, serviceTicket.id],
    );
    expect(clocks.map(({ baseline, metric, status }) => [baseline, metric, status])).toEqual([
      [false, 'first_response', 'running'],
      [false, 'resolution', 'running'],
      [true, 'first_response', 'running'],
      [true, 'resolution', 'running'],
    ]);
    // Both found by what a person would search for: the triggers built the baseline's document too.
    const found = await env.sql(
      `SELECT t.reference FROM ticket_search_documents d JOIN tickets t ON t.id = d.ticket_id
       WHERE d.document @@ plainto_tsquery('simple', 'ozola') ORDER BY 1`,
    );
    expect(found.map((r) => r.reference).sort()).toEqual([accepted.body.reference, reference].sort());
  });

  it('refuses a form without the fields it reads, as the handler answers 422', () => {
    expect(() => placeFormValues(JSON.stringify({ submissionId: 'x', applicant: {} }))).toThrow(/firstName/);
  });
});

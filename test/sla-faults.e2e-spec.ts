import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { webformSubmission } from './support/factories';
import { PrivatePostgres } from './support/private-services';
import { eventually, login, MONITORING, signedSubmission, TestEnv } from './support/test-env';

/** SLA_FAULTS_LONG=1 (or FAULTS_LONG=1) puts more timers through the outage; the short variant always runs. */
const LONG = Boolean(process.env.SLA_FAULTS_LONG || process.env.FAULTS_LONG);
const N = LONG ? 200 : 30;
/** Long enough for every ticket to be written before its clock runs out, short enough to fall due during the outage. */
const TARGET_S = LONG ? 30 : 12;

/**
 * The primary PostgreSQL (a private one of this file's own) stops while a burst of SLA timers falls due, and comes
 * back later: every timer that fired into the outage fails, is retried with backoff, and once its retries are spent
 * is removed and re-added by the sweep. Each breach must be recorded exactly once after recovery, with its action.
 */
describe('faults: PostgreSQL primary restarted during an SLA firing burst', () => {
  let pg: PrivatePostgres;
  let env: TestEnv;
  let app: INestApplication;

  beforeAll(async () => {
    pg = await PrivatePostgres.start();
    env = new TestEnv({ databaseUrl: pg.url });
    app = await env.startApi({ APP_ROLE: 'all', SLA_SWEEP_INTERVAL_MS: '2000', INBOUND_SWEEP_INTERVAL_MS: '2000' });
    const admin = await login(app);
    await request(app.getHttpServer())
      .post('/v1/admin/sla-policies')
      .set('Authorization', `Bearer ${admin}`)
      .send({
        name: 'VID burst',
        channel: 'webform',
        institution: 'VID',
        firstResponse: { value: TARGET_S, unit: 'calendar_seconds' },
        // Otherwise a breach out of hours is recorded at the next opening, and the test may run at night.
        remindOutsideHours: true,
        breachActions: [{ type: 'raise_priority', to: 'urgent' }],
      })
      .expect(201);
  }, 60000);
  afterAll(async () => {
    await env.teardown();
    await pg.destroy();
  });

  it('records every breach due during the outage exactly once after PostgreSQL is back', async () => {
    const answers = await Promise.all(Array.from({ length: N }, () => signedSubmission(app, webformSubmission({ institution: 'VID' }))));
    answers.forEach((a) => expect(a.status).toBe(202));
    const references = answers.map((a) => a.body.reference as string);
    await eventually(
      async () => (await env.sql(`SELECT count(*)::int AS n FROM tickets WHERE reference = ANY($1)`, [references]))[0].n === N,
    );
    // Clocks start with the ticket; their timers are scheduled once it is committed.
    const { latest, breached } = await eventually(async () => {
      const [row] = await env.sql(
        `SELECT extract(epoch FROM max(c.due_at))::float8 * 1000 AS latest, count(c.due_at)::int AS clocks, count(e.id)::int AS breached
         FROM tickets t JOIN sla_clocks c ON c.ticket_id = t.id AND c.metric = 'first_response'
         LEFT JOIN sla_events e ON e.ticket_id = t.id AND e.kind = 'breached' WHERE t.reference = ANY($1)`,
        [references],
      );
      return row.clocks === N ? row : null;
    });
    expect(latest).toBeGreaterThan(Date.now());
    // If the machine was too slow to write the tickets before they fell due, the burst would not meet the outage.
    expect(breached).toBe(0);

    await pg.stop();
    // Down until the breach timers have fired into the outage and, on an unhurried machine, spent their retries
    // (1 + 2 + 4 + 8 s of backoff), so that they come back only through the sweep, which finds their clocks still due.
    await new Promise((r) => setTimeout(r, Math.max(0, latest - Date.now()) + 18_000));
    await pg.start();

    const breachesPerTicket = async () =>
      env.sql<{ reference: string; n: number; actions: string; priority: string; sla_state: string }>(
        `SELECT t.reference, t.priority, t.sla_state, count(e.id)::int AS n, min(e.actions::text) AS actions FROM tickets t
         LEFT JOIN sla_events e ON e.ticket_id = t.id AND e.kind = 'breached' AND e.metric = 'first_response'
         WHERE t.reference = ANY($1) GROUP BY t.id`,
        [references],
      );
    await eventually(async () => (await breachesPerTicket()).every((t) => t.n >= 1) || null, { timeoutMs: 45000, everyMs: 250 }).catch(
      () => undefined, // the assertions below say which tickets
    );
    // Two more sweeps and the retries still under way: nothing may fire a second time.
    await new Promise((r) => setTimeout(r, 5000));
    const rows = await breachesPerTicket();
    expect(rows).toHaveLength(N);
    expect(rows.filter((t) => t.n !== 1).map((t) => `${t.reference}: ${t.n}`)).toEqual([]);
    for (const t of rows) {
      expect(JSON.parse(t.actions)).toEqual([{ type: 'raise_priority', to: 'urgent', applied: true }]);
      expect({ priority: t.priority, state: t.sla_state }).toEqual({ priority: 'urgent', state: 'breached' });
    }
    const audit = await env.sql(
      `SELECT count(*)::int AS n, count(DISTINCT a.subject_id)::int AS tickets FROM audit_events a JOIN tickets t ON t.id::text = a.subject_id::text
       WHERE a.action = 'sla.breached' AND t.reference = ANY($1)`,
      [references],
    );
    expect(audit[0]).toEqual({ n: N, tickets: N });

    // The failures were counted, and the service answers again without a restart.
    const metrics = (await request(app.getHttpServer()).get('/metrics').set(MONITORING).expect(200)).text;
    const recorded = Number(/^vp_sla_events_total\{[^}]*kind="breached"[^}]*\} (\d+)/m.exec(metrics)?.[1] ?? 0);
    expect(recorded).toBe(N);
    await request(app.getHttpServer()).get('/health').expect(200);
  }, 120000);
});

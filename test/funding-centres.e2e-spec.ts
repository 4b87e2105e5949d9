import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { eventually, login, TestEnv } from './support/test-env';

const PASSWORD = 'a-long-enough-password';
const MONTH = '2026-11';
/** November 2026 in Riga (EET all month), and its one holiday: 18 November, a Wednesday. */
const START = '2026-10-31T22:00:00Z';
const END = '2026-11-30T22:00:00Z';
const HOLIDAYS = ['2026-11-18'];

/**
 * Written apart from the service: half-hours of the centre's week on every non-holiday day of the month, each
 * counted when the centre's own evidence falls in it. An agent's work (replies, ticket actions, presence as an
 * operator) belongs to the agent's centre; a logged contact belongs to the centre it names, at the time it was served.
 */
const STAFFED_SQL = `
  WITH days AS (
    SELECT d::date AS day FROM generate_series(DATE '2026-11-01', DATE '2026-11-30', interval '1 day') d WHERE NOT d::date = ANY($2::date[])
  ), spans AS (
    -- The working day before a holiday is one hour shorter (Darba likums 135(2)): its last span ends an hour early.
    SELECT days.day, (s.v->>0)::time AS f,
           (s.v->>1)::time - CASE WHEN days.day + 1 = ANY($2::date[]) AND s.i = jsonb_array_length(b.hours -> lower(to_char(days.day, 'Dy')))
                                  THEN interval '1 hour' ELSE interval '0' END AS t
    FROM days JOIN business_hours b ON b.centre = $1, jsonb_array_elements(b.hours -> lower(to_char(days.day, 'Dy'))) WITH ORDINALITY s(v, i)
  ), slots AS MATERIALIZED (
    SELECT (spans.day + spans.f + n * interval '30 minutes') AT TIME ZONE 'Europe/Riga' AS s,
           least(spans.day + spans.f + (n + 1) * interval '30 minutes', spans.day + spans.t) AT TIME ZONE 'Europe/Riga' AS e
    FROM spans, generate_series(0, 47) n WHERE spans.day + spans.f + n * interval '30 minutes' < spans.day + spans.t
  ), evidence AS MATERIALIZED (
    SELECT coalesce(m.sent_at, m.created_at) AS at FROM messages m JOIN agents a ON a.id = m.author_agent_id
    WHERE m.author_type = 'agent' AND m.meta->>'centre' = $1
    UNION ALL
    SELECT m.created_at FROM messages m JOIN agents a ON a.id = m.author_agent_id
    WHERE m.author_type = 'agent' AND NOT m.meta ? 'centre' AND a.centre = $1
    UNION ALL
    SELECT e.created_at FROM audit_events e JOIN agents a ON a.id = e.actor_agent_id WHERE e.action LIKE 'ticket.%' AND a.centre = $1
  )
  SELECT coalesce(sum(extract(epoch FROM slots.e - slots.s)), 0) / 3600 AS planned,
         coalesce(sum(extract(epoch FROM slots.e - slots.s)) FILTER (WHERE
           EXISTS (SELECT 1 FROM evidence v WHERE v.at >= slots.s AND v.at < slots.e)
           OR EXISTS (SELECT 1 FROM presence_periods p JOIN agents a ON a.id = p.agent_id
                      WHERE p.state = 'online' AND 'operator' = ANY(a.roles) AND a.centre = $1
                        AND p.started_at < slots.e AND coalesce(p.ended_at, 'infinity') > slots.s)), 0) / 3600 AS staffed
  FROM slots`;

/** Tickets of the month per centre and channel: a logged contact's centre is the one its message names. */
const VOLUME_SQL = `
  SELECT coalesce((SELECT m.meta->>'centre' FROM messages m WHERE m.ticket_id = t.id AND m.meta ? 'centre' LIMIT 1), 'VPPPD') AS centre,
         t.channel, count(*)::int AS n
  FROM tickets t WHERE t.created_at >= $1 AND t.created_at < $2 AND t.merged_into_id IS NULL
  GROUP BY 1, 2 ORDER BY 1, 2`;

describe('funding report per centre: each centre counts its own agents and the contacts that name it', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let admin: string;
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  const http = () => request(app.getHttpServer());
  const funding = async (centre: string) =>
    (await http().get(`/v1/reports/funding?month=${MONTH}&centre=${centre}`).set('Authorization', `Bearer ${admin}`).expect(200)).body;
  const logContact = async (who: string, body: Record<string, unknown>) => {
    const res = await http()
      .post('/v1/contacts')
      .set('Authorization', `Bearer ${tokens[who]}`)
      .send({ channel: 'counter', institution: 'VSAA', kind: 'consultation', subject: 'Pensija', text: 'Izskaidroju.', ...body })
      .expect(202);
    return eventually(
      async () => (await env.sql('SELECT id FROM tickets WHERE reference = $1', [res.body.reference]))[0]?.id as string | undefined,
    );
  };

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all' });
    admin = await login(app);
    const agents = app.get(AgentsService);
    ids.vpppd = await agents.upsert({ email: 'op@vpppd.test', displayName: 'VPPPD operatore', password: PASSWORD, roles: ['operator'] });
    ids.supervisor = await agents.upsert({ email: 'sup@vpppd.test', displayName: 'Vadītāja', password: PASSWORD, roles: ['supervisor'] });
    // The Cēsis operator is made through the admin API, with the centre as a field of the account.
    const cesis = await http()
      .post('/v1/admin/agents')
      .set('Authorization', `Bearer ${admin}`)
      .send({ email: 'op@cesis.test', displayName: 'Cēsu operators', password: PASSWORD, roles: ['operator'], centre: 'vpvkac-cesis' })
      .expect(201);
    expect(cesis.body.centre).toBe('VPVKAC-CESIS');
    ids.cesis = cesis.body.id;
    for (const [who, email] of [
      ['vpppd', 'op@vpppd.test'],
      ['cesis', 'op@cesis.test'],
    ])
      tokens[who] = await login(app, email, PASSWORD);

    const [{ id: generalQueue }] = await env.sql(`SELECT id FROM queues WHERE code = 'GENERAL'`);
    // Remote contacts of November: a chat answered in a minute, a chat closed unanswered, an e-mail answered in an
    // hour, a web form automation settled at level 0 (it never waited for a person).
    const remote = await env.sql(
      `INSERT INTO tickets (reference, channel, kind, queue_id, status, level, created_at, first_response_at, resolved_at)
       VALUES ('VP-2026-900001', 'chat', 'consultation', $1, 'resolved', 1, '2026-11-02T08:00:00Z', '2026-11-02T08:01:00Z', '2026-11-02T08:05:00Z'),
              ('VP-2026-900002', 'chat', 'consultation', $1, 'closed', 1, '2026-11-02T08:10:00Z', NULL, '2026-11-02T08:20:00Z'),
              ('VP-2026-900003', 'email', 'question', $1, 'queued', 1, '2026-11-03T10:00:00Z', '2026-11-03T11:00:00Z', NULL),
              ('VP-2026-900004', 'webform', 'application', $1, 'resolved', 0, '2026-11-03T10:30:00Z', NULL, '2026-11-03T10:31:00Z')
       RETURNING id`,
      [generalQueue],
    );
    // Calls on the remote line: one answered after 30 s, one hung up while waiting, one served by the IVR alone.
    await env.sql(
      `INSERT INTO calls (call_sid, from_number, queue_name, enqueued_at, answered_at, answered_by, outcome, started_at) VALUES
         ('CA-funding-1', '+37120000001', 'lv', '2026-11-04T09:00:00Z', '2026-11-04T09:00:30Z', $1, 'answered', '2026-11-04T08:59:00Z'),
         ('CA-funding-2', '+37120000002', 'lv', '2026-11-04T09:05:00Z', NULL, NULL, 'abandoned', '2026-11-04T09:04:00Z'),
         ('CA-funding-3', '+37120000003', NULL, NULL, NULL, NULL, 'self_served', '2026-11-04T09:10:00Z')`,
      [ids.vpppd],
    );
    // Presence: the VPPPD operator online Mon 2 Nov 09:00–10:00 Riga, the Cēsis operator Tue 3 Nov 09:00–10:00; the
    // supervisor online all Wednesday (a supervisor does not staff a line).
    await env.sql(
      `INSERT INTO presence_periods (agent_id, state, started_at, ended_at) VALUES
         ($1, 'online', '2026-11-02T07:00:00Z', '2026-11-02T08:00:00Z'),
         ($2, 'online', '2026-11-03T07:00:00Z', '2026-11-03T08:00:00Z'),
         ($3, 'online', '2026-11-04T06:00:00Z', '2026-11-04T15:00:00Z')`,
      [ids.vpppd, ids.cesis, ids.supervisor],
    );
    // Replies: the VPPPD operator on the chat Thu 5 Nov 14:10 Riga; the Cēsis operator answers the remote e-mail
    // Fri 6 Nov 10:05 (their work, so Cēsis's evidence, although the ticket is VPPPD's).
    await env.sql(
      `INSERT INTO messages (ticket_id, channel, direction, author_type, author_agent_id, text, internal, created_at) VALUES
         ($1, 'chat', 'outbound', 'agent', $3, 'Labdien', false, '2026-11-05T12:10:00Z'),
         ($2, 'email', 'outbound', 'agent', $4, 'Atbilde', false, '2026-11-06T08:05:00Z')`,
      [remote[0].id, remote[2].id, ids.vpppd, ids.cesis],
    );
    // A ticket action of the Cēsis operator, Mon 9 Nov 11:40 Riga.
    await env.sql(
      `INSERT INTO audit_events (actor_agent_id, action, subject_type, subject_id, created_at) VALUES ($1, 'ticket.assigned', 'ticket', $2, '2026-11-09T09:40:00Z')`,
      [ids.cesis, remote[2].id],
    );

    // Counter contacts, through the API: the VPPPD operator serving at the Cēsis counter names Cēsis (Tue 10 Nov
    // 10:15); the Cēsis operator with only the old free-text location (Wed 11 Nov 14:45), and with a location that
    // names no centre on the list (Thu 12 Nov 09:10: their own centre); a direct-line call the VPPPD operator
    // logged (Fri 13 Nov 11:00).
    const logged = [
      await logContact('vpppd', { centre: 'VPVKAC-CESIS', occurredAt: '2026-11-10T08:15:00Z' }),
      await logContact('cesis', { location: 'VPVKAC Cēsis, Raunas iela 4', occurredAt: '2026-11-11T12:45:00Z' }),
      await logContact('cesis', { location: 'VPVKAC Rīga', occurredAt: '2026-11-12T07:10:00Z' }),
      await logContact('vpppd', { channel: 'phone', occurredAt: '2026-11-13T09:00:00Z' }),
    ];
    // They were logged now; the fixture moves them to the month they were served in, as if logged at the time.
    await env.sql(
      `UPDATE tickets t SET created_at = m.sent_at, resolved_at = m.sent_at, first_response_at = m.sent_at
       FROM messages m WHERE m.ticket_id = t.id AND t.id = ANY($1::uuid[])`,
      [logged],
    );
    await env.sql(`UPDATE messages SET created_at = sent_at WHERE ticket_id = ANY($1::uuid[])`, [logged]);
  });
  afterAll(() => env.teardown());

  it('stores the centre a counter contact names, maps the old free-text location, and falls back to the logger’s centre', async () => {
    const rows = await env.sql(
      `SELECT m.meta->>'centre' AS centre, m.meta->>'location' AS location, t.channel FROM messages m JOIN tickets t ON t.id = m.ticket_id
       WHERE t.channel IN ('counter', 'phone') ORDER BY m.sent_at`,
    );
    expect(rows).toEqual([
      { centre: 'VPVKAC-CESIS', location: null, channel: 'counter' },
      { centre: 'VPVKAC-CESIS', location: 'VPVKAC Cēsis, Raunas iela 4', channel: 'counter' },
      { centre: 'VPVKAC-CESIS', location: 'VPVKAC Rīga', channel: 'counter' },
      { centre: 'VPPPD', location: null, channel: 'phone' },
    ]);
  });

  it("counts each centre's staffed half-hours from its own evidence only, as independent SQL does", async () => {
    const vpppd = await funding('VPPPD');
    const cesis = await funding('VPVKAC-CESIS');
    const [expectVpppd] = await env.sql(STAFFED_SQL, ['VPPPD', HOLIDAYS]);
    const [expectCesis] = await env.sql(STAFFED_SQL, ['VPVKAC-CESIS', HOLIDAYS]);
    // VPPPD: presence Mon 09:00 and 09:30, the chat reply Thu 14:00, the direct-line call Fri 11:00.
    expect(vpppd.availability.staffedHours).toBe(2);
    // Cēsis: presence Tue 09:00 and 09:30, the reply Fri 10:00, the ticket action Mon 11:30, three counter contacts.
    expect(cesis.availability.staffedHours).toBe(3.5);
    expect(vpppd.availability.staffedHours).toBeCloseTo(Number(expectVpppd.staffed), 6);
    expect(cesis.availability.staffedHours).toBeCloseTo(Number(expectCesis.staffed), 6);
    // Each centre's own week: Cēsis 9 h Mondays, 8 h Tuesday–Thursday, 6 h Fridays; VPPPD 8.5 h and 7 h Fridays;
    // both an hour less on Tuesday 17 November, the eve of the holiday.
    expect(cesis.availability.plannedHours).toBe(5 * 9 + 11 * 8 + 4 * 6 - 1);
    expect(vpppd.availability.plannedHours).toBe(16 * 8.5 + 4 * 7 - 1);
    expect([cesis.availability.plannedHours, vpppd.availability.plannedHours]).toEqual([
      Number(expectCesis.planned),
      Number(expectVpppd.planned),
    ]);
    expect(cesis.centreName).toBe('VPVKAC Cēsis');

    // A centre with no agents and no contacts has planned hours and nothing staffed: no one else's work leaks in.
    const sigulda = await funding('VPVKAC-SIGULDA');
    expect(sigulda.availability.staffedHours).toBe(0);
    expect(sigulda.volume.total).toBe(0);
  });

  it('counts contacts for the centre they name, and the remote channels for VPPPD', async () => {
    const volume = await env.sql(VOLUME_SQL, [START, END]);
    const independent = (centre: string) => volume.filter((r) => r.centre === centre).map((r) => [r.channel, r.n]);
    const vpppd = await funding('VPPPD');
    const cesis = await funding('VPVKAC-CESIS');
    expect(cesis.volume.byChannel.map((r: any) => [r.channel, r.total])).toEqual(independent('VPVKAC-CESIS'));
    expect(cesis.volume.byChannel.map((r: any) => [r.channel, r.total])).toEqual([['counter', 3]]);
    expect(vpppd.volume.byChannel.map((r: any) => [r.channel, r.total])).toEqual(independent('VPPPD'));
    expect(vpppd.volume.byChannel.map((r: any) => [r.channel, r.total])).toEqual([
      ['chat', 2],
      ['email', 1],
      ['phone', 1],
      ['webform', 1],
    ]);
  });

  it('reports abandonment and the average speed of answer per centre, as independent SQL does', async () => {
    const vpppd = await funding('VPPPD');
    // Contacts that waited for a person: the two chats, the e-mail and the two queued calls (not the contact
    // settled at level 0, not the IVR's, not the contacts staff logged as they served them).
    const [expected] = await env.sql(
      `SELECT sum(offered)::int AS offered, sum(abandoned)::int AS abandoned, sum(answered)::int AS answered, sum(seconds)::float AS seconds FROM (
         SELECT count(*) AS offered, count(*) FILTER (WHERE first_response_at IS NULL AND status IN ('resolved', 'closed')) AS abandoned,
                count(first_response_at) AS answered, coalesce(sum(extract(epoch FROM first_response_at - created_at)), 0) AS seconds
         FROM tickets WHERE created_at >= $1 AND created_at < $2 AND channel IN ('chat', 'email', 'webform', 'social') AND level > 0
         UNION ALL
         SELECT count(*), count(*) FILTER (WHERE outcome = 'abandoned'), count(answered_at), coalesce(sum(extract(epoch FROM answered_at - enqueued_at)), 0)
         FROM calls WHERE enqueued_at >= $1 AND enqueued_at < $2) x`,
      [START, END],
    );
    expect(expected).toEqual({ offered: 5, abandoned: 2, answered: 3, seconds: 60 + 3600 + 30 });
    expect(vpppd.quality.abandonment).toMatchObject({ offered: expected.offered, abandoned: expected.abandoned, percent: 40 });
    expect(vpppd.quality.abandonment.byChannel).toEqual([
      { channel: 'chat', offered: 2, abandoned: 1, percent: 50 },
      { channel: 'email', offered: 1, abandoned: 0, percent: 0 },
      { channel: 'voice', offered: 2, abandoned: 1, percent: 50 },
    ]);
    expect(vpppd.quality.speedOfAnswer).toMatchObject({
      answered: expected.answered,
      averageSeconds: Math.round(expected.seconds / expected.answered),
    });
    expect(vpppd.quality.speedOfAnswer.byChannel).toEqual([
      { channel: 'chat', answered: 1, averageSeconds: 60 },
      { channel: 'email', answered: 1, averageSeconds: 3600 },
      { channel: 'voice', answered: 1, averageSeconds: 30 },
    ]);
    // The counter serves people as they come: nothing waited, so nothing to abandon; the calls are the remote line's.
    const cesis = await funding('VPVKAC-CESIS');
    expect(cesis.quality.abandonment).toEqual({ offered: 0, abandoned: 0, percent: null, byChannel: [] });
    expect(cesis.quality.speedOfAnswer).toEqual({ answered: 0, averageSeconds: null, byChannel: [] });

    const csv = await http()
      .get(`/v1/reports/funding?month=${MONTH}&centre=VPPPD&format=csv`)
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    expect(csv.text).toContain('VPPPD,2026-11,abandonment,voice,abandoned,1');
    expect(csv.text).toContain('VPPPD,2026-11,speed_of_answer,,averageSeconds,1230');
  });

  it('refuses a centre not on the list, with the field named, wherever one is given', async () => {
    const list = await http().get('/v1/calendar/centres').set('Authorization', `Bearer ${tokens.vpppd}`).expect(200);
    expect(list.body[0]).toEqual({ code: 'VPPPD', name: expect.any(String), kind: 'remote', town: null });
    expect(list.body.map((c: any) => c.code)).toEqual(expect.arrayContaining(['VPVKAC-CESIS', 'VPVKAC-SIGULDA', 'VPVKAC-TALSI']));

    const report = await http()
      .get(`/v1/reports/funding?month=${MONTH}&centre=NOWHERE`)
      .set('Authorization', `Bearer ${admin}`)
      .expect(422);
    expect(report.body.errors).toEqual([expect.objectContaining({ field: 'centre', code: 'unknown' })]);
    const agent = await http()
      .patch(`/v1/admin/agents/${ids.vpppd}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ centre: 'NOWHERE' })
      .expect(422);
    expect(agent.body.errors).toEqual([expect.objectContaining({ field: 'centre', code: 'unknown' })]);
    const contact = await http()
      .post('/v1/contacts')
      .set('Authorization', `Bearer ${tokens.vpppd}`)
      .send({ channel: 'counter', institution: 'VSAA', kind: 'consultation', subject: 'x', text: 'x', centre: 'VPVKAC-NOWHERE' })
      .expect(422);
    expect(contact.body.errors).toEqual([expect.objectContaining({ field: 'centre', code: 'unknown' })]);
    const moved = await http()
      .patch(`/v1/admin/agents/${ids.vpppd}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ centre: 'VPVKAC-TALSI' })
      .expect(200);
    expect(moved.body.centre).toBe('VPVKAC-TALSI');
  });
});

import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { AgentSocket } from './support/agent-socket';
import { eventually, login, TestEnv } from './support/test-env';

const PASSWORD = 'a long enough passphrase';

describe('supervisor live board', () => {
  const env = new TestEnv();
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const sockets: AgentSocket[] = [];

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all', SUPERVISOR_BOARD_PUSH_SECONDS: '1' });
    await env.sql(`UPDATE queues SET strategy = 'manual'`);
    for (const [name, roles] of [
      ['boss', ['supervisor']],
      ['anna', ['operator']],
    ] as const) {
      ids[name] = await app
        .get(AgentsService)
        .upsert({ email: `${name}@board.test`, displayName: name, password: PASSWORD, roles: [...roles] });
      tokens[name] = await login(app, `${name}@board.test`, PASSWORD);
    }
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await env.teardown();
  });

  it('shows waiting work, answers, service level, SLA risk, agents and level-0 resolution, live and over REST', async () => {
    const references = [];
    for (let i = 0; i < 3; i++) references.push(await env.submitTicket(app, { institution: 'VID' }));
    const answered = references[0];
    await request(app.getHttpServer())
      .post(`/v1/tickets/${answered}/claim`)
      .set('Authorization', `Bearer ${tokens.anna}`)
      .send({})
      .expect(200);
    await request(app.getHttpServer())
      .post(`/v1/tickets/${answered}/replies`)
      .set('Authorization', `Bearer ${tokens.anna}`)
      .send({ text: 'Labdien!' })
      .expect(202);
    // One left at risk of breaching its target, as the SLA timers would mark it.
    await env.sql(`UPDATE tickets SET sla_state = 'warning' WHERE reference = $1`, [references[1]]);
    const anna = await AgentSocket.connect(app, tokens.anna, { heartbeatMs: 300 });
    sockets.push(anna);
    // A break Anna took a minute ago, from the presence history.
    await env.sql(
      `INSERT INTO presence_periods (agent_id, state, started_at, ended_at) VALUES ($1, 'away', now() - interval '90 seconds', now() - interval '30 seconds')`,
      [ids.anna],
    );
    const [{ wholeBreakToday }] = await env.sql(
      `SELECT now() - interval '90 seconds' >= (date_trunc('day', now() AT TIME ZONE 'Europe/Riga') AT TIME ZONE 'Europe/Riga') AS "wholeBreakToday"`,
    );

    const board = await request(app.getHttpServer()).get('/v1/supervisor/board').set('Authorization', `Bearer ${tokens.boss}`).expect(200);
    const vid = board.body.queues.find((q: any) => q.queue === 'VID' && q.channel === 'webform');
    // The same figures, counted independently.
    const [expected] = await env.sql(
      `SELECT count(*) FILTER (WHERE assignee_id IS NULL)::int AS waiting, count(*) FILTER (WHERE first_response_at IS NOT NULL)::int AS answered,
              count(*)::int AS offered, count(*) FILTER (WHERE sla_state = 'warning')::int AS at_risk
       FROM tickets WHERE reference = ANY($1)`,
      [references],
    );
    expect(vid).toMatchObject({
      level: 1,
      institution: 'VID',
      waiting: expected.waiting,
      offeredToday: expected.offered,
      answeredToday: expected.answered,
      atRisk: expected.at_risk,
      breached: 0,
    });
    expect(vid).toMatchObject({ waiting: 2, offeredToday: 3, answeredToday: 1, serviceLevel: 0.333 });
    expect(vid.longestWaitSeconds).toBeGreaterThanOrEqual(0);
    expect(vid.averageSpeedOfAnswerSeconds).toBeGreaterThanOrEqual(0);
    expect(board.body.agents.find((a: any) => a.agentId === ids.anna)).toMatchObject({
      state: 'online',
      handledToday: 1,
      load: { webform: 1 },
    });
    const annaOnBoard = board.body.agents.find((a: any) => a.agentId === ids.anna);
    // Online since her socket connected a moment ago; away for the minute of the break (less only just after midnight).
    expect(annaOnBoard.onlineSecondsToday).toBeGreaterThanOrEqual(0);
    expect(annaOnBoard.onlineSecondsToday).toBeLessThan(60);
    if (wholeBreakToday) expect(annaOnBoard.awaySecondsToday).toBe(60);
    else expect(annaOnBoard.awaySecondsToday).toBeLessThanOrEqual(60);
    expect(board.body.totals).toMatchObject({ online: 1, waiting: 2, atRisk: 1 });
    expect(board.body.level0.find((l: any) => l.channel === 'webform')).toMatchObject({ contactsToday: 3, resolvedAtLevel0: 0, rate: 0 });

    // Calls wait in Twilio's queue: the board counts them from the calls the voice channel records. Their times count
    // back from a moment at least five minutes into Riga's day, so a run just after midnight still has them all today.
    const [{ at, ahead }] = await env.sql(
      `SELECT at, extract(epoch FROM at - now())::float AS ahead
       FROM (SELECT greatest(now(), (date_trunc('day', now() AT TIME ZONE 'Europe/Riga') + interval '301 seconds') AT TIME ZONE 'Europe/Riga') AS at) m`,
    );
    await env.sql(
      `INSERT INTO calls (call_sid, from_number, queue_name, enqueued_at, answered_at, left_queue_at, outcome, ended_at) VALUES
         ('CA01', '+37120000001', 'lv-VID', $1::timestamptz - interval '5 minutes', $1::timestamptz - interval '290 seconds', $1::timestamptz - interval '290 seconds', 'answered', $1::timestamptz),
         ('CA02', '+37120000002', 'lv-VID', $1::timestamptz - interval '4 minutes', $1::timestamptz - interval '3 minutes', $1::timestamptz - interval '3 minutes', 'answered', $1::timestamptz),
         ('CA03', '+37120000003', 'lv-VID', $1::timestamptz - interval '3 minutes', NULL, $1::timestamptz - interval '2 minutes', 'abandoned', $1::timestamptz - interval '2 minutes'),
         ('CA04', '+37120000004', 'lv-VID', $1::timestamptz - interval '30 seconds', NULL, NULL, NULL, NULL)`,
      [at],
    );
    const withCalls = await request(app.getHttpServer())
      .get('/v1/supervisor/board')
      .set('Authorization', `Bearer ${tokens.boss}`)
      .expect(200);
    // Answered within 20 s: one of four offered; speed of answer (10 s + 60 s) / 2.
    expect(withCalls.body.calls).toEqual([
      {
        queue: 'lv-VID',
        waiting: 1,
        longestWaitSeconds: expect.any(Number),
        offeredToday: 4,
        answeredToday: 2,
        abandonedToday: 1,
        serviceLevel: 0.25,
        averageSpeedOfAnswerSeconds: 35,
      },
    ]);
    expect(withCalls.body.calls[0].longestWaitSeconds).toBeGreaterThanOrEqual(29 - ahead);

    // Pushed to supervisors' sockets only.
    const boss = await AgentSocket.connect(app, tokens.boss, { heartbeatMs: 300 });
    sockets.push(boss);
    await eventually(async () => boss.events.some((e) => e.event === 'board' && e.payload.queues.some((q: any) => q.queue === 'VID')));
    expect(anna.events.some((e) => e.event === 'board')).toBe(false);
  });
});

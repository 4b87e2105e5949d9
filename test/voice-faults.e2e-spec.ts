import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InboundService } from '../src/inbound/inbound.service';
import { Caller, TwilioPlayer, voiceConfig } from './support/twilio-player';
import { eventually, TestEnv } from './support/test-env';
import { openAroundTheClock } from './support/calendar';

/** What node-postgres reports when PostgreSQL is shut down under a connection (a restart of the primary). */
const adminShutdown = () => Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

describe('voice calls under faults: nothing Twilio was answered for is lost', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let player: TwilioPlayer;

  const ticketOf = (callSid: string) =>
    env
      .sql(`SELECT t.* FROM inbound_events e JOIN tickets t ON t.id = e.ticket_id WHERE e.channel = 'voice' AND e.external_id = $1`, [
        callSid,
      ])
      .then((rows) => rows[0]);
  const callOf = (callSid: string) => env.sql('SELECT * FROM calls WHERE call_sid = $1', [callSid]).then((rows) => rows[0]);

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all', ...voiceConfig() });
    await openAroundTheClock(env);
    player = new TwilioPlayer(app);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => env.teardown());

  /** A self-served call up to its hang-up: language, then the opening-hours answer; its progress stored. */
  async function servedCall(from: string): Promise<Caller> {
    const caller = new Caller(player, from);
    await caller.dial();
    await caller.press('1');
    await caller.press('5');
    await eventually(async () => ((await callOf(caller.callSid))?.heard_answer ? true : null));
    return caller;
  }

  it('PostgreSQL goes away after the status callback claimed the end: the callback fails, and its retry makes the ticket', async () => {
    const caller = await servedCall('+37120000901');
    // The end is claimed; then the hand-over and the reopening of the call both meet a database shutting down.
    jest.spyOn(app.get(InboundService), 'accept').mockRejectedValueOnce(adminShutdown());
    const dataSource = app.get(DataSource);
    const query = dataSource.query.bind(dataSource);
    jest
      .spyOn(dataSource, 'query')
      .mockImplementation((sql: string, parameters?: unknown[]) =>
        /SET ended_at = NULL/.test(sql) ? Promise.reject(adminShutdown()) : query(sql, parameters),
      );

    const failed = await caller.hangUp();
    // Not a 2xx: Twilio is told the callback was not taken, and retries it.
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect((await callOf(caller.callSid)).ended_at).not.toBeNull();
    expect(await ticketOf(caller.callSid)).toBeUndefined();
    jest.restoreAllMocks();

    // Twilio's retry of the same callback: the call is ended already, yet nothing was handed over.
    expect((await caller.hangUp()).status).toBe(204);
    const ticket = await eventually(() => ticketOf(caller.callSid));
    expect(ticket).toMatchObject({ channel: 'voice', status: 'resolved', level: 0 });
    const call = await eventually(async () => ((await callOf(caller.callSid))?.outcome ? callOf(caller.callSid) : null));
    expect(call).toMatchObject({ outcome: 'self_served', twilio_status: 'completed', duration_seconds: 42 });

    // A further replay changes nothing: one event, one ticket.
    expect((await caller.hangUp({ CallDuration: '99' })).status).toBe(204);
    await new Promise((r) => setTimeout(r, 200));
    expect(await env.sql(`SELECT 1 FROM inbound_events WHERE channel = 'voice' AND external_id = $1`, [caller.callSid])).toHaveLength(1);
  });

  it('the process dies between claiming the end and the hand-over: the retry (on any instance) makes the ticket', async () => {
    const caller = await servedCall('+37120000902');
    // What a SIGKILL leaves behind: the end claimed and committed, nothing accepted, no reopening.
    await env.sql(`UPDATE calls SET ended_at = now(), twilio_status = 'completed', duration_seconds = 42 WHERE call_sid = $1`, [
      caller.callSid,
    ]);
    expect((await caller.hangUp()).status).toBe(204);
    expect(await eventually(() => ticketOf(caller.callSid))).toMatchObject({ channel: 'voice', status: 'resolved', level: 0 });
  });
});

import { INestApplication } from '@nestjs/common';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import twilio from 'twilio';
import { AgentsService } from '../src/agents/agents.service';
import { Caller, PUBLIC_BASE_URL, TwilioPlayer, VOICE_PREFIX, voiceConfig } from './support/twilio-player';
import { eventually, login, MONITORING, TestEnv } from './support/test-env';
import { closeToday, openAroundTheClock } from './support/calendar';

/** Stands in for Twilio's REST API: records what the app sends and answers like Twilio does. */
class RecordingServer {
  readonly requests: Array<{ method: string; url: string; authorization: string | undefined; body: URLSearchParams }> = [];
  /** The recordings it holds, by RecordingSid: what a GET of `…/Recordings/RE….mp3` answers. */
  readonly recordings = new Map<string, Buffer>();
  private server!: Server;

  async start(): Promise<string> {
    this.server = createServer((req: IncomingMessage, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        this.requests.push({
          method: req.method!,
          url: req.url!,
          authorization: req.headers.authorization,
          body: new URLSearchParams(raw),
        });
        if (req.method === 'GET' && req.url!.endsWith('.mp3')) {
          const audio = this.recordings.get(req.url!.replace(/^.*\/Recordings\/(RE[0-9a-f]{32})\.mp3$/, '$1'));
          res.writeHead(audio ? 200 : 404, { 'Content-Type': audio ? 'audio/mpeg' : 'application/json' });
          res.end(audio ?? JSON.stringify({ code: 20404, message: 'The requested resource was not found', status: 404 }));
          return;
        }
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ sid: `CA${'e5'.repeat(16)}`, status: 'queued', to: new URLSearchParams(raw).get('To') }));
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

const SMS_FROM = '+37167000099';

describe('voice channel (Twilio IVR, queue, voicemail, call-backs)', () => {
  const env = new TestEnv();
  const twilioApi = new RecordingServer();
  let app: INestApplication;
  let player: TwilioPlayer;
  let adminToken: string;
  let operatorId: string;
  let operatorToken: string;

  const ticketOf = (callSid: string) =>
    env
      .sql(
        `SELECT t.*, i.code AS institution_code, q.code AS queue_code FROM inbound_events e JOIN tickets t ON t.id = e.ticket_id
       LEFT JOIN institutions i ON i.id = t.institution_id LEFT JOIN queues q ON q.id = t.queue_id
       WHERE e.channel = 'voice' AND e.external_id = $1`,
        [callSid],
      )
      .then((rows) => rows[0]);
  const callOf = (callSid: string) => env.sql('SELECT * FROM calls WHERE call_sid = $1', [callSid]).then((rows) => rows[0]);
  /** The SMS the Messaging API received for a number (the recording server stands in for Twilio). */
  const smsTo = (number: string) =>
    twilioApi.requests.filter(
      (r) => r.method === 'POST' && r.url === `/2010-04-01/Accounts/AC${'a1'.repeat(16)}/Messages.json` && r.body.get('To') === number,
    );
  /** The call once its outcome is written (behind Twilio's status callback, a few milliseconds after it). */
  const endedCallOf = (callSid: string) => eventually(async () => ((await callOf(callSid))?.outcome ? callOf(callSid) : null));

  beforeAll(async () => {
    const restBase = await twilioApi.start();
    app = await env.startApi({ APP_ROLE: 'all', ...voiceConfig(restBase), TWILIO_SMS_FROM: SMS_FROM });
    // Operators work around the clock in this test, holidays included (the out-of-hours tests shut today).
    await openAroundTheClock(env);
    player = new TwilioPlayer(app);
    adminToken = await login(app);
    operatorId = await app
      .get(AgentsService)
      .upsert({ email: 'operator@voice.test', displayName: 'Operatore', password: 'a long enough passphrase', roles: ['operator'] });
    operatorToken = await login(app, 'operator@voice.test', 'a long enough passphrase');
  });
  afterAll(async () => {
    await env.teardown();
    await twilioApi.stop();
  });

  it('walks language → institution → answer → hang-up: a ticket resolved at level 0 (self-served)', async () => {
    const caller = new Caller(player, '+37120000001');
    const languages = await caller.dial();
    // Latvian first and always, each language announced in itself.
    expect(languages.says().map((s) => s.language)).toEqual(['lv-LV', 'en-GB', 'ru-RU']);
    expect(languages.says()[0].text).toContain('Latviešu valodā spiediet 1');
    expect(languages.gather()).toMatchObject({ numDigits: '1', actionOnEmptyResult: 'true', method: 'POST' });

    const main = await caller.press('1');
    expect(main.said()).toContain('Valsts ieņēmumu dienests – spiediet 2');
    expect(main.said()).toContain('spiediet 0');
    const vid = await caller.press('2');
    expect(vid.said()).toContain('Gada ienākumu deklarācija – spiediet 1');
    const answer = await caller.press('2');
    expect(answer.said()).toContain('no pulksten 8.30 līdz 16.30');
    expect(answer.said()).toContain('varat nolikt klausuli');

    expect((await caller.hangUp()).status).toBe(204);
    const ticket = await eventually(() => ticketOf(caller.callSid));
    expect(ticket).toMatchObject({
      channel: 'voice',
      status: 'resolved',
      level: 0,
      queue_id: null,
      institution_code: 'VID',
      language: 'lv',
      kind: 'consultation',
    });
    expect(ticket.resolved_at).not.toBeNull();
    expect(await env.sql('SELECT 1 FROM escalations WHERE ticket_id = $1', [ticket.id])).toHaveLength(0);
    const [identifier] = await env.sql('SELECT value FROM customer_identifiers WHERE customer_id = $1 AND kind = $2', [
      ticket.customer_id,
      'phone',
    ]);
    expect(identifier.value).toBe('+37120000001');
    expect(await endedCallOf(caller.callSid)).toMatchObject({
      outcome: 'self_served',
      heard_answer: true,
      language: 'lv',
      path: ['language:lv', 'vid', 'vid-opening-hours'],
    });
    // Served by the IVR's answer: asked how it did, by SMS with the survey link, once.
    const [survey] = await eventually(async () => (smsTo('+37120000001').length ? smsTo('+37120000001') : null));
    expect(survey.body.get('Body')).toMatch(
      new RegExp(
        `^Jusu pieteikums ${ticket.reference} ir izskatits\\. Ludzu, novertejiet musu darbu: ${PUBLIC_BASE_URL}/v1/csat/[A-Za-z0-9_.-]+$`,
      ),
    );
    expect(await env.sql(`SELECT channel, address FROM messages WHERE ticket_id = $1 AND meta->>'kind' = 'csat'`, [ticket.id])).toEqual([
      { channel: 'sms', address: '+37120000001' },
    ]);
  });

  it('speaks the language the caller chose, and takes them back and forth', async () => {
    const caller = new Caller(player, '+37120000002');
    await caller.dial();
    const main = await caller.press('2');
    expect(main.says().every((s) => s.language === 'en-GB')).toBe(true);
    expect(main.said()).toContain('For Taxes and declarations, the State Revenue Service, press 2.');
    await caller.press('3'); // PMLP
    const answer = await caller.press('1');
    expect(answer.said()).toContain('ten working days');
    const again = await caller.press('*');
    expect(again.said()).toContain('ten working days');
    const back = await caller.press('1');
    expect(back.said()).toContain('For getting a passport or identity card, press 1.');
  });

  it('repeats after a wrong key or silence, then hands the caller to an operator', async () => {
    const caller = new Caller(player, '+37120000003');
    await caller.dial();
    // The language menu: silence twice → served in Latvian.
    expect((await caller.press('')).said()).toContain('Mēs nesaņēmām jūsu izvēli');
    const main = await caller.press('');
    expect(main.said()).toContain('Labdien!');
    const wrong = await caller.press('8');
    expect(wrong.said()).toContain('Šāda izvēle nav pieejama');
    expect(wrong.gather().action).toContain('t=1');
    const queued = await caller.press('');
    expect(queued.verbs()).toContain('Enqueue');
    expect(queued.one('Enqueue')!['#text']).toBe('lv-GENERAL');
    expect((await callOf(caller.callSid)).path).toEqual(['timeout', 'timeout', 'language:lv', 'invalid:8', 'timeout', 'operator']);
    await caller.follow(queued.one('Enqueue')!.action, { QueueResult: 'hangup' });
    await caller.hangUp();
  });

  it('"0" queues the caller by language and institution; the wait message gives position and expected wait; abandoning is recorded', async () => {
    const caller = new Caller(player, '+37120000004');
    await caller.dial();
    await caller.press('1');
    await caller.press('2'); // VID
    const queued = await caller.press('0');
    const enqueue = queued.one('Enqueue')!;
    expect(enqueue['#text']).toBe('lv-VID');
    expect(enqueue.waitUrl).toMatch(new RegExp(`^${PUBLIC_BASE_URL}${VOICE_PREFIX}/queue-wait`));

    // The ticket is in the operators' queue at once, while the caller waits.
    const ticket = await eventually(() => ticketOf(caller.callSid));
    expect(ticket).toMatchObject({ status: 'queued', level: 1, institution_code: 'VID', queue_code: 'VID' });

    const wait = await caller.follow(enqueue.waitUrl, {
      QueuePosition: '3',
      CurrentQueueSize: '5',
      AvgQueueTime: '240',
      QueueTime: '30',
      QueueSid: `QU${'d4'.repeat(16)}`,
    });
    expect(wait.said()).toContain('Jūs esat 3. rindā');
    expect(wait.said()).toContain('aptuveni 4 minūtes');
    expect(wait.one('Gather')).toBeUndefined();

    const done = await caller.follow(enqueue.action, { QueueResult: 'hangup', QueueTime: '45' });
    expect(done.verbs()).toEqual(['Hangup']);
    expect((await caller.hangUp()).status).toBe(204);
    expect(await endedCallOf(caller.callSid)).toMatchObject({ outcome: 'abandoned', queue_name: 'lv-VID' });
    expect((await ticketOf(caller.callSid)).status).toBe('queued');
  });

  it('after the longest wait offers a call-back; the operator calls back through the Twilio REST API', async () => {
    const caller = new Caller(player, '+37120000005');
    await caller.dial();
    await caller.press('1');
    await caller.press('1'); // VSAA
    const enqueue = (await caller.press('0')).one('Enqueue')!;
    const wait = await caller.follow(enqueue.waitUrl, { QueuePosition: '1', AvgQueueTime: '90', QueueTime: '61' });
    expect(wait.said()).toContain('Lai lūgtu atzvanīt, spiediet 2');
    const leave = await caller.press('2');
    expect(leave.verbs()).toEqual(['Leave']);
    const confirmed = await caller.follow(enqueue.action, { QueueResult: 'leave', QueueTime: '62' });
    expect(confirmed.said()).toContain('3 7 1 2 0 0 0 0 0 0 5');
    expect(confirmed.verbs()).toContain('Hangup');
    await caller.hangUp();

    const ticket = await eventually(() => ticketOf(caller.callSid));
    const messages = await eventually(async () => {
      const rows = await env.sql(
        `SELECT external_id, text FROM messages WHERE ticket_id = $1 AND direction = 'inbound' ORDER BY created_at, external_id`,
        [ticket.id],
      );
      return rows.length === 2 ? rows : null;
    });
    expect(messages.map((m) => m.external_id).sort()).toEqual([caller.callSid, `${caller.callSid}/callback`].sort());
    expect(ticket.status).toBe('queued');
    expect(await endedCallOf(caller.callSid)).toMatchObject({ outcome: 'callback_requested', callback_number: '+37120000005' });
    // The caller was told the reference by SMS (the queued call's ticket existed already: the notice is per ticket).
    const [sms] = await eventually(async () => (smsTo('+37120000005').length ? smsTo('+37120000005') : null));
    expect(sms.body.get('Body')).toContain(ticket.reference);
    const calls = () => twilioApi.requests.filter((r) => r.url.endsWith('/Calls.json'));

    const res = await request(app.getHttpServer())
      .post(`/v1/tickets/${ticket.reference}/call-back`)
      .set('Authorization', `Bearer ${operatorToken}`)
      .expect(202);
    expect(res.body).toEqual({ callSid: `CA${'e5'.repeat(16)}`, to: '+37120000005' });
    const sent = calls().at(-1)!;
    expect(sent.method).toBe('POST');
    expect(sent.url).toBe(`/2010-04-01/Accounts/AC${'a1'.repeat(16)}/Calls.json`);
    expect(sent.authorization).toBe(`Basic ${Buffer.from(`AC${'a1'.repeat(16)}:test-twilio-auth-token-0123456789`).toString('base64')}`);
    expect(sent.body.get('To')).toBe(`client:agent_${operatorId.replace(/-/g, '')}`);
    expect(sent.body.get('From')).toBe('+37167000000');
    expect(sent.body.get('Twiml')).toContain('<Number>+37120000005</Number>');
    // The operator's browser rings with Twilio's SID for its leg: the softphone finds the ticket by that parameter.
    const current = await request(app.getHttpServer())
      .get('/v1/voice/calls/current')
      .query({ callSid: res.body.callSid })
      .set('Authorization', `Bearer ${operatorToken}`)
      .expect(200);
    expect(current.body).toMatchObject({
      callSid: caller.callSid,
      ticketReference: ticket.reference,
      kind: 'call-back',
      from: '+37120000005',
    });
    const bad = await request(app.getHttpServer())
      .get('/v1/voice/calls/current')
      .query({ callSid: 'nope' })
      .set('Authorization', `Bearer ${operatorToken}`)
      .expect(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'callSid' })]);
    // A second click would ring the customer twice.
    await request(app.getHttpServer())
      .post(`/v1/tickets/${ticket.reference}/call-back`)
      .set('Authorization', `Bearer ${operatorToken}`)
      .expect(409);
    expect(calls()).toHaveLength(1);
  });

  it("connects the operator's browser to the longest-waiting caller and assigns the ticket to them", async () => {
    const tokenRes = await request(app.getHttpServer()).post('/v1/voice/token').set('Authorization', `Bearer ${operatorToken}`).expect(200);
    const payload = JSON.parse(Buffer.from(tokenRes.body.token.split('.')[1], 'base64url').toString());
    const identity = `agent_${operatorId.replace(/-/g, '')}`;
    expect(tokenRes.body.identity).toBe(identity);
    expect(payload.grants).toMatchObject({
      identity,
      voice: { incoming: { allow: true }, outgoing: { application_sid: `AP${'c3'.repeat(16)}` } },
    });

    const caller = new Caller(player, '+37120000006');
    await caller.dial();
    await caller.press('1');
    await caller.press('4'); // Latvija.lv
    await caller.press('3'); // other questions → operator
    await eventually(() => ticketOf(caller.callSid));

    const res = await player.post('operator', {
      AccountSid: `AC${'a1'.repeat(16)}`,
      CallSid: TwilioPlayer.newCallSid(),
      From: `client:${identity}`,
      ApplicationSid: `AP${'c3'.repeat(16)}`,
    });
    const queue = res.twiml!.one('Dial')!.Queue[0];
    expect(queue['#text']).toBe('lv-VDAA');
    const connecting = await caller.follow(queue.url, {
      QueueSid: `QU${'d4'.repeat(16)}`,
      QueueTime: '12',
      DequeingCallSid: TwilioPlayer.newCallSid(),
    });
    expect(connecting.said()).toContain('Savienojam ar operatoru');

    const ticket = await eventually(async () => {
      const t = await ticketOf(caller.callSid);
      return t.assignee_id === operatorId ? t : null;
    });
    expect(ticket.status).toBe('assigned');
    // The softphone opens the caller's ticket beside the call: the call this operator took from the queue.
    const current = await request(app.getHttpServer())
      .get('/v1/voice/calls/current')
      .set('Authorization', `Bearer ${operatorToken}`)
      .expect(200);
    expect(current.body).toMatchObject({
      callSid: caller.callSid,
      ticketReference: ticket.reference,
      kind: 'queue',
      queue: 'lv-VDAA',
      language: 'lv',
      institution: 'VDAA',
    });
    // It is this operator's call, nobody else's.
    await request(app.getHttpServer()).get('/v1/voice/calls/current').set('Authorization', `Bearer ${adminToken}`).expect(404);
    // The operator hung up; the caller, still on the line, rates the conversation with one digit.
    const survey = await caller.follow(`${PUBLIC_BASE_URL}${VOICE_PREFIX}/queue-done?l=lv`, { QueueResult: 'bridged' });
    expect(survey.verbs()).toEqual(['Gather', 'Hangup']);
    expect(survey.said()).toContain('novērtējiet sarunu');
    expect((await caller.press('4')).said()).toContain('Paldies par jūsu vērtējumu');
    await caller.hangUp({ CallDuration: '300' });
    await endedCallOf(caller.callSid);
    // The call is over: the operator is on no call now.
    const none = await request(app.getHttpServer())
      .get('/v1/voice/calls/current')
      .set('Authorization', `Bearer ${operatorToken}`)
      .expect(404);
    expect(none.body.type).toBe('urn:vpppd:problem:no-current-call');
    const [rated] = await env.sql('SELECT csat_score, csat_channel FROM tickets WHERE reference = $1', [ticket.reference]);
    expect(rated).toEqual({ csat_score: 4, csat_channel: 'voice' });
    const calls = await request(app.getHttpServer())
      .get(`/v1/tickets/${ticket.reference}/calls`)
      .set('Authorization', `Bearer ${operatorToken}`)
      .expect(200);
    expect(calls.body).toHaveLength(1);
    expect(calls.body[0]).toMatchObject({
      callSid: caller.callSid,
      outcome: 'answered',
      answeredBy: operatorId,
      queue: 'lv-VDAA',
      language: 'lv',
      institution: 'VDAA',
    });
    expect(calls.body[0].secondsWaiting).toBeGreaterThanOrEqual(0);
    expect(calls.body[0].ivrPath).toEqual(['language:lv', 'latvija-lv', 'latvija-lv-operator']);
    // Who looked at the calls (numbers, recording links) is audited, one row per request.
    expect(
      await env.sql(
        `SELECT action, actor_agent_id, detail FROM audit_events WHERE action IN ('calls.read', 'call_recordings.read') AND detail->>'reference' = $1`,
        [ticket.reference],
      ),
    ).toEqual([{ action: 'calls.read', actor_agent_id: operatorId, detail: { reference: ticket.reference, calls: 1, recordings: 0 } }]);

    // Nobody waits now: the operator hears so.
    const idle = await player.post('operator', {
      AccountSid: `AC${'a1'.repeat(16)}`,
      CallSid: TwilioPlayer.newCallSid(),
      From: `client:${identity}`,
    });
    expect(idle.twiml!.said()).toContain('Rindā neviens negaida');
  });

  it('a caller who hangs up in the menu without asking for anyone is a ticket resolved at level 0, outcome abandoned', async () => {
    const caller = new Caller(player, '+37120000012');
    await caller.dial();
    await caller.press('1');
    await caller.hangUp({ CallDuration: '7' });
    const ticket = await eventually(() => ticketOf(caller.callSid));
    expect(ticket).toMatchObject({ status: 'resolved', level: 0, queue_id: null });
    expect(await endedCallOf(caller.callSid)).toMatchObject({ outcome: 'abandoned', heard_answer: false, duration_seconds: 7 });
    // Gone before any answer: nothing to rate, no SMS.
    await new Promise((r) => setTimeout(r, 300));
    expect(smsTo('+37120000012')).toEqual([]);
  });

  it('refuses forged or missing signatures with 403, counts them, and stores nothing', async () => {
    const callSid = TwilioPlayer.newCallSid();
    const params = {
      AccountSid: `AC${'a1'.repeat(16)}`,
      CallSid: callSid,
      From: '+37120000007',
      To: '+37167000000',
      CallStatus: 'ringing',
    };
    const forged = twilio.getExpectedTwilioSignature('not-the-auth-token-0123456789', `${PUBLIC_BASE_URL}${VOICE_PREFIX}/incoming`, params);
    expect((await player.post('incoming', params, { signature: forged })).status).toBe(403);
    expect((await player.post('incoming', params, { signature: null })).status).toBe(403);
    // Signed for the address behind the proxy, not the public one Twilio called.
    const internal = twilio.getExpectedTwilioSignature(
      'test-twilio-auth-token-0123456789',
      `http://127.0.0.1${VOICE_PREFIX}/incoming`,
      params,
    );
    expect((await player.post('incoming', params, { signature: internal })).status).toBe(403);
    // Parameters changed after signing.
    const signed = twilio.getExpectedTwilioSignature('test-twilio-auth-token-0123456789', `${PUBLIC_BASE_URL}${VOICE_PREFIX}/status`, {
      ...params,
      CallStatus: 'completed',
    });
    expect((await player.post('status', { ...params, CallStatus: 'completed', CallDuration: '999' }, { signature: signed })).status).toBe(
      403,
    );

    // Signed, but naming no call: refused as invalid, also counted.
    const noCall = await player.post('incoming', { AccountSid: params.AccountSid, From: params.From });
    expect(noCall.status).toBe(422);
    expect(noCall.body.errors).toEqual([expect.objectContaining({ field: 'CallSid', code: 'invalid' })]);

    expect(await env.sql('SELECT 1 FROM calls WHERE call_sid = $1', [callSid])).toHaveLength(0);
    expect(await env.sql(`SELECT 1 FROM inbound_events WHERE external_id = $1`, [callSid])).toHaveLength(0);
    const metrics = (await request(app.getHttpServer()).get('/metrics').set(MONITORING)).text;
    expect(metrics).toContain('vp_inbound_events_total{channel="voice",outcome="rejected",reason="signature_mismatch"} 3');
    expect(metrics).toContain('vp_inbound_events_total{channel="voice",outcome="rejected",reason="signature_missing"} 1');
    expect(metrics).toContain('vp_inbound_events_total{channel="voice",outcome="rejected",reason="invalid_call_sid"} 1');
  });

  it('a hang-up answered by a process that never saw the call still makes it a ticket, once', async () => {
    // The call's first steps answered by another API process, which wrote its row behind its answers (no end yet).
    const seenElsewhere = new Caller(player, '+37120000031');
    await env.sql(`INSERT INTO calls (call_sid, from_number, to_number, path) VALUES ($1, $2, $3, '{language:lv}')`, [
      seenElsewhere.callSid,
      seenElsewhere.from,
      seenElsewhere.to,
    ]);
    // And one whose row is not written anywhere yet.
    const notYetWritten = new Caller(player, '+37120000032');
    for (const caller of [seenElsewhere, notYetWritten]) {
      expect((await caller.hangUp()).status).toBe(204);
      await eventually(() => ticketOf(caller.callSid));
      expect((await caller.hangUp()).status).toBe(204); // delivered again: nothing more
      expect((await callOf(caller.callSid)).ended_at).toBeInstanceOf(Date);
      const events = await env.sql('SELECT 1 FROM inbound_events WHERE channel = $1 AND external_id = $2', ['voice', caller.callSid]);
      expect(events).toHaveLength(1);
    }
    const [message] = await env.sql(`SELECT text FROM messages WHERE external_id = $1`, [seenElsewhere.callSid]);
    expect(message.text).toMatch(/^Call from \+37120000031 .*IVR path: \(none\)/);
  });

  it('calls ending at the same moment, each callback delivered twice at once, make one ticket each', async () => {
    const callers = [...Array(8)].map((_, i) => new Caller(player, `+3712000005${i}`));
    for (const caller of callers.slice(0, 4)) await caller.dial();
    // Their ends are claimed together (one statement while another runs); a call named twice in it is claimed once.
    const answers = await Promise.all(callers.flatMap((caller) => [caller.hangUp(), caller.hangUp()]));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 204));
    for (const caller of callers) {
      await eventually(() => ticketOf(caller.callSid));
      expect((await callOf(caller.callSid)).ended_at).toBeInstanceOf(Date);
    }
    await new Promise((r) => setTimeout(r, 300));
    const events = await env.sql(`SELECT external_id FROM inbound_events WHERE channel = 'voice' AND external_id = ANY($1::text[])`, [
      callers.map((c) => c.callSid),
    ]);
    expect(events).toHaveLength(callers.length);
  });

  it('a replayed callback changes nothing: the same status callback twice, the same key press twice', async () => {
    const caller = new Caller(player, '+37120000008');
    await caller.dial();
    const main = await caller.press('1');
    const action = main.gather().action;
    await caller.follow(action, { Digits: '5' }); // the opening-hours answer
    await caller.follow(action, { Digits: '5' }); // Twilio retried the same request
    // Progress is written behind the answers, a few milliseconds later.
    const during = await eventually(async () => ((await callOf(caller.callSid))?.path.length >= 2 ? callOf(caller.callSid) : null));
    expect(during.path).toEqual(['language:lv', 'vpvkac-hours']);

    expect((await caller.hangUp()).status).toBe(204);
    const first = await callOf(caller.callSid);
    const ticket = await eventually(() => ticketOf(caller.callSid));
    expect((await caller.hangUp({ CallDuration: '99' })).status).toBe(204);
    const second = await endedCallOf(caller.callSid);
    expect(second.ended_at).toEqual(first.ended_at);
    expect(second).toMatchObject({ outcome: 'self_served', duration_seconds: 42 });
    await new Promise((r) => setTimeout(r, 300));
    expect(await env.sql('SELECT 1 FROM inbound_events WHERE channel = $1 AND external_id = $2', ['voice', caller.callSid])).toHaveLength(
      1,
    );
    expect(await env.sql(`SELECT 1 FROM messages WHERE ticket_id = $1 AND direction = 'inbound'`, [ticket.id])).toHaveLength(1);
    // The replay asks nobody twice either (the caller's one survey SMS, if the call was self-served).
    expect(
      (await env.sql(`SELECT 1 FROM messages WHERE ticket_id = $1 AND meta->>'kind' = 'csat'`, [ticket.id])).length,
    ).toBeLessThanOrEqual(1);
  });

  it('the admin API refuses a menu with a dead end, and a valid edit is heard by the next caller', async () => {
    const auth = { Authorization: `Bearer ${adminToken}` };
    const { body } = await request(app.getHttpServer()).get('/v1/admin/ivr').set(auth).expect(200);
    expect(body.languages).toEqual(['lv', 'en', 'ru']);
    const nodes = body.nodes as Array<Record<string, any>>;

    // Removing the VID menu's choices leaves callers stuck there.
    const deadEnd = nodes.filter((n) => n.parentKey !== 'vid');
    const refused = await request(app.getHttpServer()).put('/v1/admin/ivr').set(auth).send({ nodes: deadEnd }).expect(422);
    expect(refused.body.errors).toContainEqual(
      expect.objectContaining({ code: 'deadEnd', field: `nodes[${deadEnd.findIndex((n) => n.key === 'vid')}].kind` }),
    );
    const checked = await request(app.getHttpServer()).post('/v1/admin/ivr/validate').set(auth).send({ nodes: deadEnd }).expect(200);
    expect(checked.body.valid).toBe(false);
    expect((await env.sql('SELECT count(*)::int AS n FROM ivr_nodes'))[0].n).toBe(nodes.length);

    const edited = nodes.map((n) => (n.key === 'main' ? { ...n, prompt: { ...n.prompt, lv: { text: 'Sveiki! Jauns sveiciens.' } } } : n));
    await request(app.getHttpServer()).put('/v1/admin/ivr').set(auth).send({ nodes: edited }).expect(200);
    const caller = new Caller(player, '+37120000009');
    await caller.dial();
    expect((await caller.press('1')).said()).toContain('Sveiki! Jauns sveiciens.');
  });

  it('reads an answer from the knowledge base, so the phone says what the chat and operators say', async () => {
    const auth = { Authorization: `Bearer ${adminToken}` };
    const article = await request(app.getHttpServer())
      .post('/v1/admin/knowledge/articles')
      .set(auth)
      .send({
        institution: 'VID',
        topic: 'darba laiks',
        language: 'lv',
        questions: ['Kad strādā VID?'],
        answer: 'VID klientu centri strādā darbdienās no deviņiem līdz pieciem.',
        published: true,
      })
      .expect(201);
    const draft = await request(app.getHttpServer())
      .post('/v1/admin/knowledge/articles')
      .set(auth)
      .send({
        institution: 'VID',
        topic: 'melnraksts',
        language: 'lv',
        questions: ['Kas vēl nav gatavs?'],
        answer: 'Šī atbilde vēl nav gatava.',
        published: false,
      })
      .expect(201);
    const { body } = await request(app.getHttpServer()).get('/v1/admin/ivr').set(auth).expect(200);
    const nodes = body.nodes as Array<Record<string, any>>;
    const pointing = (articleId: string, language = 'lv') =>
      nodes.map((n) => (n.key === 'vid-opening-hours' ? { ...n, prompt: { ...n.prompt, [language]: { articleId } } } : n));
    const index = nodes.findIndex((n) => n.key === 'vid-opening-hours');
    for (const [articleId, language, code] of [
      ['00000000-0000-4000-8000-000000000000', 'lv', 'unknown'],
      [draft.body.id, 'lv', 'unpublished'],
      [article.body.id, 'en', 'wrongLanguage'],
    ]) {
      const refused = await request(app.getHttpServer())
        .put('/v1/admin/ivr')
        .set(auth)
        .send({ nodes: pointing(articleId, language) })
        .expect(422);
      expect(refused.body.errors).toContainEqual(expect.objectContaining({ field: `nodes[${index}].prompt.${language}.articleId`, code }));
    }
    await request(app.getHttpServer())
      .put('/v1/admin/ivr')
      .set(auth)
      .send({ nodes: pointing(article.body.id) })
      .expect(200);
    const caller = new Caller(player, '+37120000010');
    await caller.dial();
    await caller.press('1');
    await caller.press('2');
    expect((await caller.press('2')).said()).toContain('no deviņiem līdz pieciem');
  });

  it('copes with what a live system meets: a menu edited mid-call, a full queue, a browser that is not an operator, a malformed menu', async () => {
    // A URL naming a node that an edit removed starts the caller again at the main menu.
    const caller = new Caller(player, '+37120000013');
    await caller.dial();
    const restarted = await caller.follow(`${PUBLIC_BASE_URL}${VOICE_PREFIX}/menu?n=removed-node&l=lv&p=language%3Alv&t=0`, {
      Digits: '7',
    });
    expect(restarted.said()).toContain('Šāda izvēle nav pieejama');
    expect(restarted.gather().action).toContain('n=main');

    // Twilio could not queue the caller: say so and offer a voicemail or a call-back.
    const full = await caller.follow(`${PUBLIC_BASE_URL}${VOICE_PREFIX}/queue-done?l=lv`, { QueueResult: 'queue-full' });
    expect(full.said()).toContain('nevaram jūs savienot ar operatoru');
    expect(full.gather().action).toContain('/choice?');

    // Only an operator's (or supervisor's) browser is connected to callers.
    const specialist = await app.get(AgentsService).upsert({
      email: 'specialist@voice.test',
      displayName: 'Speciāliste',
      password: 'a long enough passphrase',
      roles: ['specialist'],
      institutionCodes: ['VID'],
    });
    const refused = await player.post('operator', {
      AccountSid: `AC${'a1'.repeat(16)}`,
      CallSid: TwilioPlayer.newCallSid(),
      From: `client:agent_${specialist.replace(/-/g, '')}`,
    });
    expect(refused.twiml!.said()).toContain('nav tiesību');
    expect(refused.twiml!.verbs()).not.toContain('Dial');

    // A menu that is not even shaped like one is refused field by field.
    const res = await request(app.getHttpServer())
      .put('/v1/admin/ivr')
      .set('Authorization', `Bearer ${adminToken}`)
      .send({
        nodes: [
          { key: 'Main!', parentKey: null, digit: null, kind: 'menu', title: {}, prompt: { lv: { text: 'x' } } },
          { key: 'a', parentKey: 'main', digit: '1', kind: 'maybe', title: { de: 'x' }, prompt: {} },
        ],
      })
      .expect(422);
    const fields = (res.body.errors as Array<{ field: string }>).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['nodes[0].key', 'nodes[1].kind', 'nodes[1].title']));
  });

  describe('out of hours', () => {
    beforeAll(async () => {
      await closeToday(app, adminToken);
    });

    it('says so and takes a voicemail: the recording becomes a message on the ticket', async () => {
      const caller = new Caller(player, '+37120000010');
      await caller.dial();
      await caller.press('1');
      await caller.press('2');
      const closed = await caller.press('0');
      expect(closed.said()).toContain('Šobrīd operatori nestrādā');
      expect(closed.said()).toContain('Lai atstātu ziņu, spiediet 1');
      const record = await caller.press('1');
      const rec = record.one('Record')!;
      expect(rec).toMatchObject({ finishOnKey: '#', playBeep: 'true', maxLength: '120' });
      const recordingSid = `RE${'f6'.repeat(16)}`;
      const recordingUrl = `https://api.twilio.com/2010-04-01/Accounts/AC${'a1'.repeat(16)}/Recordings/${recordingSid}`;
      const audio = Buffer.concat([Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00', 'latin1'), Buffer.alloc(4000, 0xa5)]);
      twilioApi.recordings.set(recordingSid, audio);
      const thanks = await caller.follow(rec.action, {
        RecordingSid: recordingSid,
        RecordingUrl: recordingUrl,
        RecordingDuration: '17',
        Digits: '#',
      });
      expect(thanks.said()).toContain('jūsu ziņa ir saņemta');
      const recorded = await caller.post(rec.recordingStatusCallback, {
        RecordingSid: recordingSid,
        RecordingUrl: recordingUrl,
        RecordingStatus: 'completed',
        RecordingDuration: '17',
        RecordingChannels: '1',
        RecordingSource: 'RecordVerb',
      });
      expect(recorded.status).toBe(204);
      await caller.hangUp();

      const ticket = await eventually(() => ticketOf(caller.callSid));
      expect(ticket).toMatchObject({ status: 'queued', institution_code: 'VID' });
      const voicemail = await eventually(async () => (await env.sql('SELECT * FROM messages WHERE external_id = $1', [recordingSid]))[0]);
      expect(voicemail.ticket_id).toBe(ticket.id);
      expect(voicemail.text).toBe('Voicemail, 17 s (attached).');
      expect(voicemail.meta).toMatchObject({ recordingUrl, recordingSeconds: 17, recordingStored: true });
      expect(await endedCallOf(caller.callSid)).toMatchObject({ outcome: 'voicemail', recording_url: recordingUrl, recording_seconds: 17 });
      // The audio itself is kept with the message, fetched with the account's credentials.
      const [file] = await env.sql('SELECT filename, content_type, content FROM attachments WHERE message_id = $1', [voicemail.id]);
      expect(file).toEqual({ filename: `voicemail-${recordingSid}.mp3`, content_type: 'audio/mpeg', content: audio });
      const fetched = twilioApi.requests.filter((r) => r.method === 'GET' && r.url.includes(recordingSid));
      expect(fetched.map((r) => r.url)).toEqual([`/2010-04-01/Accounts/AC${'a1'.repeat(16)}/Recordings/${recordingSid}.mp3`]);
      expect(fetched[0].authorization).toBe(
        `Basic ${Buffer.from(`AC${'a1'.repeat(16)}:test-twilio-auth-token-0123456789`).toString('base64')}`,
      );
      // Twilio repeating the callback fetches nothing and adds nothing.
      expect(
        (
          await caller.post(rec.recordingStatusCallback, {
            RecordingSid: recordingSid,
            RecordingUrl: recordingUrl,
            RecordingStatus: 'completed',
            RecordingDuration: '17',
          })
        ).status,
      ).toBe(204);
      expect(twilioApi.requests.filter((r) => r.method === 'GET' && r.url.includes(recordingSid))).toHaveLength(1);
      expect(await env.sql('SELECT 1 FROM messages WHERE external_id = $1', [recordingSid])).toHaveLength(1);

      // The caller is told the reference by SMS through the Messaging API, once, in the call's language.
      const [sms] = await eventually(async () => (smsTo('+37120000010').length ? smsTo('+37120000010') : null));
      expect(sms.body.get('From')).toBe(SMS_FROM);
      expect(sms.body.get('Body')).toBe(
        `Jusu zvans ir registrets ar numuru ${ticket.reference}. Sazinasimies ar jums. Statuss: ${PUBLIC_BASE_URL}/case`,
      );
      const notices = await eventually(async () => {
        const rows = await env.sql(
          `SELECT channel, address, delivery_status FROM messages WHERE ticket_id = $1 AND meta->>'kind' = 'reference-notice'`,
          [ticket.id],
        );
        return rows[0]?.delivery_status === 'sent' ? rows : null;
      });
      expect(notices).toEqual([{ channel: 'sms', address: '+37120000010', delivery_status: 'sent' }]);
    });

    it('keeps a link when the recording cannot be fetched, and never sends the credentials to another host', async () => {
      for (const [n, url] of [
        [1, `https://api.twilio.com/2010-04-01/Accounts/AC${'a1'.repeat(16)}/Recordings/RE${'07'.repeat(16)}`], // Twilio answers 404
        [2, `https://media.example/2010-04-01/Accounts/AC${'a1'.repeat(16)}/Recordings/RE${'08'.repeat(16)}`], // not Twilio's
      ] as const) {
        const caller = new Caller(player, `+3712000002${n}`);
        await caller.dial();
        await caller.press('1');
        await caller.press('2');
        await caller.press('0');
        const rec = (await caller.press('1')).one('Record')!;
        const recordingSid = url.slice(-34);
        expect(
          (
            await caller.post(rec.recordingStatusCallback, {
              RecordingSid: recordingSid,
              RecordingUrl: url,
              RecordingStatus: 'completed',
              RecordingDuration: '5',
            })
          ).status,
        ).toBe(204);
        const voicemail = await eventually(async () => (await env.sql('SELECT * FROM messages WHERE external_id = $1', [recordingSid]))[0]);
        expect(voicemail.text).toBe(`Voicemail, 5 s: ${url}`);
        expect(voicemail.meta).toMatchObject({ recordingStored: false });
        expect(await env.sql('SELECT 1 FROM attachments WHERE message_id = $1', [voicemail.id])).toHaveLength(0);
        await caller.hangUp();
      }
      expect(twilioApi.requests.filter((r) => r.url.includes(`RE${'08'.repeat(16)}`))).toHaveLength(0);
      const metrics = (await request(app.getHttpServer()).get('/metrics').set(MONITORING).expect(200)).text;
      expect(metrics).toContain('vp_voice_recordings_total{outcome="failed",reason="http_404"} 1');
      expect(metrics).toContain('vp_voice_recordings_total{outcome="failed",reason="foreign_url"} 1');
    });

    it('takes a call-back request to the calling number, and a voicemail when the number is hidden', async () => {
      const caller = new Caller(player, '+37120000011');
      await caller.dial();
      await caller.press('3'); // Russian
      const closed = await caller.press('0');
      expect(closed.said()).toContain('Сейчас операторы не работают');
      const confirmed = await caller.press('2');
      expect(confirmed.said()).toContain('Мы перезвоним вам на номер 3 7 1 2 0 0 0 0 0 1 1');
      const ticket = await eventually(() => ticketOf(caller.callSid));
      expect(ticket).toMatchObject({ status: 'queued', language: 'ru' });
      await eventually(
        async () => (await env.sql('SELECT 1 FROM messages WHERE external_id = $1', [`${caller.callSid}/callback`])).length === 1,
      );
      // Told by SMS in Russian, once, however often Twilio repeats itself.
      const [sms] = await eventually(async () => (smsTo('+37120000011').length ? smsTo('+37120000011') : null));
      expect(sms.body.get('Body')).toBe(
        `Ваш звонок зарегистрирован под номером ${ticket.reference}. Мы свяжемся с вами. Статус: ${PUBLIC_BASE_URL}/case`,
      );
      await caller.hangUp();
      await new Promise((r) => setTimeout(r, 500));
      expect(smsTo('+37120000011')).toHaveLength(1);

      const hidden = new Caller(player, 'anonymous');
      await hidden.dial();
      await hidden.press('1');
      await hidden.press('0');
      const instead = await hidden.press('2');
      expect(instead.said()).toContain('Jūsu numurs ir slēpts');
      expect(instead.verbs()).toContain('Record');
      // A hidden number, or a landline, gets no SMS.
      expect(twilioApi.requests.filter((r) => r.url.endsWith('/Messages.json') && !/^\+3712/.test(r.body.get('To') ?? ''))).toEqual([]);
    });
  });
});

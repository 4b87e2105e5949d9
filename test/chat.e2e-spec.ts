import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { AgentsService } from '../src/agents/agents.service';
import { STALE_CLAIM_MS } from '../src/channels/chat/chat-conversation.service';
import { chatSessionKey } from '../src/channels/chat/chat-session';
import { ChatSessionsService } from '../src/channels/chat/chat-sessions.service';
import { AppConfig } from '../src/config/app-config';
import { AgentSocket } from './support/agent-socket';
import { ChatVisitor } from './support/chat-visitor';
import { PDF_BYTES } from './support/factories';
import { eventually, login, MONITORING, TestEnv } from './support/test-env';
import { closeToday, openAroundTheClock } from './support/calendar';
import { buildWidget } from './support/widget-build';

const PASSWORD = 'a long enough passphrase';

/**
 * The chat channel end to end: real socket.io clients for the visitor (/chat) and the operator (/agents), the real
 * knowledge base, the inbound pipeline and worker, replies through the REST API and the outbound queue.
 */
describe('chat with the virtual assistant and operator takeover', () => {
  const env = new TestEnv();
  let api: INestApplication;
  const sockets: Array<{ close(): void }> = [];
  let operatorId = '';
  let operatorToken = '';

  const visitor = async () => {
    const v = await ChatVisitor.connect(api);
    sockets.push(v);
    return v;
  };
  const ticket = async (reference: string) => (await env.sql('SELECT * FROM tickets WHERE reference = $1', [reference]))[0];
  const messagesOf = async (reference: string) =>
    env.sql(
      `SELECT ms.direction, ms.author_type, ms.text, ms.external_id, ms.delivery_status FROM messages ms JOIN tickets t ON t.id = ms.ticket_id
       WHERE t.reference = $1 ORDER BY ms.created_at, ms.id`,
      [reference],
    );

  beforeAll(async () => {
    buildWidget();
    api = await env.startApi({ CHAT_RATE_BURST: '8', CHAT_RATE_PER_MINUTE: '6' });
    // Open round the clock, holidays included, so the hand-over does not depend on when the test runs; the
    // out-of-hours test shuts today.
    await openAroundTheClock(env);
    await env.startWorker();
    operatorId = await api
      .get(AgentsService)
      .upsert({ email: 'anna@chat.test', displayName: 'Anna', password: PASSWORD, roles: ['operator'], institutionCodes: [] });
    operatorToken = await login(api, 'anna@chat.test', PASSWORD);
  });
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));
  afterAll(async () => {
    // Let the worker finish what the last test handed it before the connections close.
    await eventually(async () => (await env.sql(`SELECT count(*)::int AS n FROM inbound_events WHERE status = 'accepted'`))[0].n === 0);
    await env.teardown();
  });

  it('holds a Latvian conversation, hands over on request, and an operator takes over with messages both ways', async () => {
    const v = await visitor();
    const started = await v.start({ language: 'lv', name: 'Jānis' });
    expect(started).toMatchObject({ ok: true, mode: 'bot', open: true });
    expect(started.history[0]).toMatchObject({ author: 'assistant', text: expect.stringContaining('virtuālais asistents') });
    expect(started.resumeToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // A confident answer from the knowledge base, in Latvian, with "did this help?".
    const first = await v.say('Kā saņemt bezdarbnieka pabalstu?');
    expect(first).toMatchObject({ ok: true, duplicate: false, reference: expect.stringMatching(/^VP-\d{4}-\d{6}$/) });
    const reference: string = first.reference;
    await eventually(async () => v.messages('assistant').length === 1);
    expect(v.messages('assistant')[0]).toMatchObject({
      askFeedback: true,
      text: expect.stringMatching(/Bezdarbnieka pabalstu piešķir[\s\S]*Vai tas palīdzēja\?$/),
    });
    // One ticket, opened at the first message and held by level 0: status bot, no queue, not offered to anyone.
    await eventually(async () => (await ticket(reference))?.status === 'bot');
    expect(await ticket(reference)).toMatchObject({ channel: 'chat', level: 0, queue_id: null, assignee_id: null, language: 'lv' });

    // The operator is online before the hand-over and hears the ticket arrive in the queue.
    const agent = await AgentSocket.connect(api, operatorToken);
    sockets.push(agent);
    const handOver = await v.say('Paldies, bet gribu runāt ar operatoru');
    expect(handOver).toMatchObject({ ok: true, reference });
    await eventually(async () => v.events.some((e) => e.event === 'session' && e.payload.mode === 'waiting'));
    expect(v.messages('assistant')[1].text).toMatch(/Nododu sarunu konsultantam/);
    await eventually(async () => (await ticket(reference))?.level === 1);
    // Routing offers it at once to the online operator (level-1 queues assign the least loaded).
    await eventually(async () => (await ticket(reference))?.assignee_id === operatorId);
    expect((await ticket(reference)).status).toBe('assigned');
    const [escalation] = await env.sql(`SELECT * FROM escalations WHERE ticket_id = $1 ORDER BY created_at`, [
      (await ticket(reference)).id,
    ]);
    expect(escalation).toMatchObject({
      from_level: 0,
      to_level: 1,
      reason: 'escalated',
      comment: 'the visitor asked for a person',
      actor_agent_id: null,
    });
    expect(escalation.summary).toMatch(
      /^The visitor asked for a person\.\nVisitor: Kā saņemt bezdarbnieka pabalstu\?\nAssistant: Bezdarbnieka/,
    );
    const audits = await env.sql(`SELECT action, detail FROM audit_events WHERE subject_id = $1`, [(await ticket(reference)).id]);
    expect(audits).toContainEqual({
      action: 'ticket.escalated',
      detail: expect.objectContaining({ fromLevel: 0, toLevel: 1, by: 'assistant' }),
    });
    await eventually(async () => agent.about(reference).some((e) => e.event === 'ticket.changed' && e.payload.level === 1));

    // Takeover: claimed over REST, joined on the agents' socket; the visitor is told who joined.
    await request(api.getHttpServer())
      .post(`/v1/tickets/${reference}/claim`)
      .set('Authorization', `Bearer ${operatorToken}`)
      .send({})
      .expect(200);
    const joined = await agent.request('chat.join', { reference });
    expect(joined).toMatchObject({ ok: true, session: { mode: 'operator', operatorId, language: 'lv' } });
    expect(joined.session.tokenHash).toBeUndefined();
    expect(joined.history.map((m: any) => m.author)).toEqual(['assistant', 'visitor', 'assistant', 'visitor', 'assistant', 'system']);
    // Reading the transcript by joining is audited: one row for the join.
    expect(
      await env.sql(`SELECT actor_agent_id, detail FROM audit_events WHERE action = 'chat_transcript.read' AND detail->>'reference' = $1`, [
        reference,
      ]),
    ).toEqual([{ actor_agent_id: operatorId, detail: { reference, entries: 6 } }]);
    await eventually(async () => v.messages('system').some((m) => m.text === 'Anna pievienojās sarunai.'));

    // Visitor → operator in real time (before the worker has stored it), with typing and read receipts.
    await v.request('typing', { typing: true });
    await eventually(async () =>
      agent.events.some((e) => e.event === 'chat.typing' && e.payload.reference === reference && e.payload.typing),
    );
    const sentAt = Date.now();
    await v.say('Man nav bezdarbnieka statusa, ko darīt?');
    await eventually(async () =>
      agent.events.some((e) => e.event === 'chat.message' && e.payload.message.text === 'Man nav bezdarbnieka statusa, ko darīt?'),
    );
    expect(Date.now() - sentAt).toBeLessThan(2000);

    // Operator → visitor: the ordinary reply API, delivered by the chat sender through the outbound queue.
    await agent.request('chat.typing', { reference, typing: true });
    await eventually(async () => v.events.some((e) => e.event === 'typing' && e.payload.name === 'Anna'));
    const reply = await request(api.getHttpServer())
      .post(`/v1/tickets/${reference}/replies`)
      .set('Authorization', `Bearer ${operatorToken}`)
      .send({ text: 'Vispirms reģistrējieties NVA kā bezdarbnieks.' })
      .expect(202);
    expect(reply.body).toMatchObject({ channel: 'chat', address: `chat:${v.sessionId}` });
    await eventually(async () => v.messages('agent').some((m) => m.text === 'Vispirms reģistrējieties NVA kā bezdarbnieks.'));
    expect(v.messages('agent')[0]).toMatchObject({ id: reply.body.id, name: 'Anna' });
    await v.request('receipt', { kind: 'read', ids: [reply.body.id] });
    await eventually(async () =>
      agent.events.some((e) => e.event === 'chat.receipt' && e.payload.kind === 'read' && e.payload.ids[0] === reply.body.id),
    );
    await eventually(
      async () => (await env.sql(`SELECT delivery_status FROM messages WHERE id = $1`, [reply.body.id]))[0].delivery_status === 'sent',
    );

    // Everything is on the one ticket, in order, the assistant's answers as bot messages.
    await eventually(async () => (await messagesOf(reference)).length === 6);
    expect((await messagesOf(reference)).map((m: any) => `${m.direction}/${m.author_type}`)).toEqual([
      'inbound/customer',
      'outbound/bot',
      'inbound/customer',
      'outbound/bot',
      'inbound/customer',
      'outbound/agent',
    ]);
    expect(await env.sql(`SELECT count(*)::int AS n FROM tickets WHERE channel = 'chat'`)).toEqual([{ n: 1 }]);

    // Reconnecting with the resume token restores the whole conversation; a wrong token gets nothing.
    v.close();
    const back = await visitor();
    expect(await back.request('resume', { sessionId: v.sessionId, resumeToken: 'x'.repeat(43) })).toMatchObject({
      ok: false,
      status: 404,
      code: 'no-session',
    });
    const resumed = await back.request('resume', { sessionId: v.sessionId, resumeToken: v.resumeToken });
    expect(resumed).toMatchObject({ ok: true, mode: 'operator', reference });
    expect(resumed.history.map((m: any) => m.text)).toEqual([
      started.history[0].text,
      'Kā saņemt bezdarbnieka pabalstu?',
      expect.stringMatching(/^Bezdarbnieka pabalstu/),
      'Paldies, bet gribu runāt ar operatoru',
      expect.stringMatching(/^Nododu sarunu/),
      'Anna pievienojās sarunai.',
      'Man nav bezdarbnieka statusa, ko darīt?',
      'Vispirms reģistrējieties NVA kā bezdarbnieks.',
    ]);
    // Transfer to another operator: the ticket is given to them, they join and see the whole conversation.
    const peterisId = await api
      .get(AgentsService)
      .upsert({ email: 'peteris@chat.test', displayName: 'Pēteris', password: PASSWORD, roles: ['operator'], institutionCodes: [] });
    const peteris = await AgentSocket.connect(api, await login(api, 'peteris@chat.test', PASSWORD));
    sockets.push(peteris);
    await request(api.getHttpServer())
      .post(`/v1/tickets/${reference}/assign`)
      .set('Authorization', `Bearer ${operatorToken}`)
      .send({ agentId: peterisId, force: true })
      .expect(200);
    const taken = await peteris.request('chat.join', { reference });
    expect(taken).toMatchObject({ ok: true, session: { operatorId: peterisId } });
    expect(taken.history.map((m: any) => m.text)).toEqual([...resumed.history.map((m: any) => m.text), 'Pēteris pievienojās sarunai.']);
    await eventually(async () => back.messages('system').some((m) => m.text === 'Pēteris pievienojās sarunai.'));
    await back.say('Labi, paldies');
    await eventually(async () => peteris.events.some((e) => e.event === 'chat.message' && e.payload.message.text === 'Labi, paldies'));

    // The operator ends it; the visitor hears, and the ticket stays with the operator to resolve.
    expect(await peteris.request('chat.close', { reference })).toEqual({ ok: true });
    await eventually(async () => back.events.some((e) => e.event === 'closed' && e.payload.by === 'operator'));
    expect(await back.say('vēl kas')).toMatchObject({ ok: false, status: 409, code: 'chat-closed' });
    // A conversation with a person ends with the survey: buttons 1-5, one score stored on the ticket.
    const closed = back.events.find((e) => e.event === 'closed')!;
    expect(closed.payload.survey).toEqual({ question: expect.stringMatching(/novērtējiet sarunu/), scores: [1, 2, 3, 4, 5] });
    expect(await back.request('rate', { score: 9 })).toMatchObject({ ok: false, status: 422, errors: [{ field: 'score' }] });
    expect(await back.request('rate', { score: 5 })).toEqual({ ok: true, score: 5 });
    expect(await ticket(reference)).toMatchObject({ csat_score: 5, csat_channel: 'chat' });
    await eventually(async () => (await messagesOf(reference)).length === 8);
    expect(await ticket(reference)).toMatchObject({ status: 'assigned', assignee_id: peterisId });
  });

  it('stores a message its first handler claimed but never stored (the process died) when the visitor resends it', async () => {
    const v = await visitor();
    await v.start({ language: 'en' });
    const sessions = api.get(ChatSessionsService);
    const claims = chatSessionKey(api.get(AppConfig).REDIS_PREFIX, v.sessionId, ':cm');
    // What a process SIGKILLed between claiming the client message id and storing the message leaves behind.
    const lostId = randomUUID();
    await sessions.redis.hset(claims, 'died-1', `pending:${lostId}:${Date.now() - STALE_CLAIM_MS - 1000}`);
    const resent = await v.say('Where is my application for a residence permit?', 'died-1');
    expect(resent).toMatchObject({ ok: true, id: lostId, duplicate: false, reference: expect.stringMatching(/^VP-\d{4}-\d{6}$/) });
    await eventually(async () => (await messagesOf(resent.reference)).some((m: any) => m.external_id === `${v.sessionId}:died-1`));
    expect(await v.say('Where is my application for a residence permit?', 'died-1')).toEqual({
      ok: true,
      id: lostId,
      duplicate: true,
      reference: resent.reference,
    });

    // Still being stored by a live handler: the resend waits for it, and is not answered before it is stored.
    const slowId = randomUUID();
    await sessions.redis.hset(claims, 'slow-1', `pending:${slowId}:${Date.now()}`);
    let answered = false;
    const waiting = v.say('and one more question', 'slow-1').then((ack) => ((answered = true), ack));
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(answered).toBe(false);
    await sessions.claimStored(v.sessionId, 'slow-1', slowId);
    expect(await waiting).toEqual({ ok: true, id: slowId, duplicate: true, reference: resent.reference });
    expect((await messagesOf(resent.reference)).filter((m: any) => m.external_id === `${v.sessionId}:died-1`)).toHaveLength(1);
  });

  it('stores a resent client message once, and refuses files the web form would refuse', async () => {
    const v = await visitor();
    await v.start({ language: 'en', email: 'Visitor@Example.LV' });
    const a = await v.say('I want a real person', 'same-id-1');
    const b = await v.say('I want a real person', 'same-id-1');
    expect(b).toEqual({ ok: true, id: a.id, duplicate: true, reference: a.reference });
    await eventually(async () => (await ticket(a.reference))?.level === 1);
    const withFile = await v.say('my application', undefined, { attachments: [{ filename: 'iesniegums.pdf', content: PDF_BYTES }] });
    expect(withFile).toMatchObject({ ok: true });
    const bad = await v.say('look', undefined, {
      attachments: [{ filename: 'run.exe', content: Buffer.from('MZ\x90\x00 not a document') }],
    });
    expect(bad).toMatchObject({
      ok: false,
      status: 422,
      code: 'validation',
      errors: [{ field: 'attachments[0]', code: 'type_not_allowed' }],
    });
    await eventually(async () => (await messagesOf(a.reference)).length === 3);
    expect((await messagesOf(a.reference)).filter((m: any) => m.external_id === `${v.sessionId}:same-id-1`)).toHaveLength(1);
    const [file] = await env.sql(
      `SELECT at.filename, at.content_type FROM attachments at JOIN messages ms ON ms.id = at.message_id JOIN tickets t ON t.id = ms.ticket_id WHERE t.reference = $1`,
      [a.reference],
    );
    expect(file).toEqual({ filename: 'iesniegums.pdf', content_type: 'application/pdf' });
    expect(v.messages('visitor')).toEqual([]); // the visitor's own messages come back only by ack, not twice
    const [customer] = await env.sql(
      `SELECT ci.kind, ci.value FROM customer_identifiers ci JOIN tickets t ON t.customer_id = ci.customer_id WHERE t.reference = $1 AND ci.kind = 'email'`,
      [a.reference],
    );
    expect(customer).toEqual({ kind: 'email', value: 'visitor@example.lv' });
  });

  it('refuses messages beyond the visitor rate limit with an ack error, and counts the refusals', async () => {
    const v = await visitor();
    await v.start({ language: 'lv' });
    await v.say('operators'); // to people, so the burst below is only relayed and stored
    const acks = await Promise.all(Array.from({ length: 12 }, (_, i) => v.say(`ziņa ${i}`)));
    const refused = acks.filter((x) => !x.ok);
    expect(refused.length).toBeGreaterThanOrEqual(4);
    expect(refused[0]).toMatchObject({ status: 429, code: 'rate-limited', retryAfterMs: expect.any(Number) });
    const metrics = await request(api.getHttpServer()).get('/metrics').set(MONITORING).expect(200);
    expect(metrics.text).toMatch(/vp_chat_events_total\{event="message",outcome="refused",reason="rate-limited"\} ([4-9]|1\d)/);
  });

  it('records a chat the visitor ends after a helpful answer as resolved at level 0', async () => {
    const v = await visitor();
    await v.start({ language: 'lv', institution: 'VSAA' });
    const asked = await v.say('Kā pieteikties vecuma pensijai?');
    await eventually(async () => v.messages('assistant').some((m) => m.askFeedback));
    expect(await v.request('feedback', { clientMessageId: 'fb-1', helpful: true })).toMatchObject({ ok: true });
    await eventually(async () => v.messages('assistant').some((m) => /Priecājos/.test(m.text)));
    expect(await v.request('close')).toMatchObject({ ok: true, resolvedAtLevelZero: true, reference: asked.reference });
    await eventually(async () => (await ticket(asked.reference))?.status === 'resolved');
    const t = await ticket(asked.reference);
    expect(t).toMatchObject({ level: 0, queue_id: null });
    expect(t.resolved_at).not.toBeNull();
    expect(await env.sql(`SELECT count(*)::int AS n FROM escalations WHERE ticket_id = $1`, [t.id])).toEqual([{ n: 0 }]);
    expect((await messagesOf(asked.reference)).map((m: any) => m.author_type)).toEqual(['customer', 'bot', 'customer', 'bot', 'system']);
    // A chat only the assistant held ends with the same survey; the score is stored on its ticket.
    const closed = await eventually(async () => v.events.find((e) => e.event === 'closed'));
    expect(closed.payload.survey).toEqual({ question: expect.stringMatching(/novērtējiet sarunu/), scores: [1, 2, 3, 4, 5] });
    expect(await v.request('rate', { score: 4 })).toEqual({ ok: true, score: 4 });
    expect(await ticket(asked.reference)).toMatchObject({ csat_score: 4, csat_channel: 'chat', level: 0, status: 'resolved' });
  });

  it('hands over after two unsure turns, and answers a suggested article the visitor picks', async () => {
    const v = await visitor();
    await v.start({ language: 'lv' });
    const first = await v.say('zvaigžņu kuģa degviela');
    await eventually(async () => v.messages('assistant').length === 1);
    expect(v.messages('assistant')[0].text).toMatch(/^Diemžēl neatradu atbildi/);
    // Picking an article (as from the choice buttons) is a confident turn: the count of unsure turns starts again.
    const [article] = await env.sql(
      `SELECT id, questions FROM knowledge_articles WHERE language = 'lv' AND topic = 'izziņas' AND published`,
    );
    expect(await v.request('choose', { clientMessageId: 'pick-1', articleId: article.id })).toMatchObject({ ok: true });
    await eventually(async () => v.messages('assistant').length === 2);
    expect(v.messages('assistant')[1]).toMatchObject({ askFeedback: true });
    expect(await v.request('choose', { clientMessageId: 'pick-2', articleId: '00000000-0000-4000-8000-000000000000' })).toMatchObject({
      ok: false,
      status: 422,
      errors: [{ field: 'articleId', code: 'unknown' }],
    });
    await v.say('zvaigžņu kuģa degviela');
    await v.say('kosmosa lifta biļetes');
    await eventually(async () => (await ticket(first.reference))?.level === 1);
    const [escalation] = await env.sql(`SELECT comment, summary FROM escalations WHERE ticket_id = $1`, [
      (await ticket(first.reference)).id,
    ]);
    expect(escalation.comment).toBe('the assistant was unsure twice');
    expect(escalation.summary).toContain(`Visitor: ${article.questions[0]}`);
  });

  it('an operator may take a conversation over from the assistant: it stops, the ticket is theirs, and its clocks start then', async () => {
    const v = await visitor();
    await v.start({ language: 'lv', name: 'Līga' });
    const first = await v.say('Kā saņemt bezdarbnieka pabalstu?');
    const reference: string = first.reference;
    await eventually(async () => (await ticket(reference))?.status === 'bot');
    await eventually(async () => v.messages('assistant').length === 1);
    const agent = await AgentSocket.connect(api, operatorToken);
    sockets.push(agent);

    // Only on purpose: a plain join still leaves the assistant's conversations alone.
    expect(await agent.request('chat.join', { reference })).toMatchObject({ ok: false, status: 409, code: 'with-assistant' });
    const joined = await agent.request('chat.join', { reference, takeOver: true });
    expect(joined).toMatchObject({ ok: true, session: { mode: 'operator', operatorId } });
    await eventually(async () => v.messages('system').some((m) => m.text === 'Anna pievienojās sarunai.'));

    await eventually(async () => (await ticket(reference))?.level === 1);
    expect(await ticket(reference)).toMatchObject({ level: 1, status: 'assigned', assignee_id: operatorId });
    const [escalation] = await env.sql(
      `SELECT from_level, to_level, comment, actor_agent_id, created_at FROM escalations WHERE ticket_id = $1`,
      [(await ticket(reference)).id],
    );
    expect(escalation).toMatchObject({ from_level: 0, to_level: 1, comment: 'taken over by an operator', actor_agent_id: operatorId });
    const [clock] = await eventually(async () => {
      const rows = await env.sql(`SELECT started_at FROM sla_clocks WHERE ticket_id = $1 AND metric = 'first_response'`, [
        (await ticket(reference)).id,
      ]);
      return rows.length ? rows : null;
    });
    expect(new Date(clock.started_at).getTime()).toBe(new Date(escalation.created_at).getTime());

    // The visitor's next words go to the operator; the assistant says nothing more.
    await v.say('Vai var ātrāk?');
    await eventually(async () => agent.events.some((e) => e.event === 'chat.message' && e.payload.message.text === 'Vai var ātrāk?'));
    await new Promise((r) => setTimeout(r, 300));
    expect(v.messages('assistant')).toHaveLength(1);
  });

  it('out of hours offers to leave a message, which becomes a ticket for the next working day', async () => {
    const admin = await login(api);
    const reopen = await closeToday(api, admin);
    try {
      const v = await visitor();
      const started = await v.start({ language: 'en' });
      expect(started).toMatchObject({ ok: true, open: false });
      expect(started.history[0].text).toMatch(/^Our consultants are away now \(back /);
      const asked = await v.say('operator please');
      await eventually(async () => v.messages('assistant').length === 1);
      expect(v.messages('assistant')[0].text).toMatch(/^Our consultants are away\. Write your message/);
      await eventually(async () => (await ticket(asked.reference))?.status === 'bot');
      await v.say('Please call me back about my pension: 20000000');
      await eventually(async () => (await ticket(asked.reference))?.level === 1);
      expect(v.messages('assistant')[1].text).toMatch(/^Thank you, your message is recorded\. We will answer /);
      const t = await ticket(asked.reference);
      expect(t.status).toBe('queued');
      const [escalation] = await env.sql(`SELECT * FROM escalations WHERE ticket_id = $1`, [t.id]);
      expect(escalation).toMatchObject({
        from_level: 0,
        to_level: 1,
        reason: 'escalated',
        comment: expect.stringMatching(/^out of hours/),
      });
      expect(escalation.summary).toContain('Please call me back about my pension');
      // Its clocks run in business time: nothing is due before the next opening.
      await eventually(async () => (await ticket(asked.reference)).sla_due_at !== null);
      expect(new Date((await ticket(asked.reference)).sla_due_at).getTime()).toBeGreaterThan(Date.now());
    } finally {
      await reopen();
    }
  });

  it('serves the widget page: its language, its CSP (framed only by the institution’s allowed sites), its built script', async () => {
    const page = await request(api.getHttpServer()).get('/chat/widget?institution=VSAA&lang=ru').expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toMatch(/^<!doctype html>\s*<html lang="ru">/);
    // No site may frame an institution that allowed none; no inline script may run.
    expect(page.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self';/);
    const script = /<script src="(\/chat\/widget\.js\?v=[0-9a-f]{12})" defer>/.exec(page.text)?.[1];
    await request(api.getHttpServer())
      .get(script!)
      .expect(200)
      .expect('content-type', /javascript/);
    await request(api.getHttpServer()).get('/chat/widget?lang=de').expect(422);
    await request(api.getHttpServer()).get('/chat/widget?institution=NOPE').expect(404);
  });
});

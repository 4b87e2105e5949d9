import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import type { AuthUser } from '../src/auth/auth-user';
import { ReplyRequest, TicketMessagesService } from '../src/tickets/ticket-messages.service';
import { login, TestEnv } from './support/test-env';

/**
 * Replies that arrive together are written together: one transaction per round, a round holding one reply per
 * ticket. Each caller still gets exactly the answer a reply written alone would give.
 */
describe('replies written together', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let messages: TicketMessagesService;
  const users: Record<string, AuthUser> = {};

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all' });
    messages = app.get(TicketMessagesService);
    const agents = app.get(AgentsService);
    const [vid] = await env.sql(`SELECT id FROM institutions WHERE code = 'VID'`);
    for (const [name, roles, institutionIds] of [
      ['anna', ['operator'], []],
      ['juris', ['operator'], []],
      ['vid', ['specialist'], [vid.id]],
    ] as const) {
      const id = await agents.upsert({
        email: `${name}@staff.test`,
        displayName: name,
        password: 'a-long-enough-password',
        roles: [...roles],
        institutionCodes: institutionIds.length ? ['VID'] : undefined,
      });
      users[name] = { id, email: `${name}@staff.test`, roles: [...roles], institutionIds: [...institutionIds] };
    }
  });
  afterAll(() => env.teardown());

  const reply = (user: AuthUser, reference: string, input: Partial<ReplyRequest['input']> = {}) =>
    messages
      .createReply(user, reference, { text: 'Labdien!', html: null, attachments: [], ...input }, 'vpppd.test')
      .then((value) => ({ ok: true as const, value }))
      .catch((error: any) => ({ ok: false as const, status: error.getStatus?.() as number, type: error.getResponse?.()?.type as string }));

  it('gives each reply its own answer, with one transaction per round instead of one per reply', async () => {
    const tickets = await Promise.all(Array.from({ length: 6 }, () => env.submitTicket(app, { institution: 'VSAA' })));
    const noEmail = await env.submitTicket(app, {
      applicant: { firstName: 'Ilze', lastName: 'Ozola', phone: '+37120000001' },
    });
    const batches: number[] = [];
    const write = messages.replyManyIn.bind(messages);
    const spy = jest.spyOn(messages, 'replyManyIn').mockImplementation((m, fx, requests) => {
      batches.push(requests.length);
      return write(m, fx, requests);
    });

    // All in one tick, as a burst of requests arrives.
    const [answered, collided, outOfScope, nowhere, missing, keyedFirst, keyedAgain] = await Promise.all([
      Promise.all(tickets.map((t) => reply(users.anna, t))),
      reply(users.juris, tickets[0]),
      reply(users.vid, tickets[2]),
      reply(users.anna, noEmail),
      reply(users.anna, 'VP-2026-999999'),
      reply(users.anna, tickets[3], { idempotencyKey: 'the-same-click' }),
      reply(users.anna, tickets[3], { idempotencyKey: 'the-same-click' }),
    ]);
    spy.mockRestore();

    // Round 1: the six tickets and the two refused at once; round 2: a second reply to tickets 1, 3 and 4; round 3:
    // the third to ticket 4.
    expect(batches).toEqual([8, 3, 1]);
    for (const a of answered)
      expect(a).toMatchObject({ ok: true, value: { channel: 'email', deliveryStatus: 'queued', duplicate: false } });
    expect(new Set(answered.map((a) => (a.ok ? a.value.id : null))).size).toBe(6);
    // Written after Anna's, so Juris hears of it; the same rule as for two replies one after the other.
    expect(collided).toMatchObject({ ok: false, status: 409, type: 'urn:vpppd:problem:reply-collision' });
    expect(outOfScope).toMatchObject({ ok: false, status: 404 });
    expect(nowhere).toMatchObject({ ok: false, status: 422 });
    expect(missing).toMatchObject({ ok: false, status: 404 });
    expect(keyedFirst).toMatchObject({ ok: true, value: { duplicate: false } });
    expect(keyedAgain).toMatchObject({ ok: true, value: { duplicate: true } });
    expect(keyedAgain.ok && keyedFirst.ok && keyedAgain.value.id).toBe(keyedFirst.ok && keyedFirst.value.id);

    const rows = await env.sql(
      `SELECT t.reference, t.first_response_at, count(m.id)::int AS replies,
              (SELECT status FROM sla_clocks c WHERE c.ticket_id = t.id AND c.metric = 'first_response') AS first_response
       FROM tickets t LEFT JOIN messages m ON m.ticket_id = t.id AND m.direction = 'outbound'
       WHERE t.reference = ANY($1) GROUP BY t.id ORDER BY t.reference`,
      [[...tickets, noEmail]],
    );
    const byReference = new Map(rows.map((r) => [r.reference, r]));
    tickets.forEach((t, i) => {
      const row = byReference.get(t);
      expect(row).toMatchObject({ replies: i === 3 ? 2 : 1, first_response: 'met' });
      expect(row!.first_response_at).not.toBeNull();
    });
    expect(byReference.get(noEmail)).toMatchObject({ replies: 0, first_response_at: null });
  });

  it('a reply whose write fails fails alone; the others in its batch are stored', async () => {
    const tickets = await Promise.all(Array.from({ length: 3 }, () => env.submitTicket(app, { institution: 'VSAA' })));
    // PostgreSQL refuses a NUL in text: the batch's INSERT fails, and each reply is then written by itself.
    const [first, broken, last] = await Promise.all([
      reply(users.anna, tickets[0]),
      reply(users.anna, tickets[1], { text: 'nul \u0000 baits' }),
      reply(users.anna, tickets[2]),
    ]);
    expect(first).toMatchObject({ ok: true });
    expect(last).toMatchObject({ ok: true });
    expect(broken).toMatchObject({ ok: false });
    const stored = await env.sql(
      `SELECT t.reference FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.direction = 'outbound' AND t.reference = ANY($1)`,
      [tickets],
    );
    expect(stored.map((r) => r.reference).sort()).toEqual([tickets[0], tickets[2]].sort());
  });

  it('answers many replies sent over HTTP at once, each 202 with its own message', async () => {
    const token = await login(app, 'anna@staff.test', 'a-long-enough-password');
    const tickets = await Promise.all(Array.from({ length: 20 }, () => env.submitTicket(app, { institution: 'VSAA' })));
    const responses = await Promise.all(
      tickets.map((t) =>
        request(app.getHttpServer()).post(`/v1/tickets/${t}/replies`).set('Authorization', `Bearer ${token}`).send({ text: 'Labdien!' }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(tickets.map(() => 202));
    const [{ n }] = await env.sql(
      `SELECT count(DISTINCT m.ticket_id)::int AS n FROM messages m JOIN tickets t ON t.id = m.ticket_id
       WHERE m.direction = 'outbound' AND t.reference = ANY($1) AND m.id = ANY($2::uuid[])`,
      [tickets, responses.map((r) => r.body.id)],
    );
    expect(n).toBe(20);
  });
});

import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { login, TestEnv } from './support/test-env';

describe('inbox actions: notes, claim and assign, status', () => {
  const env = new TestEnv();
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const call = (who: string, method: 'post' | 'patch' | 'get', url: string, body?: object) => {
    const req = request(app.getHttpServer())[method](url).set('Authorization', `Bearer ${tokens[who]}`);
    return body ? req.send(body) : req;
  };

  const newTicket = (institution = 'VID') => env.submitTicket(app, { institution });

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all' });
    const agents = app.get(AgentsService);
    const staff: Array<[string, any, string[]?]> = [
      ['anna', ['operator']],
      ['juris', ['operator']],
      ['vsaa', ['specialist'], ['VSAA']],
    ];
    for (const [name, roles, institutionCodes] of staff) {
      ids[name] = await agents.upsert({
        email: `${name}@staff.test`,
        displayName: name,
        password: 'a-long-enough-password',
        roles,
        institutionCodes,
      });
      tokens[name] = await login(app, `${name}@staff.test`, 'a-long-enough-password');
    }
  });
  afterAll(() => env.teardown());

  it('keeps internal notes on the timeline and never queues them for sending', async () => {
    const reference = await newTicket();
    const note = await call('anna', 'post', `/v1/tickets/${reference}/notes`, { text: 'Jāpārbauda VID sistēmā' }).expect(201);
    const detail = await call('juris', 'get', `/v1/tickets/${reference}`).expect(200);
    expect(detail.body.messages.find((m: any) => m.id === note.body.id)).toMatchObject({
      internal: true,
      author: 'agent',
      deliveryStatus: null,
    });
    await call('anna', 'post', `/v1/tickets/${reference}/notes`, { text: '' }).expect(422);
  });

  it('shows the ticket as one timeline: the message, the hand-over, assignment, notes, changes and moves in order', async () => {
    const reference = await newTicket('VID');
    await call('anna', 'post', `/v1/tickets/${reference}/claim`, {}).expect(200);
    await call('anna', 'post', `/v1/tickets/${reference}/notes`, { text: 'zvanīju klientam' }).expect(201);
    await call('anna', 'patch', `/v1/tickets/${reference}`, { kind: 'application' }).expect(200);
    await call('anna', 'post', `/v1/tickets/${reference}/escalations`, {
      toLevel: 2,
      reason: 'vajag VID speciālistu',
      summary: 'EDS piekļuve',
    }).expect(201);
    const detail = await call('juris', 'get', `/v1/tickets/${reference}`).expect(200);
    expect(detail.body.timeline.map((e: any) => e.type)).toEqual(['message', 'escalation', 'claimed', 'note', 'updated', 'escalation']);
    expect(detail.body.timeline[2]).toMatchObject({ actorAgentId: ids.anna, to: ids.anna });
    expect(detail.body.timeline[5]).toMatchObject({
      fromLevel: 1,
      toLevel: 2,
      reason: 'escalated',
      comment: 'vajag VID speciālistu',
      summary: 'EDS piekļuve',
    });
    const times = detail.body.timeline.map((e: any) => new Date(e.at).getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('gives a ticket to exactly one of two people claiming it at once; taking it over needs force', async () => {
    const reference = await newTicket();
    const [a, b] = await Promise.all([
      call('anna', 'post', `/v1/tickets/${reference}/claim`, {}),
      call('juris', 'post', `/v1/tickets/${reference}/claim`, {}),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? 'anna' : 'juris';
    const loser = winner === 'anna' ? 'juris' : 'anna';
    const [row] = await env.sql('SELECT assignee_id, status FROM tickets WHERE reference = $1', [reference]);
    expect(row).toEqual({ assignee_id: ids[winner], status: 'assigned' });

    await call(loser, 'post', `/v1/tickets/${reference}/claim`, { force: true }).expect(200);
    const audit = await env.sql(
      `SELECT action, detail FROM audit_events WHERE subject_type = 'ticket' AND detail->>'reference' = $1 ORDER BY created_at`,
      [reference],
    );
    expect(audit.map((e) => e.action)).toEqual(['ticket.claimed', 'ticket.claimed']);
    expect(audit[1].detail).toMatchObject({ from: ids[winner], to: ids[loser] });
  });

  it("assigns only to someone who may see the ticket's institution", async () => {
    const reference = await newTicket('VID');
    const res = await call('anna', 'post', `/v1/tickets/${reference}/assign`, { agentId: ids.vsaa }).expect(422);
    expect(res.body.errors[0]).toMatchObject({ field: 'agentId', code: 'outOfScope' });
    await call('anna', 'post', `/v1/tickets/${reference}/assign`, { agentId: ids.juris }).expect(200);
    await call('anna', 'post', `/v1/tickets/${reference}/assign`, { agentId: 'not-a-uuid' }).expect(422);
  });

  it('changes status with its timestamps, and a closed ticket can only be reopened', async () => {
    const reference = await newTicket();
    await call('anna', 'patch', `/v1/tickets/${reference}`, { status: 'resolved', kind: 'consultation', priority: 'high' }).expect(200);
    let [t] = await env.sql('SELECT status, kind, priority, resolved_at FROM tickets WHERE reference = $1', [reference]);
    expect(t).toMatchObject({ status: 'resolved', kind: 'consultation', priority: 'high' });
    expect(t.resolved_at).not.toBeNull();

    await call('anna', 'patch', `/v1/tickets/${reference}`, { status: 'closed' }).expect(200);
    const refused = await call('anna', 'patch', `/v1/tickets/${reference}`, { status: 'pending_customer' }).expect(422);
    expect(refused.body.errors[0]).toMatchObject({ field: 'status', code: 'closed' });
    await call('anna', 'patch', `/v1/tickets/${reference}`, { status: 'queued' }).expect(200);
    [t] = await env.sql('SELECT status, closed_at, resolved_at FROM tickets WHERE reference = $1', [reference]);
    expect(t).toEqual({ status: 'queued', closed_at: null, resolved_at: null });

    await call('anna', 'patch', `/v1/tickets/${reference}`, { status: 'new' }).expect(422);
    await call('vsaa', 'patch', `/v1/tickets/${reference}`, { status: 'resolved' }).expect(404);
  });

  it("merges two tickets of one customer (messages move, the other closes pointing there), and refuses others'", async () => {
    // Signed in at the portal both times: her verified personas kods makes the two forms one customer's.
    const applicant = {
      firstName: 'Marta',
      lastName: 'Liepa',
      email: 'marta.liepa@example.lv',
      personalCode: '32555555555',
      authenticated: true,
    };
    const make = () => env.submitTicket(app, { institution: 'VID', applicant });
    const [a, b] = [await make(), await make()];
    const stranger = await newTicket('VID');

    const refused = await call('anna', 'post', `/v1/tickets/${a}/merge`, { into: stranger }).expect(422);
    expect(refused.body.errors[0]).toMatchObject({ field: 'into', code: 'differentCustomers' });
    await call('anna', 'post', `/v1/tickets/${a}/merge`, { into: a }).expect(422);

    await call('anna', 'post', `/v1/tickets/${a}/merge`, { into: b }).expect(200);
    const merged = await call('anna', 'get', `/v1/tickets/${a}`).expect(200);
    expect(merged.body).toMatchObject({ status: 'closed', mergedInto: b, messages: [] });
    const target = await call('anna', 'get', `/v1/tickets/${b}`).expect(200);
    expect(target.body.messages.filter((m: any) => !m.internal)).toHaveLength(2);
    expect(target.body.messages.find((m: any) => m.internal).text).toBe(`${a} merged into this ticket`);

    // The stranger's ticket can be put on Marta's record, e.g. when she turns out to be the caller.
    const [{ customer_id }] = await env.sql('SELECT customer_id FROM tickets WHERE reference = $1', [b]);
    await call('anna', 'post', `/v1/tickets/${stranger}/customer`, { customerId: customer_id }).expect(200);
    expect((await env.sql('SELECT customer_id FROM tickets WHERE reference = $1', [stranger]))[0].customer_id).toBe(customer_id);
    await call('anna', 'post', `/v1/tickets/${stranger}/customer`, { customerId: '00000000-0000-4000-8000-000000000000' }).expect(422);
  });

  it('lets institution staff link a ticket only to a customer they already see a ticket of, and answers others as missing', async () => {
    // No personal code: each applicant is a customer of their own, told apart by e-mail.
    const make = (institution: string, who: string) =>
      env.submitTicket(app, { institution, applicant: { firstName: who, lastName: 'Ozola', email: `${who}@example.lv` } });
    const customerOf = async (reference: string) =>
      (await env.sql('SELECT customer_id FROM tickets WHERE reference = $1', [reference]))[0].customer_id as string;
    const own = await make('VSAA', 'ilze');
    const otherOwn = await make('VSAA', 'dace');
    const vids = await make('VID', 'rita');
    const before = await customerOf(own);

    const elsewhere = await call('vsaa', 'post', `/v1/tickets/${own}/customer`, { customerId: await customerOf(vids) }).expect(422);
    const missing = await call('vsaa', 'post', `/v1/tickets/${own}/customer`, {
      customerId: '00000000-0000-4000-8000-000000000000',
    }).expect(422);
    expect(elsewhere.body.errors).toEqual([expect.objectContaining({ field: 'customerId', code: 'unknown' })]);
    expect({ ...elsewhere.body, instance: undefined, requestId: undefined }).toEqual({
      ...missing.body,
      instance: undefined,
      requestId: undefined,
    });
    expect(await customerOf(own)).toBe(before);

    await call('vsaa', 'post', `/v1/tickets/${own}/customer`, { customerId: await customerOf(otherOwn) }).expect(200);
    expect(await customerOf(own)).toBe(await customerOf(otherOwn));
    // The centre's operators link across institutions: identifying a caller is their work.
    await call('anna', 'post', `/v1/tickets/${vids}/customer`, { customerId: before }).expect(200);
  });
});

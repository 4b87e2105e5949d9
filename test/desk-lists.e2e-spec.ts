import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { ADMIN_EMAIL, ADMIN_PASSWORD, login, TestEnv } from './support/test-env';

/** The lists the agent's desk shows beside the ticket list: queues with what waits there, and whom a ticket may go to. */
describe('desk lists: queues with waiting counts, and a ticket’s possible assignees', () => {
  const env = new TestEnv();
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const get = (who: string, url: string) => request(app.getHttpServer()).get(url).set('Authorization', `Bearer ${tokens[who]}`);

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all' });
    const agents = app.get(AgentsService);
    const staff: Array<[string, any, string[]?]> = [
      ['anna', ['operator']],
      ['vid', ['specialist'], ['VID']],
      ['vsaa', ['specialist'], ['VSAA']],
      ['sup', ['supervisor']],
      ['adm', ['admin']],
    ];
    for (const [name, roles, institutionCodes] of staff) {
      ids[name] = await agents.upsert({
        email: `${name}@desk.test`,
        displayName: name,
        password: 'a-long-enough-password',
        roles,
        institutionCodes,
      });
      tokens[name] = await login(app, `${name}@desk.test`, 'a-long-enough-password');
    }
    tokens.admin = await login(app, ADMIN_EMAIL, ADMIN_PASSWORD);
  });
  afterAll(() => env.teardown());

  it('counts waiting tickets per queue within the asker’s scope, the same figures as the supervisor board', async () => {
    // Russian: nobody online speaks it, so routing leaves them waiting.
    await env.submitTicket(app, { institution: 'VID', language: 'ru' });
    await env.submitTicket(app, { institution: 'VID', language: 'ru' });
    await env.submitTicket(app, { institution: 'VSAA', language: 'ru' });

    const all = (await get('anna', '/v1/queues').expect(200)).body as any[];
    const board = (await get('sup', '/v1/supervisor/board').expect(200)).body;
    const boardWaiting = new Map<string, number>();
    for (const q of board.queues) boardWaiting.set(q.queue, (boardWaiting.get(q.queue) ?? 0) + q.waiting);
    for (const q of all) expect([q.queue, q.waiting]).toEqual([q.queue, boardWaiting.get(q.queue) ?? 0]);
    expect(all.reduce((n, q) => n + q.waiting, 0)).toBe(board.totals.waiting);
    expect(all.filter((q) => q.waiting > 0).length).toBeGreaterThan(0);
    // Empty queues are listed too, so a person sees every queue they may work.
    expect(all.some((q) => q.waiting === 0)).toBe(true);
    expect(all[0]).toEqual(
      expect.objectContaining({ queue: expect.any(String), name: expect.any(String), level: expect.any(Number), atRisk: 0 }),
    );

    const vsaa = (await get('vsaa', '/v1/queues').expect(200)).body as any[];
    expect(vsaa.length).toBeGreaterThan(0);
    expect(vsaa.every((q) => q.institution === 'VSAA')).toBe(true);
    expect(vsaa.reduce((n, q) => n + q.waiting, 0)).toBe(all.filter((q) => q.institution === 'VSAA').reduce((n, q) => n + q.waiting, 0));
    const vid = (await get('vid', '/v1/queues').expect(200)).body as any[];
    expect(vid.every((q) => q.institution === 'VID')).toBe(true);

    // A ticket that arrives is counted at once.
    const before = all.reduce((n, q) => n + q.waiting, 0);
    await env.submitTicket(app, { institution: 'VID', language: 'ru' });
    const after = (await get('anna', '/v1/queues').expect(200)).body as any[];
    expect(after.reduce((n, q) => n + q.waiting, 0)).toBe(before + 1);
    await request(app.getHttpServer()).get('/v1/queues').expect(401);
  });

  it('offers as assignees only the active working agents whose scope holds the ticket; an unseen ticket is 404', async () => {
    const reference = await env.submitTicket(app, { institution: 'VID', language: 'ru' });
    const names = (body: any[]) => body.map((a) => a.displayName);
    const offered = (await get('anna', `/v1/tickets/${reference}/assignees`).expect(200)).body as any[];
    expect(names(offered)).toEqual(expect.arrayContaining(['anna', 'vid', 'sup']));
    expect(names(offered)).not.toContain('vsaa');
    expect(names(offered)).not.toContain('adm');
    expect(offered.find((a) => a.displayName === 'vid')).toMatchObject({
      id: ids.vid,
      state: 'offline',
      load: 0,
      capacity: expect.any(Object),
    });

    // A specialist gives their institution's ticket to a colleague: the list is theirs to use as well.
    expect(names((await get('vid', `/v1/tickets/${reference}/assignees`).expect(200)).body)).toContain('anna');
    // Out of scope answers like missing.
    const refused = await get('vsaa', `/v1/tickets/${reference}/assignees`).expect(404);
    expect(refused.body.type).toMatch(/not-found/);
    await get('anna', '/v1/tickets/VP-2026-999999999/assignees').expect(404);
    // Every offered agent is accepted by the assignment itself.
    const vidAgent = offered.find((a) => a.displayName === 'vid');
    await request(app.getHttpServer())
      .post(`/v1/tickets/${reference}/assign`)
      .set('Authorization', `Bearer ${tokens.anna}`)
      .send({ agentId: vidAgent.id })
      .expect(200);
    const again = (await get('anna', `/v1/tickets/${reference}/assignees`).expect(200)).body as any[];
    expect(again.find((a) => a.displayName === 'vid').load).toBe(1);
  });

  it("lists a customer's tickets (within scope) for merging, and refuses a customer id that is not one at the field", async () => {
    const first = await env.submitTicket(app, { institution: 'VID', language: 'ru' });
    const second = await env.submitTicket(app, { institution: 'VSAA', language: 'ru' });
    const customer = (await get('anna', `/v1/tickets/${first}`).expect(200)).body.customer.id as string;
    // A web form's unverified personal code does not join records by itself: the operator links the second contact.
    await request(app.getHttpServer())
      .post(`/v1/tickets/${second}/customer`)
      .set('Authorization', `Bearer ${tokens.anna}`)
      .send({ customerId: customer })
      .expect(200);
    const listed = (await get('anna', `/v1/tickets?customer=${customer}&limit=100`).expect(200)).body.items as any[];
    expect(listed.map((t) => t.reference)).toEqual(expect.arrayContaining([first, second]));
    expect(listed.every((t) => t.customer.id === customer)).toBe(true);
    const vsaa = (await get('vsaa', `/v1/tickets?customer=${customer}&limit=100`).expect(200)).body.items as any[];
    expect(vsaa.map((t) => t.reference)).toContain(second);
    expect(vsaa.every((t) => t.institution === 'VSAA')).toBe(true);
    const bad = await get('anna', '/v1/tickets?customer=nobody').expect(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'customer' })]);
  });
});

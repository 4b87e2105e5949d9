import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { login, TestEnv } from './support/test-env';

describe('saved views of the inbox', () => {
  const env = new TestEnv();
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const call = (who: string, method: 'post' | 'patch' | 'get' | 'delete', url: string, body?: object) => {
    const req = request(app.getHttpServer())[method](url).set('Authorization', `Bearer ${tokens[who]}`);
    return body ? req.send(body) : req;
  };

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all' });
    const agents = app.get(AgentsService);
    const staff: Array<[string, any, string[]?]> = [
      ['anna', ['operator']],
      ['juris', ['operator']],
      ['sup', ['supervisor']],
      ['vsaa', ['specialist'], ['VSAA']],
      ['vid', ['specialist'], ['VID']],
    ];
    for (const [name, roles, institutionCodes] of staff) {
      ids[name] = await agents.upsert({
        email: `${name}@views.test`,
        displayName: name,
        password: 'a-long-enough-password',
        roles,
        institutionCodes,
      });
      tokens[name] = await login(app, `${name}@views.test`, 'a-long-enough-password');
    }
  });
  afterAll(() => env.teardown());

  it('saves a filter and sort, counts what it holds for whoever looks, and lists its tickets through the link', async () => {
    const vsaa = [await env.submitTicket(app, { institution: 'VSAA' }), await env.submitTicket(app, { institution: 'VSAA' })];
    await env.submitTicket(app, { institution: 'VID' });
    await call('anna', 'post', `/v1/tickets/${vsaa[0]}/claim`, {}).expect(200);

    const view = (
      await call('sup', 'post', '/v1/saved-views', {
        name: 'VSAA: vecākie vispirms',
        sharing: 'centre',
        filters: { institution: 'VSAA' },
        sort: 'created',
        order: 'oldest',
      }).expect(201)
    ).body;
    expect(view).toMatchObject({
      sharing: 'centre',
      filters: { institution: 'VSAA' },
      order: 'oldest',
      count: 2,
      countCapped: false,
      link: `/v1/saved-views/${view.id}/tickets`,
    });
    const page = await call('juris', 'get', view.link).expect(200);
    expect(page.body.items.map((t: any) => t.reference)).toEqual(vsaa);
    // The VID specialist opens the same link and sees none of VSAA's tickets.
    expect((await call('vid', 'get', `/v1/saved-views/${view.id}`).expect(200)).body.count).toBe(0);
    expect((await call('vid', 'get', view.link).expect(200)).body.items).toEqual([]);

    // 'me' is whoever opens it.
    const mine = (
      await call('anna', 'post', '/v1/saved-views', { name: 'Mani', filters: { assignee: 'me', institution: 'VSAA' } }).expect(201)
    ).body;
    expect(mine).toMatchObject({ sharing: 'personal', count: 1 });
    await call('juris', 'get', `/v1/saved-views/${mine.id}`).expect(404); // personal
    const shared = (
      await call('sup', 'post', '/v1/saved-views', {
        name: 'Mani VSAA',
        sharing: 'centre',
        filters: { assignee: 'me', institution: 'VSAA' },
      }).expect(201)
    ).body;
    expect((await call('anna', 'get', `/v1/saved-views/${shared.id}`).expect(200)).body.count).toBe(1);
    expect((await call('juris', 'get', `/v1/saved-views/${shared.id}`).expect(200)).body.count).toBe(0);

    const listed = await call('anna', 'get', '/v1/saved-views').expect(200);
    expect(listed.body.items.map((v: any) => v.id).sort()).toEqual([view.id, mine.id, shared.id].sort());
  });

  it("keeps a team's view to its institution, and checks filters as the inbox does", async () => {
    const team = (
      await call('vsaa', 'post', '/v1/saved-views', {
        name: 'VSAA komanda',
        sharing: 'institution',
        institution: 'VSAA',
        filters: { status: 'queued' },
        sort: 'sla_due',
      }).expect(201)
    ).body;
    await call('vid', 'get', `/v1/saved-views/${team.id}`).expect(404);
    await call('anna', 'get', `/v1/saved-views/${team.id}`).expect(200);
    await call('anna', 'patch', `/v1/saved-views/${team.id}`, { name: 'mans' }).expect(403);
    await call('vsaa', 'patch', `/v1/saved-views/${team.id}`, { filters: { status: 'assigned' } }).expect(200);
    expect(
      (await call('vid', 'post', '/v1/saved-views', { name: 'x', sharing: 'institution', institution: 'VSAA' }).expect(422)).body.errors[0],
    ).toMatchObject({ field: 'sharing', code: 'notAllowed' });

    const bad = await call('anna', 'post', '/v1/saved-views', {
      name: 'x',
      filters: { status: 'lost', level: 7 },
      sort: 'relevance',
    }).expect(422);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['filters.level', 'filters.status']);
    expect((await call('anna', 'post', '/v1/saved-views', { name: 'x', sort: 'relevance' }).expect(422)).body.errors[0]).toMatchObject({
      field: 'sort',
      code: 'needsQuery',
    });
    await call('vsaa', 'delete', `/v1/saved-views/${team.id}`).expect(204);
    await call('anna', 'get', `/v1/saved-views/${team.id}`).expect(404);
  });
});

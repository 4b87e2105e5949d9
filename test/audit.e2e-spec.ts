import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { login, TestEnv } from './support/test-env';

describe('the audit trail: readable by the DPO, append-only in PostgreSQL', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let dpo: string;
  let dpoId: string;
  let supervisor: string;
  let references: string[];
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all' });
    const agents = app.get(AgentsService);
    const password = 'a long enough passphrase';
    await agents.upsert({ email: 'dpo@audit.test', displayName: 'DPO', password, roles: ['dpo'] });
    await agents.upsert({ email: 'sup@audit.test', displayName: 'Sup', password, roles: ['supervisor'] });
    dpo = await login(app, 'dpo@audit.test', password);
    supervisor = await login(app, 'sup@audit.test', password);
    [{ id: dpoId }] = await env.sql(`SELECT id FROM agents WHERE email = 'dpo@audit.test'`);
    references = [await env.submitTicket(app), await env.submitTicket(app), await env.submitTicket(app)];
    for (const ref of references)
      await http()
        .put(`/v1/tickets/${ref}/legal-hold`)
        .set('Authorization', `Bearer ${dpo}`)
        .send({ reason: `hold ${ref}` })
        .expect(200);
    await http().delete(`/v1/tickets/${references[0]}/legal-hold`).set('Authorization', `Bearer ${supervisor}`).expect(204);
  });
  afterAll(() => env.teardown());

  const list = (query: string) => http().get(`/v1/audit${query}`).set('Authorization', `Bearer ${dpo}`);

  it('filters by ticket, actor, action (or prefix) and time, newest first', async () => {
    const byTicket = (await list(`?ticket=${references[0]}`).expect(200)).body.items;
    expect(byTicket.map((e: any) => e.action).slice(0, 2)).toEqual(['ticket.legal_hold_released', 'ticket.legal_hold_set']);
    expect(byTicket.every((e: any) => e.subjectType === 'ticket' || e.detail.reference === references[0])).toBe(true);

    const byActor = (await list(`?actor=${dpoId}&action=ticket.legal_hold_set`).expect(200)).body.items;
    expect(byActor.map((e: any) => e.detail.reference)).toEqual([...references].reverse());
    expect(byActor[0]).toMatchObject({ actor: dpoId, actorEmail: 'dpo@audit.test', subjectType: 'ticket' });

    const byPrefix = (await list('?action=ticket.legal_hold*').expect(200)).body.items;
    expect(byPrefix).toHaveLength(4);

    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await list(`?from=${future}`).expect(200)).body.items).toEqual([]);
    expect((await list(`?to=${future}&action=ticket.legal_hold*`).expect(200)).body.items).toHaveLength(4);
  });

  it('finds the events about a person through their tickets', async () => {
    const [{ customer_id: person }] = await env.sql(`SELECT customer_id FROM tickets WHERE reference = $1`, [references[1]]);
    const items = (await list(`?person=${person}&action=ticket.legal_hold_set`).expect(200)).body.items;
    expect(items.map((e: any) => e.detail.reference)).toContain(references[1]);
  });

  it('pages with a cursor without skipping or repeating, and refuses a cursor it did not give', async () => {
    const all = (await list('?action=ticket.legal_hold*&limit=100').expect(200)).body.items.map((e: any) => e.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = (await list(`?action=ticket.legal_hold*&limit=1${cursor ? `&cursor=${cursor}` : ''}`).expect(200)).body;
      seen.push(...page.items.map((e: any) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
    expect((await list('?cursor=bm9wZQ').expect(422)).body.errors[0].field).toBe('cursor');
    expect((await list('?from=yesterday').expect(422)).body.errors[0].field).toBe('from');
  });

  it('exports CSV, and records each reading of the trail once', async () => {
    const res = await list('?action=ticket.legal_hold*&format=csv').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.text.trim().split('\r\n');
    expect(lines[0]).toBe('at,actor,actorEmail,action,subjectType,subjectId,ip,requestId,detail,id');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toContain(',sup@audit.test,ticket.legal_hold_released,ticket,');
    const reads = await env.sql(
      `SELECT detail FROM audit_events WHERE action = 'audit.read' AND actor_agent_id = $1 AND detail->>'csv' = 'true'`,
      [dpoId],
    );
    expect(reads.map((r) => r.detail)).toEqual([{ filters: { action: 'ticket.legal_hold*', format: 'csv' }, rows: 4, csv: true }]);
  });

  it('is for the DPO and admins only', async () => {
    await http().get('/v1/audit').set('Authorization', `Bearer ${supervisor}`).expect(403);
  });

  it('PostgreSQL refuses UPDATE, DELETE and TRUNCATE of audit events, and lets an erasure change only the detail', async () => {
    await expect(env.sql(`UPDATE audit_events SET action = 'x'`)).rejects.toThrow(/append-only/);
    await expect(env.sql(`DELETE FROM audit_events`)).rejects.toThrow(/append-only/);
    await expect(env.sql(`TRUNCATE audit_events`)).rejects.toThrow(/append-only/);
    await expect(
      env.sql(`BEGIN; SET LOCAL vpppd.audit_redaction = 'on'; UPDATE audit_events SET actor_agent_id = NULL; COMMIT`),
    ).rejects.toThrow(/append-only/);
    const before = (await env.sql(`SELECT count(*)::int AS n FROM audit_events`))[0].n;
    await env.sql(
      `BEGIN; SET LOCAL vpppd.audit_redaction = 'on'; UPDATE audit_events SET detail = '{}' WHERE action = 'ticket.legal_hold_released'; COMMIT`,
    );
    expect((await env.sql(`SELECT detail FROM audit_events WHERE action = 'ticket.legal_hold_released'`))[0].detail).toEqual({});
    expect((await env.sql(`SELECT count(*)::int AS n FROM audit_events`))[0].n).toBe(before);
    // The setting lasts only for its transaction.
    await expect(env.sql(`UPDATE audit_events SET detail = '{}'`)).rejects.toThrow(/append-only/);
  });
});

import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { login, TestEnv } from './support/test-env';

describe('business calendar: holidays by law plus adjustments kept as data', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let admin: string;
  let operator: string;
  const get = (url: string, token: string) => request(app.getHttpServer()).get(url).set('Authorization', `Bearer ${token}`);

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'api' });
    admin = await login(app);
    await app.get(AgentsService).upsert({ email: 'op@vpppd.test', displayName: 'Op', password: 'a-long-enough-password', roles: ['operator'] });
    operator = await login(app, 'op@vpppd.test', 'a-long-enough-password');
  });
  afterAll(() => env.teardown());

  it("lists 2026's days off: the law's holidays and the seeded Cabinet transfers", async () => {
    const res = await get('/v1/calendar/holidays?year=2026', operator).expect(200);
    expect(res.body.holidays.map((h: any) => h.date)).toEqual([
      '2026-01-01', '2026-04-03', '2026-04-05', '2026-04-06', '2026-05-01', '2026-05-04', '2026-05-24',
      '2026-06-23', '2026-06-24', '2026-11-18', '2026-12-24', '2026-12-25', '2026-12-26', '2026-12-31',
    ]);
    expect(res.body.transferredDaysOff.map((t: any) => [t.date, t.workedOn])).toEqual([
      ['2026-01-02', '2026-01-17'],
      ['2026-06-22', '2026-06-27'],
    ]);
    expect(res.body.workedSaturdays.map((t: any) => t.date)).toEqual(['2026-01-17', '2026-06-27']);
  });

  it('answers the 10-working-day deadline across holidays', async () => {
    // Wednesday 16 Dec 2026 + 10 working days: 17, 18, 21, 22, 23, 28, 29, 30 Dec, 4 and 5 Jan (24-26 and
    // 31 Dec, 1 Jan and the weekends are off).
    const res = await get('/v1/calendar/working-days?from=2026-12-16&add=10', operator).expect(200);
    expect(res.body.date).toBe('2027-01-05');
    // Friday 16 Jan 2026 + 1: Saturday 17 Jan is worked instead of 2 Jan.
    expect((await get('/v1/calendar/working-days?from=2026-01-16&add=1', operator).expect(200)).body.date).toBe('2026-01-17');
    await get('/v1/calendar/working-days?from=2026-13-01&add=10', operator).expect(422);
  });

  it('lets an admin record a one-off holiday, which takes effect at once, and nobody else', async () => {
    await request(app.getHttpServer()).post('/v1/admin/calendar/adjustments').set('Authorization', `Bearer ${operator}`).send({ kind: 'holiday', date: '2027-05-28' }).expect(403);
    const created = await request(app.getHttpServer())
      .post('/v1/admin/calendar/adjustments')
      .set('Authorization', `Bearer ${admin}`)
      .send({ kind: 'holiday', date: '2027-05-28', name: 'Vienreizēja svētku diena' })
      .expect(201);
    const res = await get('/v1/calendar/holidays?year=2027', operator).expect(200);
    expect(res.body.holidays).toEqual(expect.arrayContaining([expect.objectContaining({ date: '2027-05-28', kind: 'extra' })]));
    await request(app.getHttpServer()).post('/v1/admin/calendar/adjustments').set('Authorization', `Bearer ${admin}`).send({ kind: 'holiday', date: '2027-05-28' }).expect(409);
    const bad = await request(app.getHttpServer()).post('/v1/admin/calendar/adjustments').set('Authorization', `Bearer ${admin}`).send({ kind: 'transfer', date: '2027-02-30' }).expect(422);
    expect(bad.body.errors.map((e: any) => e.field)).toContain('date');
    await request(app.getHttpServer()).delete(`/v1/admin/calendar/adjustments/${created.body.id}`).set('Authorization', `Bearer ${admin}`).expect(204);
    const after = await get('/v1/calendar/holidays?year=2027', operator).expect(200);
    expect(after.body.holidays.map((h: any) => h.date)).not.toContain('2027-05-28');
  });
});

import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { CalendarService } from '../src/calendar/calendar.service';
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
    await app
      .get(AgentsService)
      .upsert({ email: 'op@vpppd.test', displayName: 'Op', password: 'a-long-enough-password', roles: ['operator'] });
    operator = await login(app, 'op@vpppd.test', 'a-long-enough-password');
  });
  afterAll(() => env.teardown());

  it("lists 2026's days off: the law's holidays and the seeded Cabinet transfers", async () => {
    const res = await get('/v1/calendar/holidays?year=2026', operator).expect(200);
    expect(res.body.holidays.map((h: any) => h.date)).toEqual([
      '2026-01-01',
      '2026-04-03',
      '2026-04-05',
      '2026-04-06',
      '2026-05-01',
      '2026-05-04',
      '2026-05-24',
      '2026-06-23',
      '2026-06-24',
      '2026-11-18',
      '2026-12-24',
      '2026-12-25',
      '2026-12-26',
      '2026-12-31',
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
    await request(app.getHttpServer())
      .post('/v1/admin/calendar/adjustments')
      .set('Authorization', `Bearer ${operator}`)
      .send({ kind: 'holiday', date: '2027-05-28' })
      .expect(403);
    const created = await request(app.getHttpServer())
      .post('/v1/admin/calendar/adjustments')
      .set('Authorization', `Bearer ${admin}`)
      .send({ kind: 'holiday', date: '2027-05-28', name: 'Vienreizēja svētku diena' })
      .expect(201);
    const res = await get('/v1/calendar/holidays?year=2027', operator).expect(200);
    expect(res.body.holidays).toEqual(expect.arrayContaining([expect.objectContaining({ date: '2027-05-28', kind: 'extra' })]));
    await request(app.getHttpServer())
      .post('/v1/admin/calendar/adjustments')
      .set('Authorization', `Bearer ${admin}`)
      .send({ kind: 'holiday', date: '2027-05-28' })
      .expect(409);
    const bad = await request(app.getHttpServer())
      .post('/v1/admin/calendar/adjustments')
      .set('Authorization', `Bearer ${admin}`)
      .send({ kind: 'transfer', date: '2027-02-30' })
      .expect(422);
    expect(bad.body.errors.map((e: any) => e.field)).toContain('date');
    await request(app.getHttpServer())
      .delete(`/v1/admin/calendar/adjustments/${created.body.id}`)
      .set('Authorization', `Bearer ${admin}`)
      .expect(204);
    const after = await get('/v1/calendar/holidays?year=2027', operator).expect(200);
    expect(after.body.holidays.map((h: any) => h.date)).not.toContain('2027-05-28');
  });

  describe("a centre's hours", () => {
    const put = (url: string, token: string, body: object) =>
      request(app.getHttpServer()).put(url).set('Authorization', `Bearer ${token}`).send(body);
    const WEEK = {
      mon: [['09:00', '18:00']],
      tue: [['09:00', '18:00']],
      wed: [['09:00', '18:00']],
      thu: [['09:00', '18:00']],
      fri: [['09:00', '16:00']],
      sat: [['10:00', '14:00']],
      sun: [],
    };

    it('creates a VPVKAC centre with its week and special dates, audited, and its calendar uses them', async () => {
      await put('/v1/admin/calendar/hours/vpvkac-tukums', operator, { hours: WEEK }).expect(403);
      const created = await put('/v1/admin/calendar/hours/vpvkac-tukums', admin, {
        hours: WEEK,
        specialHours: { '2026-11-18': [['10:00', '14:00']], '2026-11-20': [] },
      }).expect(200);
      expect(created.body).toMatchObject({
        centre: 'VPVKAC-TUKUMS',
        hours: WEEK,
        specialHours: { '2026-11-18': [['10:00', '14:00']], '2026-11-20': [] },
      });
      // Beside the seeded centres; hours for a new code put the centre on the list agents and contacts name.
      expect((await get('/v1/admin/calendar/hours', admin).expect(200)).body.map((c: any) => c.centre)).toEqual([
        'VPPPD',
        'VPVKAC-CESIS',
        'VPVKAC-KULDIGA',
        'VPVKAC-SIGULDA',
        'VPVKAC-TALSI',
        'VPVKAC-TUKUMS',
      ]);
      expect((await get('/v1/calendar/centres', operator).expect(200)).body).toContainEqual({
        code: 'VPVKAC-TUKUMS',
        name: 'VPVKAC-TUKUMS',
        kind: 'vpvkac',
        town: null,
      });

      const calendar = await app.get(CalendarService).calendar('VPVKAC-TUKUMS');
      expect(calendar.isOpen(new Date('2026-11-18T09:00:00Z'))).toBe(true); // a holiday, opened for the day
      expect(calendar.isOpen(new Date('2026-11-20T09:00:00Z'))).toBe(false); // a Friday, shut for the day
      expect(calendar.isOpen(new Date('2026-11-21T09:00:00Z'))).toBe(true); // the centre's own Saturday hours
      const [audit] = await env.sql(
        `SELECT action, subject_id FROM audit_events WHERE subject_type = 'centre' ORDER BY created_at DESC LIMIT 1`,
      );
      expect(audit).toEqual({ action: 'calendar.hours_set', subject_id: 'VPVKAC-TUKUMS' });
    });

    it('sets and removes the hours of one date, leaving the rest as it was', async () => {
      const set = await put('/v1/admin/calendar/hours/VPVKAC-TUKUMS/special/2026-12-24', admin, { hours: [['09:00', '12:00']] }).expect(
        200,
      );
      expect(Object.keys(set.body.specialHours)).toEqual(['2026-11-18', '2026-11-20', '2026-12-24']);
      expect(set.body.hours).toEqual(WEEK);
      await request(app.getHttpServer())
        .delete('/v1/admin/calendar/hours/VPVKAC-TUKUMS/special/2026-12-24')
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
      await request(app.getHttpServer())
        .delete('/v1/admin/calendar/hours/VPVKAC-TUKUMS/special/2026-12-24')
        .set('Authorization', `Bearer ${admin}`)
        .expect(404);
      expect(Object.keys((await get('/v1/admin/calendar/hours/vpvkac-tukums', admin).expect(200)).body.specialHours)).toEqual([
        '2026-11-18',
        '2026-11-20',
      ]);
      await get('/v1/admin/calendar/hours/NOWHERE', admin).expect(404);
      await put('/v1/admin/calendar/hours/NOWHERE/special/2026-12-24', admin, { hours: [] }).expect(404);

      // Two admins setting different dates at the same moment both keep their change.
      const dates = ['2027-01-02', '2027-01-03', '2027-01-04', '2027-01-05', '2027-01-06'];
      await Promise.all(
        dates.map((d) => put(`/v1/admin/calendar/hours/VPVKAC-TUKUMS/special/${d}`, admin, { hours: [['10:00', '12:00']] }).expect(200)),
      );
      const all = (await get('/v1/admin/calendar/hours/VPVKAC-TUKUMS', admin).expect(200)).body.specialHours;
      expect(Object.keys(all)).toEqual(expect.arrayContaining(dates));
      for (const d of dates)
        await request(app.getHttpServer())
          .delete(`/v1/admin/calendar/hours/VPVKAC-TUKUMS/special/${d}`)
          .set('Authorization', `Bearer ${admin}`)
          .expect(200);
    });

    it('names every mistake with its field and stores nothing', async () => {
      const bad = await put('/v1/admin/calendar/hours/VPVKAC-TUKUMS', admin, {
        hours: { ...WEEK, mon: [['18:00', '09:00']], tue: 'always', sun: undefined, holidays: [] },
        specialHours: { '2026-02-30': [], '2026-03-01': [['08:00', '25:00']] },
      }).expect(422);
      expect((bad.body.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual([
        'hours.holidays',
        'hours.mon',
        'hours.sun',
        'hours.tue',
      ]);
      const badDates = await put('/v1/admin/calendar/hours/VPVKAC-TUKUMS', admin, {
        hours: WEEK,
        specialHours: { '2026-02-30': [], '2026-03-01': [['08:00', '25:00']] },
      }).expect(422);
      expect((badDates.body.errors as Array<{ field: string }>).map((e) => e.field)).toEqual([
        'specialHours.2026-02-30',
        'specialHours.2026-03-01',
      ]);
      const badDay = await put('/v1/admin/calendar/hours/VPVKAC-TUKUMS/special/someday', admin, { hours: [] }).expect(422);
      expect(badDay.body.errors[0].field).toBe('date');
      await put('/v1/admin/calendar/hours/x/special/2026-12-24', admin, { hours: [] }).expect(422);
      expect((await get('/v1/admin/calendar/hours/VPVKAC-TUKUMS', admin).expect(200)).body.hours).toEqual(WEEK);
    });
  });
});

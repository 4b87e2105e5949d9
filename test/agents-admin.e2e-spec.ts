import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { login, TestEnv } from './support/test-env';

describe('staff accounts for admins', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let admin: string;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'api' });
    admin = await login(app);
  });
  afterAll(() => env.teardown());

  it('creates a specialist with institutions, languages, skills and capacity, and never shows a password', async () => {
    const created = await http()
      .post('/v1/admin/agents')
      .set('Authorization', `Bearer ${admin}`)
      .send({
        email: 'Liga.Kalna@VID.test',
        displayName: 'Līga Kalna',
        password: 'ļoti garš parole teikums',
        roles: ['specialist'],
        institutions: ['vid'],
        languages: ['lv', 'ru'],
        skills: ['nodokļi'],
        capacity: { email: 8, chat: 2 },
      })
      .expect(201);
    expect(created.body).toMatchObject({
      email: 'liga.kalna@vid.test',
      roles: ['specialist'],
      institutions: ['VID'],
      languages: ['lv', 'ru'],
      skills: ['nodokļi'],
      capacity: { email: 8, chat: 2 },
      active: true,
    });
    expect(JSON.stringify(created.body)).not.toMatch(/password|scrypt/i);
    const token = await login(app, 'liga.kalna@vid.test', 'ļoti garš parole teikums');
    await http().get('/v1/tickets').set('Authorization', `Bearer ${token}`).expect(200);

    await http()
      .post('/v1/admin/agents')
      .set('Authorization', `Bearer ${admin}`)
      .send({ email: 'liga.kalna@vid.test', displayName: 'x', password: 'ļoti garš parole teikums', roles: ['operator'] })
      .expect(409);
    const list = await http().get('/v1/admin/agents').set('Authorization', `Bearer ${admin}`).expect(200);
    expect(list.body.map((a: any) => a.email)).toContain('liga.kalna@vid.test');
    expect(JSON.stringify(list.body)).not.toMatch(/password_hash|scrypt\$/);

    // Disabling the account ends its session at once.
    await http().patch(`/v1/admin/agents/${created.body.id}`).set('Authorization', `Bearer ${admin}`).send({ active: false }).expect(200);
    await http().get('/v1/tickets').set('Authorization', `Bearer ${token}`).expect(401);
  });

  it('refuses bad accounts with field errors', async () => {
    const res = await http()
      .post('/v1/admin/agents')
      .set('Authorization', `Bearer ${admin}`)
      .send({ email: 'not-an-email', displayName: '', password: 'short', roles: ['boss'], institutions: ['NOPE!'], capacity: { chat: -1 } })
      .expect(422);
    expect(res.body.errors.map((e: any) => e.field).sort()).toEqual(
      expect.arrayContaining(['displayName', 'email', 'institutions', 'roles']),
    );
    const policy = await http()
      .post('/v1/admin/agents')
      .set('Authorization', `Bearer ${admin}`)
      .send({ email: 'weak@vpppd.test', displayName: 'W', password: 'short', roles: ['operator'], capacity: { chat: -1 } })
      .expect(422);
    expect(policy.body.errors.map((e: any) => e.field).sort()).toEqual(['capacity', 'password']);
    const unknown = await http()
      .post('/v1/admin/agents')
      .set('Authorization', `Bearer ${admin}`)
      .send({
        email: 'x@vpppd.test',
        displayName: 'X',
        password: 'ļoti garš parole teikums',
        roles: ['specialist'],
        institutions: ['NOPE'],
      })
      .expect(422);
    expect(unknown.body.errors[0]).toMatchObject({ field: 'institutions', code: 'unknown' });
    expect(await env.sql(`SELECT 1 FROM agents WHERE email = 'x@vpppd.test'`)).toHaveLength(0);
  });
});

import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { eventually, login, TestEnv } from './support/test-env';
import { VALID_PERSONAL_CODE } from './support/factories';

describe('contacts logged at a VPVKAC counter or on a direct line', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let operator: string;
  let vidSpecialist: string;
  const post = (token: string, body: object, key?: string) => {
    const req = request(app.getHttpServer()).post('/v1/contacts').set('Authorization', `Bearer ${token}`);
    return (key ? req.set('Idempotency-Key', key) : req).send(body);
  };
  const contact = (over: object = {}) => ({
    channel: 'counter',
    institution: 'VSAA',
    kind: 'application',
    subject: 'Iesniegums vecuma pensijai',
    text: 'Palīdzēju aizpildīt iesniegumu portālā Latvija.lv.',
    customer: { firstName: 'Jānis', lastName: 'Bērziņš', personalCode: VALID_PERSONAL_CODE },
    location: 'VPVKAC Rīga',
    ...over,
  });

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all' });
    const agents = app.get(AgentsService);
    await agents.upsert({ email: 'op@vpppd.test', displayName: 'Operatore', password: 'a-long-enough-password', roles: ['operator'] });
    await agents.upsert({
      email: 'vid@vid.test',
      displayName: 'VID',
      password: 'a-long-enough-password',
      roles: ['specialist'],
      institutionCodes: ['VID'],
    });
    operator = await login(app, 'op@vpppd.test', 'a-long-enough-password');
    vidSpecialist = await login(app, 'vid@vid.test', 'a-long-enough-password');
  });
  afterAll(() => env.teardown());

  it('becomes a resolved ticket of channel counter, in the same queue and figures as every other contact', async () => {
    const res = await post(operator, contact()).expect(202);
    const [ticket] = await eventually(async () => {
      const rows = await env.sql(
        `SELECT t.*, i.code AS institution, q.code AS queue FROM tickets t
         LEFT JOIN institutions i ON i.id = t.institution_id LEFT JOIN queues q ON q.id = t.queue_id WHERE t.reference = $1`,
        [res.body.reference],
      );
      return rows.length ? rows : null;
    });
    expect(ticket).toMatchObject({ channel: 'counter', institution: 'VSAA', queue: 'VSAA', kind: 'application', status: 'resolved' });
    expect(ticket.resolved_at).not.toBeNull();
    const [message] = await env.sql('SELECT author_type, author_agent_id, meta FROM messages WHERE ticket_id = $1', [ticket.id]);
    const [op] = await env.sql(`SELECT id FROM agents WHERE email = 'op@vpppd.test'`);
    expect(message).toMatchObject({ author_type: 'agent', author_agent_id: op.id, meta: { location: 'VPVKAC Rīga' } });
  });

  it('an unresolved phone contact waits in its queue; the same Idempotency-Key gives the same ticket', async () => {
    const first = await post(operator, contact({ channel: 'phone', resolved: false, institution: 'VID' }), 'call-42').expect(202);
    const again = await post(operator, contact({ channel: 'phone', resolved: false, institution: 'VID' }), 'call-42').expect(202);
    expect(again.body.reference).toBe(first.body.reference);
    const [t] = await eventually(async () => {
      const rows = await env.sql('SELECT status, channel FROM tickets WHERE reference = $1', [first.body.reference]);
      return rows.length ? rows : null;
    });
    expect(t).toEqual({ status: 'queued', channel: 'phone' });
  });

  it('keeps specialists to their own institution and refuses bad input with field errors', async () => {
    await post(vidSpecialist, contact({ institution: 'VID' })).expect(202);
    const other = await post(vidSpecialist, contact({ institution: 'VSAA' })).expect(422);
    expect(other.body.errors).toEqual([expect.objectContaining({ field: 'institution', code: 'outOfScope' })]);
    const bad = await post(operator, contact({ channel: 'fax', kind: 'gossip', customer: { personalCode: '121282-11211' } })).expect(422);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['channel', 'customer.personalCode', 'kind']);
    const future = await post(operator, contact({ occurredAt: new Date(Date.now() + 3600_000).toISOString() })).expect(422);
    expect(future.body.errors[0].field).toBe('occurredAt');
    await request(app.getHttpServer()).post('/v1/contacts').send(contact()).expect(401);
  });
});

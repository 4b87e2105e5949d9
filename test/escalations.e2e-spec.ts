import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { login, TestEnv } from './support/test-env';

describe('support levels: escalation L1→L2→L3 and hand-back, explicit, scoped and on record', () => {
  const env = new TestEnv();
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const move = (who: string, reference: string, body: object) =>
    request(app.getHttpServer()).post(`/v1/tickets/${reference}/escalations`).set('Authorization', `Bearer ${tokens[who]}`).send(body);
  const ticket = (who: string, reference: string) => request(app.getHttpServer()).get(`/v1/tickets/${reference}`).set('Authorization', `Bearer ${tokens[who]}`);

  // Without an institution, a text about nothing in particular: level 0 cannot classify it, so it stays in the general queue.
  const newTicket = (institution?: string) =>
    env.submitTicket(app, institution ? { institution } : { institution: undefined, subject: 'Sveiki', message: 'Labdien! Paldies, lai jums jauka diena.' });

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all' });
    const agents = app.get(AgentsService);
    const password = 'a-long-enough-password';
    const staff: Array<[string, any, string[]?]> = [
      ['operator', ['operator']],
      ['vid', ['specialist'], ['VID']],
      ['vidExpert', ['expert'], ['VID']],
      ['vsaa', ['specialist'], ['VSAA']],
    ];
    for (const [name, roles, institutionCodes] of staff) {
      await agents.upsert({ email: `${name}@staff.test`, displayName: name, password, roles, institutionCodes });
      tokens[name] = await login(app, `${name}@staff.test`, password);
    }
  });
  afterAll(() => env.teardown());

  it('goes up to the institution and back down, with every step in the history and the audit trail', async () => {
    const reference = await newTicket('VID');
    const up = await move('operator', reference, { toLevel: 2, reason: 'Vajadzīgi VID dati', summary: 'Klients jautā par pārmaksu' }).expect(201);
    expect(up.body).toMatchObject({ fromLevel: 1, toLevel: 2, fromQueue: 'VID', toQueue: 'VID-L2', institution: 'VID', reason: 'escalated' });

    // Level 2 sees it; another institution's specialist does not.
    await ticket('vid', reference).expect(200);
    await ticket('vsaa', reference).expect(404);
    await move('vsaa', reference, { toLevel: 3, reason: 'x' }).expect(404);

    await move('vid', reference, { toLevel: 3, reason: 'Sarežģīts gadījums' }).expect(201);
    const back = await move('vidExpert', reference, { toLevel: 1, reason: 'Atbilde sagatavota', summary: 'Pārmaksa tiks atmaksāta 30 dienu laikā.' }).expect(201);
    expect(back.body).toMatchObject({ fromLevel: 3, toLevel: 1, toQueue: 'VID', reason: 'handed_back' });

    const detail = await ticket('operator', reference).expect(200);
    expect(detail.body).toMatchObject({ level: 1, queue: 'VID', status: 'queued' });
    expect(detail.body.escalations.map((e: any) => [e.fromLevel, e.toLevel, e.toQueue, e.reason])).toEqual([
      [0, 1, 'VID', 'routed'],
      [1, 2, 'VID-L2', 'escalated'],
      [2, 3, 'VID-L3', 'escalated'],
      [3, 1, 'VID', 'handed_back'],
    ]);
    expect(detail.body.escalations[3]).toMatchObject({ comment: 'Atbilde sagatavota', summary: 'Pārmaksa tiks atmaksāta 30 dienu laikā.' });
    const audit = await env.sql(`SELECT action FROM audit_events WHERE subject_type = 'ticket' ORDER BY created_at`);
    expect(audit.map((a) => a.action)).toEqual(['ticket.escalated', 'ticket.escalated', 'ticket.handed_back']);
  });

  it('refuses moves that make no sense or leave the mover\'s scope, with field errors', async () => {
    const general = await newTicket(undefined);
    const noInstitution = await move('operator', general, { toLevel: 2, reason: 'x' }).expect(422);
    expect(noInstitution.body.errors[0]).toMatchObject({ field: 'institution', code: 'required' });
    const referral = await move('operator', general, { toLevel: 2, institution: 'VP', reason: 'x' }).expect(422);
    expect(referral.body.errors[0]).toMatchObject({ field: 'institution', code: 'referralOnly' });
    await move('operator', general, { toLevel: 1, reason: 'x' }).expect(422); // already there
    await move('operator', general, { toLevel: 4, reason: 'x' }).expect(422);

    const vid = await newTicket('VID');
    await move('operator', vid, { toLevel: 2, reason: 'x' }).expect(201);
    const handBackWithoutAnswer = await move('vid', vid, { toLevel: 1, reason: 'x' }).expect(422);
    expect(handBackWithoutAnswer.body.errors[0]).toMatchObject({ field: 'summary', code: 'required' });
    const elsewhere = await move('vid', vid, { toLevel: 2, institution: 'VSAA', reason: 'Nav mūsu' }).expect(422);
    expect(elsewhere.body.errors[0]).toMatchObject({ field: 'institution', code: 'outOfScope' });
    // Sending it back to the centre, which routes it on, is always open to a specialist.
    await move('vid', vid, { toLevel: 1, institution: 'VSAA', reason: 'Nav mūsu', summary: 'Jautājums par VSAA pabalstu' }).expect(201);
    await ticket('vid', vid).expect(404);
    await request(app.getHttpServer()).post(`/v1/tickets/${vid}/escalations`).send({ toLevel: 2, reason: 'x' }).expect(401);
  });
});

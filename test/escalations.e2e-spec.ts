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
  const ticket = (who: string, reference: string) =>
    request(app.getHttpServer()).get(`/v1/tickets/${reference}`).set('Authorization', `Bearer ${tokens[who]}`);

  // Without an institution, a text about nothing in particular: level 0 cannot classify it, so it stays in the general queue.
  const newTicket = (institution?: string) =>
    env.submitTicket(
      app,
      institution ? { institution } : { institution: undefined, subject: 'Sveiki', message: 'Labdien! Paldies, lai jums jauka diena.' },
    );

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
    const up = await move('operator', reference, {
      toLevel: 2,
      reason: 'Vajadzīgi VID dati',
      summary: 'Klients jautā par pārmaksu',
    }).expect(201);
    expect(up.body).toMatchObject({
      fromLevel: 1,
      toLevel: 2,
      fromQueue: 'VID',
      toQueue: 'VID-L2',
      institution: 'VID',
      reason: 'escalated',
    });

    // Level 2 sees it; another institution's specialist does not.
    await ticket('vid', reference).expect(200);
    await ticket('vsaa', reference).expect(404);
    await move('vsaa', reference, { toLevel: 3, reason: 'x' }).expect(404);

    await move('vid', reference, { toLevel: 3, reason: 'Sarežģīts gadījums' }).expect(201);
    const back = await move('vidExpert', reference, {
      toLevel: 1,
      reason: 'Atbilde sagatavota',
      summary: 'Pārmaksa tiks atmaksāta 30 dienu laikā.',
    }).expect(201);
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

  it("refuses moves that make no sense or leave the mover's scope, with field errors", async () => {
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
    // Sending it back to the centre is always open to a specialist; the centre, not the specialist, routes it on.
    const handedElsewhere = await move('vid', vid, {
      toLevel: 1,
      institution: 'VSAA',
      reason: 'Nav mūsu',
      summary: 'Jautājums par VSAA pabalstu',
    }).expect(422);
    expect(handedElsewhere.body.errors[0]).toMatchObject({ field: 'institution', code: 'handBackKeepsInstitution' });
    const back = await move('vid', vid, { toLevel: 1, reason: 'Nav mūsu', summary: 'Jautājums par VSAA pabalstu' }).expect(201);
    expect(back.body).toMatchObject({ toLevel: 1, toQueue: 'VID', institution: 'VID', reason: 'handed_back' });
    const routedOn = await move('operator', vid, { toLevel: 1, institution: 'VSAA', reason: 'VSAA jautājums' }).expect(201);
    expect(routedOn.body).toMatchObject({ toQueue: 'VSAA', institution: 'VSAA', reason: 'transferred' });
    await ticket('vid', vid).expect(404);
    await request(app.getHttpServer()).post(`/v1/tickets/${vid}/escalations`).send({ toLevel: 2, reason: 'x' }).expect(401);
  });

  it('never lets a specialist move a ticket into another institution, by institution or by queue, at any level', async () => {
    const where = async (reference: string) =>
      (
        await env.sql(
          `SELECT t.level, q.code AS queue, i.code AS institution FROM tickets t JOIN queues q ON q.id = t.queue_id JOIN institutions i ON i.id = t.institution_id WHERE t.reference = $1`,
          [reference],
        )
      )[0];

    // Level 1, sideways: the review's repro (a VSAA complaint into VID's level-1 queue).
    const atOne = await newTicket('VSAA');
    for (const [body, field] of [
      [{ toLevel: 1, institution: 'VID' }, 'institution'],
      [{ toLevel: 1, queue: 'VID' }, 'queue'],
    ] as const) {
      const res = await move('vsaa', atOne, { ...body, reason: 'Nav mūsu' }).expect(422);
      expect([body, res.body.errors[0]]).toEqual([body, expect.objectContaining({ field, code: 'outOfScope' })]);
    }
    // Upwards and sideways at level 2.
    await move('operator', atOne, { toLevel: 2, reason: 'VSAA dati' }).expect(201);
    for (const [body, field] of [
      [{ toLevel: 2, institution: 'VID' }, 'institution'],
      [{ toLevel: 2, queue: 'VID-L2' }, 'queue'],
      [{ toLevel: 3, queue: 'VID-L3' }, 'queue'],
    ] as const) {
      const res = await move('vsaa', atOne, { ...body, reason: 'Nav mūsu' }).expect(422);
      expect([body, res.body.errors[0]]).toEqual([body, expect.objectContaining({ field, code: 'outOfScope' })]);
    }
    // Down: a hand-back keeps the institution, whichever way another one is named.
    for (const [body, field] of [
      [{ toLevel: 1, institution: 'VID' }, 'institution'],
      [{ toLevel: 1, queue: 'VID' }, 'queue'],
    ] as const) {
      const res = await move('vsaa', atOne, { ...body, reason: 'Nav mūsu', summary: 'Atbilde' }).expect(422);
      expect([body, res.body.errors[0]]).toEqual([body, expect.objectContaining({ field, code: 'handBackKeepsInstitution' })]);
    }
    expect(await where(atOne)).toEqual({ level: 2, queue: 'VSAA-L2', institution: 'VSAA' });
    await ticket('vid', atOne).expect(404);

    // Within their own institution everything stays open, and the hand-back lands in its level-1 queue.
    await move('vsaa', atOne, { toLevel: 3, queue: 'VSAA-L3', reason: 'Sarežģīts' }).expect(201);
    await move('vsaa', atOne, { toLevel: 1, reason: 'Atbildēts', summary: 'Atbilde' }).expect(201);
    expect(await where(atOne)).toEqual({ level: 1, queue: 'VSAA', institution: 'VSAA' });
  });
});

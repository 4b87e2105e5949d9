import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { login, TestEnv } from './support/test-env';

describe('custom fields per institution', () => {
  const env = new TestEnv();
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const call = (who: string, method: 'post' | 'patch' | 'get' | 'put' | 'delete', url: string, body?: object) => {
    const req = request(app.getHttpServer())[method](url).set('Authorization', `Bearer ${tokens[who]}`);
    return body ? req.send(body) : req;
  };
  const fieldIds: Record<string, string> = {};

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all', WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32' });
    const agents = app.get(AgentsService);
    const staff: Array<[string, any, string[]?]> = [
      ['anna', ['operator']],
      ['sup', ['supervisor']],
      ['admin', ['admin']],
      ['vsaa', ['specialist'], ['VSAA']],
      ['vid', ['specialist'], ['VID']],
    ];
    for (const [name, roles, institutionCodes] of staff) {
      ids[name] = await agents.upsert({
        email: `${name}@fields.test`,
        displayName: name,
        password: 'a-long-enough-password',
        roles,
        institutionCodes,
      });
      tokens[name] = await login(app, `${name}@fields.test`, 'a-long-enough-password');
    }
    const define = async (body: object) => (await call('admin', 'post', '/v1/admin/custom-fields', body).expect(201)).body;
    fieldIds.caseNumber = (
      await define({
        institution: 'VSAA',
        key: 'caseNumber',
        labels: { lv: 'Lietas numurs', en: 'Case number' },
        type: 'text',
        required: true,
        position: 1,
      })
    ).id;
    fieldIds.amount = (
      await define({ institution: 'VSAA', key: 'amount', labels: { lv: 'Summa', en: 'Amount' }, type: 'number', position: 2 })
    ).id;
    fieldIds.decidedOn = (
      await define({ institution: 'VSAA', key: 'decidedOn', labels: { lv: 'Lēmuma datums', en: 'Decided on' }, type: 'date', position: 3 })
    ).id;
    fieldIds.outcome = (
      await define({
        institution: 'VSAA',
        key: 'outcome',
        labels: { lv: 'Iznākums', en: 'Outcome' },
        type: 'choice',
        choices: ['piešķirts', 'atteikts'],
        position: 4,
      })
    ).id;
    fieldIds.taxYear = (
      await define({ institution: 'VID', key: 'taxYear', labels: { lv: 'Taksācijas gads', en: 'Tax year' }, type: 'number' })
    ).id;
  });
  afterAll(() => env.teardown());

  it('lets admins keep the definitions, supervisors read them, and refuses a bad one at its field', async () => {
    const list = (await call('sup', 'get', '/v1/admin/custom-fields?institution=VSAA').expect(200)).body.items;
    expect(list.map((f: any) => f.key)).toEqual(['caseNumber', 'amount', 'decidedOn', 'outcome']);
    expect(list[3]).toMatchObject({
      institution: 'VSAA',
      labels: { lv: 'Iznākums', en: 'Outcome' },
      type: 'choice',
      choices: ['piešķirts', 'atteikts'],
      required: false,
      active: true,
      inUse: 0,
    });
    await call('sup', 'post', '/v1/admin/custom-fields', {
      institution: 'VSAA',
      key: 'x',
      labels: { lv: 'x', en: 'x' },
      type: 'text',
    }).expect(403);
    await call('vsaa', 'get', '/v1/admin/custom-fields').expect(403);

    const noChoices = await call('admin', 'post', '/v1/admin/custom-fields', {
      institution: 'VSAA',
      key: 'kind2',
      labels: { lv: 'x', en: 'x' },
      type: 'choice',
    }).expect(422);
    expect(noChoices.body.errors).toEqual([expect.objectContaining({ field: 'choices', code: 'required' })]);
    const taken = await call('admin', 'post', '/v1/admin/custom-fields', {
      institution: 'vsaa',
      key: 'amount',
      labels: { lv: 'x', en: 'x' },
      type: 'number',
    }).expect(422);
    expect(taken.body.errors).toEqual([expect.objectContaining({ field: 'key', code: 'taken' })]);
    const shape = await call('admin', 'post', '/v1/admin/custom-fields', {
      institution: 'NOPE',
      key: 'Bad key',
      labels: { lv: '' },
      type: 'money',
    }).expect(422);
    expect(shape.body.errors.map((e: any) => e.field)).toEqual(expect.arrayContaining(['key', 'labels.lv', 'labels.en', 'type']));
    const unknown = await call('admin', 'post', '/v1/admin/custom-fields', {
      institution: 'NOPE',
      key: 'x',
      labels: { lv: 'x', en: 'x' },
      type: 'text',
      choices: ['a'],
    }).expect(422);
    expect(unknown.body.errors).toEqual([
      expect.objectContaining({ field: 'institution', code: 'unknown' }),
      expect.objectContaining({ field: 'choices', code: 'notAChoiceField' }),
    ]);
    const patched = await call('admin', 'patch', `/v1/admin/custom-fields/${fieldIds.outcome}`, {
      choices: ['piešķirts', 'atteikts', 'piešķirts'],
    }).expect(422);
    expect(patched.body.errors).toEqual([expect.objectContaining({ field: 'choices[2]', code: 'duplicate' })]);
  });

  it('checks every value against its field and refuses each wrong one at values.<key>, writing nothing', async () => {
    const reference = await env.submitTicket(app, { institution: 'VSAA' });
    const bad = await call('anna', 'put', `/v1/tickets/${reference}/custom-fields`, {
      values: { amount: '12', decidedOn: '2026-02-30', outcome: 'varbūt', taxYear: 2025 },
    }).expect(422);
    expect(bad.body.errors).toEqual([
      expect.objectContaining({ field: 'values.amount', code: 'notNumber' }),
      expect.objectContaining({ field: 'values.decidedOn', code: 'notDate' }),
      expect.objectContaining({ field: 'values.outcome', code: 'notInChoices' }),
      // VID's field does not apply to a VSAA ticket.
      expect.objectContaining({ field: 'values.taxYear', code: 'unknown' }),
      expect.objectContaining({ field: 'values.caseNumber', code: 'required' }),
    ]);
    const notAnObject = await call('anna', 'put', `/v1/tickets/${reference}/custom-fields`, { values: ['x'] }).expect(422);
    expect(notAnObject.body.errors[0]).toMatchObject({ field: 'values' });
    const [{ n }] = await env.sql(
      'SELECT count(*)::int AS n FROM ticket_custom_field_values v JOIN tickets t ON t.id = v.ticket_id WHERE t.reference = $1',
      [reference],
    );
    expect(n).toBe(0);
  });

  it('sets the values as a ticket change: history, audit, webhook, and in the ticket and the inbox list', async () => {
    await call('admin', 'post', '/v1/admin/webhooks', {
      institution: 'VSAA',
      url: 'http://127.0.0.1:9/vsaa',
      secret: 'vsaa-shared-webhook-secret-0123456789abcdef',
      events: ['ticket.custom_fields_changed'],
    }).expect(201);
    const reference = await env.submitTicket(app, { institution: 'VSAA' });
    const set = await call('anna', 'put', `/v1/tickets/${reference}/custom-fields`, {
      values: { caseNumber: ' VSAA-2026-17 ', amount: 412.5, outcome: 'piešķirts' },
    }).expect(200);
    expect(set.body.fields.map((f: any) => [f.key, f.value])).toEqual([
      ['caseNumber', 'VSAA-2026-17'],
      ['amount', 412.5],
      ['decidedOn', null],
      ['outcome', 'piešķirts'],
    ]);
    expect(set.body.fields[0]).toMatchObject({
      labels: { lv: 'Lietas numurs', en: 'Case number' },
      type: 'text',
      required: true,
      active: true,
    });

    // The same set again changes nothing, so it is not a second change in the history.
    await call('anna', 'put', `/v1/tickets/${reference}/custom-fields`, {
      values: { caseNumber: 'VSAA-2026-17', amount: 412.5, outcome: 'piešķirts' },
    }).expect(200);
    // Then a date is added and the amount cleared.
    await call('vsaa', 'put', `/v1/tickets/${reference}/custom-fields`, {
      values: { caseNumber: 'VSAA-2026-17', amount: null, decidedOn: '2026-12-01', outcome: 'piešķirts' },
    }).expect(200);

    const ticket = (await call('anna', 'get', `/v1/tickets/${reference}`).expect(200)).body;
    expect(ticket.customFields).toEqual({ caseNumber: 'VSAA-2026-17', decidedOn: '2026-12-01', outcome: 'piešķirts' });
    const history = ticket.timeline.filter((e: any) => e.type === 'custom_fields_changed');
    expect(history).toEqual([
      expect.objectContaining({
        actorAgentId: ids.anna,
        fields: [
          { key: 'amount', from: null, to: 412.5 },
          { key: 'caseNumber', from: null, to: 'VSAA-2026-17' },
          { key: 'outcome', from: null, to: 'piešķirts' },
        ],
      }),
      expect.objectContaining({
        actorAgentId: ids.vsaa,
        fields: [
          { key: 'amount', from: 412.5, to: null },
          { key: 'decidedOn', from: null, to: '2026-12-01' },
        ],
      }),
    ]);
    const audit = await env.sql(
      `SELECT actor_agent_id, action FROM audit_events WHERE action = 'ticket.custom_fields_changed' AND detail->>'reference' = $1 ORDER BY created_at`,
      [reference],
    );
    expect(audit).toEqual([
      { actor_agent_id: ids.anna, action: 'ticket.custom_fields_changed' },
      { actor_agent_id: ids.vsaa, action: 'ticket.custom_fields_changed' },
    ]);
    // The institution's system hears which fields changed, never their values.
    const deliveries = await env.sql(
      `SELECT event, payload - 'occurredAt' AS payload FROM webhook_deliveries WHERE payload->>'reference' = $1 ORDER BY created_at`,
      [reference],
    );
    expect(deliveries).toEqual([
      {
        event: 'ticket.custom_fields_changed',
        payload: { event: 'ticket.custom_fields_changed', reference, fields: ['amount', 'caseNumber', 'outcome'] },
      },
      {
        event: 'ticket.custom_fields_changed',
        payload: { event: 'ticket.custom_fields_changed', reference, fields: ['amount', 'decidedOn'] },
      },
    ]);

    const listed = (await call('anna', 'get', `/v1/tickets?q=${reference}`).expect(200)).body.items;
    expect(listed.find((t: any) => t.reference === reference)?.customFields).toEqual({
      caseNumber: 'VSAA-2026-17',
      decidedOn: '2026-12-01',
      outcome: 'piešķirts',
    });
  });

  it("keeps another institution's staff out exactly as from the ticket itself", async () => {
    const reference = await env.submitTicket(app, { institution: 'VSAA' });
    await call('vid', 'get', `/v1/tickets/${reference}/custom-fields`).expect(404);
    await call('vid', 'put', `/v1/tickets/${reference}/custom-fields`, { values: { caseNumber: 'x' } }).expect(404);
    expect((await call('vsaa', 'get', `/v1/tickets/${reference}/custom-fields`).expect(200)).body.fields.map((f: any) => f.key)).toEqual([
      'caseNumber',
      'amount',
      'decidedOn',
      'outcome',
    ]);
    // A VID ticket shows VID's fields only, to VID.
    const vidTicket = await env.submitTicket(app, { institution: 'VID' });
    expect((await call('vid', 'get', `/v1/tickets/${vidTicket}/custom-fields`).expect(200)).body.fields.map((f: any) => f.key)).toEqual([
      'taxYear',
    ]);
    await call('vsaa', 'get', `/v1/tickets/${vidTicket}/custom-fields`).expect(404);
    expect((await call('vid', 'get', '/v1/admin/custom-fields').expect(403)).body).toBeTruthy();
  });

  it('switches a field in use off instead of deleting it: its values stay, new ones are refused', async () => {
    const reference = await env.submitTicket(app, { institution: 'VSAA' });
    await call('anna', 'put', `/v1/tickets/${reference}/custom-fields`, { values: { caseNumber: 'VSAA-9', outcome: 'atteikts' } }).expect(
      200,
    );
    const inUse = await call('admin', 'delete', `/v1/admin/custom-fields/${fieldIds.outcome}`).expect(409);
    expect(inUse.body.type).toBe('urn:vpppd:problem:custom-field-in-use');
    await call('admin', 'patch', `/v1/admin/custom-fields/${fieldIds.outcome}`, { active: false }).expect(200);
    const fields = (await call('anna', 'get', `/v1/tickets/${reference}/custom-fields`).expect(200)).body.fields;
    expect(fields.find((f: any) => f.key === 'outcome')).toMatchObject({ active: false, value: 'atteikts' });
    const refused = await call('anna', 'put', `/v1/tickets/${reference}/custom-fields`, {
      values: { caseNumber: 'VSAA-9', outcome: 'piešķirts' },
    }).expect(422);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'values.outcome', code: 'inactive' })]);
    // Leaving it out keeps its value: the whole set is the active fields'.
    await call('anna', 'put', `/v1/tickets/${reference}/custom-fields`, { values: { caseNumber: 'VSAA-10' } }).expect(200);
    expect((await call('anna', 'get', `/v1/tickets/${reference}`).expect(200)).body.customFields).toEqual({
      caseNumber: 'VSAA-10',
      outcome: 'atteikts',
    });

    const unused = (
      await call('admin', 'post', '/v1/admin/custom-fields', {
        institution: 'VSAA',
        key: 'spare',
        labels: { lv: 'Rezerve', en: 'Spare' },
        type: 'text',
      }).expect(201)
    ).body;
    await call('admin', 'delete', `/v1/admin/custom-fields/${unused.id}`).expect(204);
    await call('admin', 'get', `/v1/admin/custom-fields/${unused.id}`).expect(404);
    const actions = (
      await env.sql(`SELECT action FROM audit_events WHERE subject_type = 'custom_field' AND subject_id = $1 ORDER BY created_at`, [
        unused.id,
      ])
    ).map((r) => r.action);
    expect(actions).toEqual(['custom_field.created', 'custom_field.deleted']);
  });
});

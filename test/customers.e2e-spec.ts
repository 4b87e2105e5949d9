import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { VALID_PERSONAL_CODE } from './support/factories';
import { login, TestEnv } from './support/test-env';

describe('customers: search, profile with every identifier, one timeline, linking by hand', () => {
  const env = new TestEnv();
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const call = (who: string, method: 'post' | 'patch' | 'get', url: string, body?: object) => {
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
      await agents.upsert({
        email: `${name}@customers.test`,
        displayName: name,
        password: 'a-long-enough-password',
        roles,
        institutionCodes,
      });
      tokens[name] = await login(app, `${name}@customers.test`, 'a-long-enough-password');
    }
  });
  afterAll(() => env.teardown());

  it('finds a customer by name without diacritics, by e-mail and by a phone in any format, and shows one timeline across channels', async () => {
    // Two portal forms signed in with an eID means (a verified personas kods), to two institutions: one customer.
    const applicant = {
      firstName: 'Ilze',
      lastName: 'Ozoliņa',
      email: 'ilze.ozolina@example.lv',
      phone: '+37120000123',
      personalCode: VALID_PERSONAL_CODE,
      authenticated: true,
    };
    const first = await env.submitTicket(app, { institution: 'VSAA', applicant });
    const second = await env.submitTicket(app, { institution: 'VID', applicant });
    const [{ customer_id: id }] = await env.sql('SELECT customer_id FROM tickets WHERE reference = $1', [first]);
    expect(id).toBeTruthy();

    for (const q of ['ozolina', 'Ilze Ozol', 'ilze.ozolina@example.lv', '+371 2000 0123', '20000123']) {
      const found = await call('anna', 'get', `/v1/customers?q=${encodeURIComponent(q)}`).expect(200);
      expect([q, found.body.items.map((c: any) => c.id)]).toEqual([q, expect.arrayContaining([id])]);
    }
    const profile = await call('anna', 'get', `/v1/customers/${id}`).expect(200);
    expect(profile.body).toMatchObject({ firstName: 'Ilze', lastName: 'Ozoliņa' });
    expect(profile.body.identifiers.map((i: any) => i.kind).sort()).toEqual(expect.arrayContaining(['email', 'personal_code', 'phone']));
    expect(profile.body.timeline.map((t: any) => t.reference).sort()).toEqual([first, second].sort());
    // A supervisor sees the personas kods masked, as on a ticket; an operator unmasked, and that read is audited.
    const supView = await call('sup', 'get', `/v1/customers/${id}`).expect(200);
    expect(supView.body.identifiers.find((i: any) => i.kind === 'personal_code')).toMatchObject({ masked: true });
    expect(profile.body.identifiers.find((i: any) => i.kind === 'personal_code')).toMatchObject({
      masked: false,
      value: (await env.sql(`SELECT value FROM customer_identifiers WHERE customer_id = $1 AND kind = 'personal_code'`, [id]))[0].value,
    });
    const reads = await env.sql(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'personal_code.read' AND subject_id = $1`, [
      id,
    ]);
    expect(reads[0].n).toBeGreaterThanOrEqual(1);

    // Institution staff: only the tickets they may see on the timeline; a customer without one is missing.
    const vsaa = await call('vsaa', 'get', `/v1/customers/${id}`).expect(200);
    expect(vsaa.body.timeline.map((t: any) => t.reference)).toEqual([first]);
    const other = await env.submitTicket(app, {
      institution: 'VID',
      applicant: { firstName: 'Pēteris', lastName: 'Kalniņš', email: 'peteris.k@example.lv' },
    });
    const [{ customer_id: otherId }] = await env.sql('SELECT customer_id FROM tickets WHERE reference = $1', [other]);
    await call('vsaa', 'get', `/v1/customers/${otherId}`).expect(404);
    expect((await call('vsaa', 'get', '/v1/customers?q=kalnins').expect(200)).body.items).toEqual([]);
    expect((await call('vid', 'get', '/v1/customers?q=kalnins').expect(200)).body.items.map((c: any) => c.id)).toEqual([otherId]);
  });

  it('records preferences, links an identifier by hand as staff-verified, and refuses one another record holds', async () => {
    const a = await env.submitTicket(app, {
      institution: 'VSAA',
      applicant: { firstName: 'Anda', lastName: 'Liepa', email: 'anda.liepa@example.lv' },
    });
    const b = await env.submitTicket(app, {
      institution: 'VSAA',
      applicant: { firstName: 'Roberts', lastName: 'Egle', email: 'roberts.egle@example.lv' },
    });
    const [[{ customer_id: aId }], [{ customer_id: bId }]] = [
      await env.sql('SELECT customer_id FROM tickets WHERE reference = $1', [a]),
      await env.sql('SELECT customer_id FROM tickets WHERE reference = $1', [b]),
    ];
    const updated = await call('anna', 'patch', `/v1/customers/${aId}`, { preferredLanguage: 'ru', preferredChannel: 'email' }).expect(200);
    expect(updated.body).toMatchObject({ preferredLanguage: 'ru', preferredChannel: 'email' });
    await call('anna', 'patch', `/v1/customers/${aId}`, { preferredChannel: 'fax' }).expect(422);

    const linked = await call('anna', 'post', `/v1/customers/${aId}/identifiers`, { kind: 'phone', value: '2000 0456' }).expect(200);
    expect(linked.body.identifiers).toContainEqual(expect.objectContaining({ kind: 'phone', value: '+37120000456', provenance: 'staff' }));
    const bad = await call('anna', 'post', `/v1/customers/${aId}/identifiers`, { kind: 'personal_code', value: '010101-12345' }).expect(
      422,
    );
    expect(bad.body.errors[0]).toMatchObject({ field: 'value' });
    const held = await call('anna', 'post', `/v1/customers/${bId}/identifiers`, { kind: 'email', value: 'Anda.Liepa@example.lv' }).expect(
      409,
    );
    expect(held.body.type).toBe('urn:vpppd:problem:identifier-held');
    // Linking what the record holds already (typed in a form) makes it staff-verified.
    const verified = await call('anna', 'post', `/v1/customers/${aId}/identifiers`, {
      kind: 'email',
      value: 'anda.liepa@example.lv',
    }).expect(200);
    expect(verified.body.identifiers).toContainEqual(expect.objectContaining({ kind: 'email', provenance: 'staff' }));
    await call('vid', 'post', `/v1/customers/${aId}/identifiers`, { kind: 'email', value: 'x@example.lv' }).expect(404);
    const audit = await env.sql(`SELECT action FROM audit_events WHERE subject_type = 'customer' AND subject_id = $1 ORDER BY created_at`, [
      aId,
    ]);
    expect(audit.map((r) => r.action)).toEqual(expect.arrayContaining(['customer.updated', 'customer.identifier_linked']));
  });

  /** Every ticket and identifier of these records, with the record each is on. */
  const holdings = async (customerIds: string[]) => ({
    tickets: await env.sql(`SELECT reference, customer_id FROM tickets WHERE customer_id = ANY($1::uuid[]) ORDER BY reference`, [
      customerIds,
    ]),
    identifiers: await env.sql(
      `SELECT kind, value, customer_id FROM customer_identifiers WHERE customer_id = ANY($1::uuid[]) ORDER BY kind, value`,
      [customerIds],
    ),
  });

  it('merges two records keeping every ticket and identifier; another operator undoes it and both are restored; a split moves what is named', async () => {
    const a = [
      await env.submitTicket(app, {
        institution: 'VSAA',
        applicant: { firstName: 'Marta', lastName: 'Zariņa', email: 'marta.z@example.lv', phone: '+37120000301' },
      }),
    ];
    const b = [
      await env.submitTicket(app, {
        institution: 'VID',
        applicant: { firstName: 'Marta', lastName: 'Zariņa', email: 'marta.zarina@example.lv', phone: '+37120000302' },
      }),
    ];
    const [[{ customer_id: aId }], [{ customer_id: bId }]] = [
      await env.sql('SELECT customer_id FROM tickets WHERE reference = $1', [a[0]]),
      await env.sql('SELECT customer_id FROM tickets WHERE reference = $1', [b[0]]),
    ];
    expect(aId).not.toBe(bId);
    const before = await holdings([aId, bId]);

    const merged = await call('anna', 'post', `/v1/customers/${aId}/merge`, { from: bId }).expect(200);
    expect(merged.body.merge).toMatchObject({ kept: aId, merged: bId, tickets: 1 });
    const during = await holdings([aId, bId]);
    expect(during.tickets.map((t) => t.reference)).toEqual(before.tickets.map((t) => t.reference));
    expect(during.identifiers.map((i) => `${i.kind}:${i.value}`)).toEqual(before.identifiers.map((i) => `${i.kind}:${i.value}`));
    expect([...new Set([...during.tickets, ...during.identifiers].map((r) => r.customer_id))]).toEqual([aId]);
    const profile = await call('juris', 'get', `/v1/customers/${aId}`).expect(200);
    expect(profile.body.timeline.map((t: any) => t.reference).sort()).toEqual([...a, ...b].sort());
    expect(profile.body.merges).toEqual([expect.objectContaining({ id: merged.body.merge.id, from: bId })]);
    expect((await call('juris', 'get', `/v1/customers/${bId}`).expect(200)).body).toMatchObject({ mergedInto: aId, timeline: [] });
    await call('anna', 'post', `/v1/customers/${aId}/merge`, { from: bId }).expect(422); // already merged
    await call('vsaa', 'post', `/v1/customers/${aId}/merge`, { from: bId }).expect(403);

    // Another operator undoes it: both records exactly as before.
    const undone = await call('juris', 'post', `/v1/customers/merges/${merged.body.merge.id}/undo`, {}).expect(200);
    expect(undone.body).toMatchObject({ kept: aId, restored: bId, tickets: 1 });
    expect(await holdings([aId, bId])).toEqual(before);
    await call('anna', 'post', `/v1/customers/merges/${merged.body.merge.id}/undo`, {}).expect(409);
    const audit = await env.sql(
      `SELECT action, actor_agent_id FROM audit_events WHERE action IN ('customer.merged', 'customer.merge_undone') AND subject_id = $1 ORDER BY created_at`,
      [aId],
    );
    expect(audit.map((r) => r.action)).toEqual(['customer.merged', 'customer.merge_undone']);
    expect(new Set(audit.map((r) => r.actor_agent_id)).size).toBe(2);

    // Merged again, then split: what is named goes to a new record, nothing is lost.
    await call('anna', 'post', `/v1/customers/${aId}/merge`, { from: bId }).expect(200);
    const split = await call('anna', 'post', `/v1/customers/${aId}/split`, {
      identifiers: [
        { kind: 'email', value: 'marta.zarina@example.lv' },
        { kind: 'phone', value: '20000302' },
      ],
      tickets: b,
      lastName: 'Zariņa',
    }).expect(201);
    const after = await holdings([aId, split.body.id]);
    expect(after.tickets.map((t) => `${t.reference}:${t.customer_id}`).sort()).toEqual(
      [`${a[0]}:${aId}`, `${b[0]}:${split.body.id}`].sort(),
    );
    expect(
      after.identifiers
        .filter((i) => i.customer_id === split.body.id)
        .map((i) => i.kind)
        .sort(),
    ).toEqual(['email', 'phone']);
    expect(after.identifiers.length).toBe(before.identifiers.length);
    const wrong = await call('anna', 'post', `/v1/customers/${aId}/split`, {
      tickets: b,
      identifiers: [{ kind: 'email', value: 'nobody@example.lv' }],
    }).expect(422);
    expect(wrong.body.errors.map((e: any) => e.field).sort()).toEqual(['identifiers[0]', 'tickets[0]']);
  });
});

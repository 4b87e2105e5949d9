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
      ['sup', ['supervisor']],
      ['vsaa', ['specialist'], ['VSAA']],
      ['vid', ['specialist'], ['VID']],
    ];
    for (const [name, roles, institutionCodes] of staff) {
      await agents.upsert({ email: `${name}@customers.test`, displayName: name, password: 'a-long-enough-password', roles, institutionCodes });
      tokens[name] = await login(app, `${name}@customers.test`, 'a-long-enough-password');
    }
  });
  afterAll(() => env.teardown());

  it('finds a customer by name without diacritics, by e-mail and by a phone in any format, and shows one timeline across channels', async () => {
    // Two portal forms signed in with an eID means (a verified personas kods), to two institutions: one customer.
    const applicant = { firstName: 'Ilze', lastName: 'Ozoliņa', email: 'ilze.ozolina@example.lv', phone: '+37120000123', personalCode: VALID_PERSONAL_CODE, authenticated: true };
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
    expect(profile.body.identifiers.find((i: any) => i.kind === 'personal_code')).toMatchObject({ masked: false, value: (await env.sql(`SELECT value FROM customer_identifiers WHERE customer_id = $1 AND kind = 'personal_code'`, [id]))[0].value });
    const reads = await env.sql(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'personal_code.read' AND subject_id = $1`, [id]);
    expect(reads[0].n).toBeGreaterThanOrEqual(1);

    // Institution staff: only the tickets they may see on the timeline; a customer without one is missing.
    const vsaa = await call('vsaa', 'get', `/v1/customers/${id}`).expect(200);
    expect(vsaa.body.timeline.map((t: any) => t.reference)).toEqual([first]);
    const other = await env.submitTicket(app, { institution: 'VID', applicant: { firstName: 'Pēteris', lastName: 'Kalniņš', email: 'peteris.k@example.lv' } });
    const [{ customer_id: otherId }] = await env.sql('SELECT customer_id FROM tickets WHERE reference = $1', [other]);
    await call('vsaa', 'get', `/v1/customers/${otherId}`).expect(404);
    expect((await call('vsaa', 'get', '/v1/customers?q=kalnins').expect(200)).body.items).toEqual([]);
    expect((await call('vid', 'get', '/v1/customers?q=kalnins').expect(200)).body.items.map((c: any) => c.id)).toEqual([otherId]);
  });

  it('records preferences, links an identifier by hand as staff-verified, and refuses one another record holds', async () => {
    const a = await env.submitTicket(app, { institution: 'VSAA', applicant: { firstName: 'Anda', lastName: 'Liepa', email: 'anda.liepa@example.lv' } });
    const b = await env.submitTicket(app, { institution: 'VSAA', applicant: { firstName: 'Roberts', lastName: 'Egle', email: 'roberts.egle@example.lv' } });
    const [[{ customer_id: aId }], [{ customer_id: bId }]] = [
      await env.sql('SELECT customer_id FROM tickets WHERE reference = $1', [a]),
      await env.sql('SELECT customer_id FROM tickets WHERE reference = $1', [b]),
    ];
    const updated = await call('anna', 'patch', `/v1/customers/${aId}`, { preferredLanguage: 'ru', preferredChannel: 'email' }).expect(200);
    expect(updated.body).toMatchObject({ preferredLanguage: 'ru', preferredChannel: 'email' });
    await call('anna', 'patch', `/v1/customers/${aId}`, { preferredChannel: 'fax' }).expect(422);

    const linked = await call('anna', 'post', `/v1/customers/${aId}/identifiers`, { kind: 'phone', value: '2000 0456' }).expect(200);
    expect(linked.body.identifiers).toContainEqual(expect.objectContaining({ kind: 'phone', value: '+37120000456', provenance: 'staff' }));
    const bad = await call('anna', 'post', `/v1/customers/${aId}/identifiers`, { kind: 'personal_code', value: '010101-12345' }).expect(422);
    expect(bad.body.errors[0]).toMatchObject({ field: 'value' });
    const held = await call('anna', 'post', `/v1/customers/${bId}/identifiers`, { kind: 'email', value: 'Anda.Liepa@example.lv' }).expect(409);
    expect(held.body.type).toBe('urn:vpppd:problem:identifier-held');
    // Linking what the record holds already (typed in a form) makes it staff-verified.
    const verified = await call('anna', 'post', `/v1/customers/${aId}/identifiers`, { kind: 'email', value: 'anda.liepa@example.lv' }).expect(200);
    expect(verified.body.identifiers).toContainEqual(expect.objectContaining({ kind: 'email', provenance: 'staff' }));
    await call('vid', 'post', `/v1/customers/${aId}/identifiers`, { kind: 'email', value: 'x@example.lv' }).expect(404);
    const audit = await env.sql(`SELECT action FROM audit_events WHERE subject_type = 'customer' AND subject_id = $1 ORDER BY created_at`, [aId]);
    expect(audit.map((r) => r.action)).toEqual(expect.arrayContaining(['customer.updated', 'customer.identifier_linked']));
  });
});

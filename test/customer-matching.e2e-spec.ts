import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { InboundService } from '../src/inbound/inbound.service';
import { VALID_PERSONAL_CODE, webformSubmission } from './support/factories';
import { eventually, login, signedSubmission, TestEnv } from './support/test-env';

/**
 * A contact joins an existing customer only on proof. Before this, a second web form with only the victim's phone
 * joined her record and added the attacker's address to it, and staff replies on her own ticket went there.
 */
describe('customer matching: nobody redirects another person’s replies or sees their details', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let operator: string;
  let vsaaSpecialist: string;
  const http = () => request(app.getHttpServer());
  const PASSWORD = 'a-long-enough-password';
  const VICTIM_PHONE = '+37126227000';
  const ATTACKER_CODE = '32579918231';

  const ticketOf = async (reference: string) =>
    eventually(async () => (await env.sql('SELECT * FROM tickets WHERE reference = $1', [reference]))[0]);
  const submit = async (overrides: Record<string, unknown>) => {
    const res = await signedSubmission(app, webformSubmission(overrides)).expect(202);
    return ticketOf(res.body.reference);
  };
  const applicant = (over: Record<string, unknown>) => ({ firstName: 'Līga', lastName: 'Kalniņa', ...over });
  const reply = (reference: string, body: Record<string, unknown>) =>
    http()
      .post(`/v1/tickets/${reference}/replies`)
      .set('Authorization', `Bearer ${operator}`)
      .send({ text: 'Labdien!', force: true, ...body });

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'api' });
    await env.startWorker();
    const agents = app.get(AgentsService);
    await agents.upsert({ email: 'op@vpppd.test', displayName: 'Operatore', password: PASSWORD, roles: ['operator'] });
    await agents.upsert({
      email: 'vsaa@vsaa.test',
      displayName: 'VSAA',
      password: PASSWORD,
      roles: ['specialist'],
      institutionCodes: ['VSAA'],
    });
    operator = await login(app, 'op@vpppd.test', PASSWORD);
    vsaaSpecialist = await login(app, 'vsaa@vsaa.test', PASSWORD);
  });
  afterAll(() => env.teardown());

  it('a second form with the victim’s phone and another e-mail neither joins her record nor redirects her replies', async () => {
    const a = await submit({
      institution: 'VID',
      applicant: applicant({ personalCode: undefined, phone: VICTIM_PHONE, email: 'liga@example.lv' }),
    });
    const b = await submit({
      institution: 'VID',
      applicant: applicant({ personalCode: undefined, phone: VICTIM_PHONE, email: 'eve@attacker.example' }),
    });
    expect(b.customer_id).not.toBe(a.customer_id);
    const victims = await env.sql('SELECT kind, value FROM customer_identifiers WHERE customer_id = $1 ORDER BY kind', [a.customer_id]);
    expect(victims).toEqual([
      { kind: 'email', value: 'liga@example.lv' },
      { kind: 'phone', value: VICTIM_PHONE },
    ]);

    const sent = await reply(a.reference, {}).expect(202);
    expect(sent.body.address).toBe('liga@example.lv');
    // And the attacker's own ticket is answered at the attacker's address, with none of the victim's details shown.
    expect((await reply(b.reference, {}).expect(202)).body.address).toBe('eve@attacker.example');
    const attackers = await http().get(`/v1/tickets/${b.reference}`).set('Authorization', `Bearer ${operator}`).expect(200);
    expect(JSON.stringify(attackers.body.customer)).not.toContain('liga@example.lv');
  });

  it('an attacker who gives their own new personas kods does not get the victim’s record either', async () => {
    const a = await submit({
      institution: 'VID',
      applicant: applicant({ personalCode: VALID_PERSONAL_CODE, phone: '+37126227001', email: 'liga2@example.lv', authenticated: true }),
    });
    const b = await submit({
      institution: 'VID',
      applicant: applicant({ personalCode: ATTACKER_CODE, phone: '+37126227001', email: 'eve2@attacker.example', authenticated: true }),
    });
    expect(b.customer_id).not.toBe(a.customer_id);
    const shown = await http().get(`/v1/tickets/${b.reference}`).set('Authorization', `Bearer ${operator}`).expect(200);
    const values = shown.body.customer.identifiers.map((i: any) => i.value);
    expect(values).not.toContain('liga2@example.lv');
    expect(values).not.toContain(VALID_PERSONAL_CODE.replace('-', ''));
    expect((await reply(a.reference, {}).expect(202)).body.address).toBe('liga2@example.lv');
  });

  it('replies go to the ticket’s own contact even when the person later gave another address; the operator may choose it', async () => {
    const code = '32000000000';
    const first = await submit({
      applicant: applicant({ personalCode: code, email: 'first@example.lv', phone: undefined, authenticated: true }),
    });
    const second = await submit({
      applicant: applicant({ personalCode: code, email: 'second@example.lv', phone: undefined, authenticated: true }),
    });
    expect(second.customer_id).toBe(first.customer_id); // the portal vouches for the personas kods

    expect((await reply(first.reference, {}).expect(202)).body.address).toBe('first@example.lv');
    expect((await reply(first.reference, { to: 'second@example.lv' }).expect(202)).body.address).toBe('second@example.lv');
    const refused = await reply(first.reference, { to: 'stranger@example.lv' }).expect(422);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'to', code: 'notTheCustomers' })]);

    // Staff see where each identifier came from.
    const shown = await http().get(`/v1/tickets/${first.reference}`).set('Authorization', `Bearer ${operator}`).expect(200);
    expect(shown.body.contact).toEqual(
      expect.arrayContaining([
        { kind: 'email', value: 'first@example.lv', masked: false, provenance: 'citizen' },
        { kind: 'personal_code', value: code, masked: false, provenance: 'portal' },
      ]),
    );
    expect(shown.body.customer.identifiers).toEqual(
      expect.arrayContaining([
        { kind: 'email', value: 'second@example.lv', masked: false, provenance: 'citizen' },
        { kind: 'personal_code', value: code, masked: false, provenance: 'portal' },
      ]),
    );
  });

  it('a verified person takes back their personas kods from a record where someone only typed it', async () => {
    const code = '32111111111';
    const squatter = await submit({ applicant: applicant({ personalCode: code, email: 'squatter@attacker.example', phone: undefined }) });
    const owner = await submit({
      applicant: applicant({ personalCode: code, email: 'owner@example.lv', phone: undefined, authenticated: true }),
    });
    expect(owner.customer_id).not.toBe(squatter.customer_id);
    const [held] = await env.sql(`SELECT customer_id, provenance FROM customer_identifiers WHERE kind = 'personal_code' AND value = $1`, [
      code,
    ]);
    expect(held).toEqual({ customer_id: owner.customer_id, provenance: 'portal' });
    const [audit] = await env.sql(`SELECT detail FROM audit_events WHERE action = 'customer.identifier_claimed' AND subject_id = $1`, [
      owner.customer_id,
    ]);
    expect(audit.detail).toMatchObject({ kind: 'personal_code', fromCustomer: squatter.customer_id, fromProvenance: 'citizen' });
  });

  it('a chat visitor who types a citizen’s e-mail is not linked to her record, and staff see the address as given', async () => {
    const citizen = await submit({
      applicant: applicant({ personalCode: '32222222222', email: 'citizen@example.lv', phone: '+37126227002', authenticated: true }),
    });
    const session = '7d0c7d0c-0000-4000-8000-000000000001';
    await app.get(InboundService).accept({
      channel: 'chat',
      externalId: `${session}:hello`,
      from: {
        address: `chat:${session}`,
        identifiers: [
          { kind: 'chat_session', value: session, provenance: 'channel' },
          { kind: 'email', value: 'citizen@example.lv', provenance: 'citizen' },
        ],
      },
      language: 'lv',
      kind: 'consultation',
      text: 'Kāds ir mans tālrunis jūsu datos?',
    });
    const chat = await eventually(
      async () =>
        (
          await env.sql(`SELECT t.* FROM tickets t JOIN messages m ON m.ticket_id = t.id WHERE m.external_id = $1`, [`${session}:hello`])
        )[0],
    );
    expect(chat.customer_id).not.toBe(citizen.customer_id);
    const shown = await http().get(`/v1/tickets/${chat.reference}`).set('Authorization', `Bearer ${operator}`).expect(200);
    expect(JSON.stringify(shown.body)).not.toContain('+37126227002');
    expect(shown.body.contact).toContainEqual({ kind: 'email', value: 'citizen@example.lv', masked: false, provenance: 'citizen' });
  });

  it('a specialist logging a counter contact with another institution’s citizen’s personas kods learns nothing of them', async () => {
    const code = '32333333333';
    await submit({
      institution: 'VID',
      applicant: applicant({ personalCode: code, email: 'vid.client@example.lv', phone: undefined, authenticated: true }),
    });
    const logged = await http()
      .post('/v1/contacts')
      .set('Authorization', `Bearer ${vsaaSpecialist}`)
      .send({
        channel: 'counter',
        institution: 'VSAA',
        kind: 'consultation',
        subject: 'Jautājums',
        text: 'Konsultēju klātienē.',
        customer: { personalCode: code },
      })
      .expect(202);
    await ticketOf(logged.body.reference);
    const shown = await http().get(`/v1/tickets/${logged.body.reference}`).set('Authorization', `Bearer ${vsaaSpecialist}`).expect(200);
    expect(JSON.stringify(shown.body)).not.toContain('vid.client@example.lv');
    // An operator (centre-wide) logging the same person joins the record.
    const byOperator = await http()
      .post('/v1/contacts')
      .set('Authorization', `Bearer ${operator}`)
      .send({
        channel: 'counter',
        institution: 'VID',
        kind: 'consultation',
        subject: 'Jautājums',
        text: 'Konsultēju klātienē.',
        customer: { personalCode: code },
      })
      .expect(202);
    await ticketOf(byOperator.body.reference);
    const joined = await http().get(`/v1/tickets/${byOperator.body.reference}`).set('Authorization', `Bearer ${operator}`).expect(200);
    expect(joined.body.customer.identifiers).toContainEqual({
      kind: 'email',
      value: 'vid.client@example.lv',
      masked: false,
      provenance: 'citizen',
    });
  });

  it('an e-mail quoting a form’s reference from the address the form gave joins that ticket', async () => {
    const form = await submit({ applicant: applicant({ personalCode: '32444444444', email: 'writer@example.lv', phone: undefined }) });
    await app.get(InboundService).accept({
      channel: 'email',
      externalId: `<quote-${form.reference}@example.lv>`,
      from: { address: 'writer@example.lv', identifiers: [{ kind: 'email', value: 'writer@example.lv', provenance: 'channel' }] },
      threadHints: { reference: form.reference },
      subject: `Re: [${form.reference}]`,
      text: 'Papildinu savu jautājumu.',
    });
    const [message] = await eventually(async () => {
      const rows = await env.sql(`SELECT ticket_id FROM messages WHERE external_id = $1`, [`<quote-${form.reference}@example.lv>`]);
      return rows.length ? rows : null;
    });
    expect(message.ticket_id).toBe(form.id);
    // Someone else quoting the same reference opens a ticket of their own.
    await app.get(InboundService).accept({
      channel: 'email',
      externalId: `<other-${form.reference}@example.lv>`,
      from: { address: 'other@example.lv', identifiers: [{ kind: 'email', value: 'other@example.lv', provenance: 'channel' }] },
      threadHints: { reference: form.reference },
      subject: `Re: [${form.reference}]`,
      text: 'Es arī.',
    });
    const [other] = await eventually(async () => {
      const rows = await env.sql(`SELECT ticket_id FROM messages WHERE external_id = $1`, [`<other-${form.reference}@example.lv>`]);
      return rows.length ? rows : null;
    });
    expect(other.ticket_id).not.toBe(form.id);
  });
});

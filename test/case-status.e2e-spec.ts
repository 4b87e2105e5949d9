import { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { signCaseLink } from '../src/case-status/case-link';
import { InboundService } from '../src/inbound/inbound.service';
import { VALID_PERSONAL_CODE } from './support/factories';
import { eventually, login, TestEnv } from './support/test-env';

const JWT_SECRET = 'test-jwt-secret-0123456789abcdefghijkl'; // as TestEnv configures it

/**
 * "Where does my case stand": the citizen proves who they are with the signed link of the acknowledgement or with the
 * reference and the e-mail/phone the case came from; nothing else about the case, or about them, is given away.
 */
describe('case status for citizens', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let operator: string;
  const http = () => request(app.getHttpServer());
  // Each test counts against its own source (through the trusted loopback proxy), so the budgets do not mix.
  let source = 0;
  const from = () => `10.20.0.${++source}`;

  /** Everything personal a submission carries: none of it may appear in any answer. */
  const person = () => {
    const tag = randomUUID().slice(0, 8);
    return {
      firstName: 'Ilze',
      lastName: `Kalniņa${tag}`,
      email: `ilze.${tag}@example.lv`,
      phone: '+37126123456',
      personalCode: VALID_PERSONAL_CODE,
      subject: `Par manu pensiju ${tag}`,
      message: `Man ir jautājums par pensiju, mana adrese ir Brīvības iela 1-${tag}, Rīga.`,
    };
  };
  const noPersonalData = (body: string, p: ReturnType<typeof person>) => {
    // A request id is a random UUID, which now and then holds eleven digits in a row: not a personas kods.
    const answer = body.replace(/"requestId":"[0-9a-f-]{36}"/g, '"requestId":""');
    const digits = p.personalCode.replace('-', '');
    for (const value of [
      p.firstName,
      p.lastName,
      p.email,
      p.phone,
      p.phone.slice(4),
      p.personalCode,
      digits,
      p.subject,
      p.message,
      'Brīvības',
    ]) {
      expect(answer).not.toContain(value);
    }
    expect(answer).not.toMatch(/\d{6}-?\d{5}/); // any personas kods
    expect(answer).not.toMatch(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}/); // any e-mail address
  };
  const submit = async (p: ReturnType<typeof person>) =>
    env.submitTicket(app, {
      applicant: { firstName: p.firstName, lastName: p.lastName, email: p.email, phone: p.phone, personalCode: p.personalCode },
      subject: p.subject,
      message: p.message,
    });
  const api = (reference: string, query: Record<string, string>, source: string) =>
    http()
      .get(`/v1/public/cases/${encodeURIComponent(reference)}`)
      .query(query)
      .set('X-Forwarded-For', source);

  beforeAll(async () => {
    app = await env.startApi({
      APP_ROLE: 'all',
      TRUST_PROXY: 'loopback',
      RATE_LIMIT_CASES_PER_MINUTE: '8',
      CASE_LOOKUPS_PER_REFERENCE_PER_HOUR: '5',
      PUBLIC_BASE_URL: 'https://kontakti.example.lv',
      MAIL_FROM: 'VPPPD <pakalpojumi@example.lv>',
    });
    await app
      .get(AgentsService)
      .upsert({ email: 'op@case.test', displayName: 'Operators', password: 'operator-password-1', roles: ['operator'] });
    operator = await login(app, 'op@case.test', 'operator-password-1');
  });
  afterAll(() => env.teardown());

  it('answers the case to the reference and the e-mail or phone it came from: status, level, institution, due date, last update', async () => {
    const p = person();
    const reference = await submit(p);
    const ip = from();
    const [t] = await env.sql(`SELECT id, resolution_due_at FROM tickets WHERE reference = $1`, [reference]);
    const byEmail = await api(reference, { contact: p.email.toUpperCase() }, ip).expect(200);
    expect(byEmail.body).toMatchObject({
      reference,
      language: 'lv',
      status: 'received',
      level: 1,
      institution: { code: 'VSAA', name: expect.stringContaining('Valsts sociālās apdrošināšanas') },
      referred: false,
      lastUpdate: { what: 'received' },
      mergedInto: null,
    });
    expect(byEmail.body.answerDueDate).toBe(new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Riga' }).format(t.resolution_due_at));
    expect(byEmail.headers['cache-control']).toBe('no-store');
    // A phone as people write it: without the country code and with spaces; in Russian when asked.
    const byPhone = await api(reference.toLowerCase(), { contact: '26 123 456', lang: 'ru' }, ip).expect(200);
    expect(byPhone.body).toMatchObject({ reference, status: 'received', statusText: 'Получено, ожидает рассмотрения' });
    noPersonalData(JSON.stringify(byEmail.body), p);
    noPersonalData(JSON.stringify(byPhone.body), p);

    // An operator answers and waits for the citizen: the status and the last update follow.
    await http()
      .post(`/v1/tickets/${reference}/replies`)
      .set('Authorization', `Bearer ${operator}`)
      .send({ text: 'Lūdzu, precizējiet.' })
      .expect(202);
    await env.sql(`UPDATE messages SET delivery_status = 'sent', sent_at = now() WHERE ticket_id = $1 AND author_type = 'agent'`, [t.id]);
    await http()
      .patch(`/v1/tickets/${reference}`)
      .set('Authorization', `Bearer ${operator}`)
      .send({ status: 'pending_customer' })
      .expect(200);
    const later = await api(reference, { contact: p.email, lang: 'en' }, ip).expect(200);
    expect(later.body).toMatchObject({ status: 'waiting_for_you', statusText: 'Waiting for your reply', lastUpdate: { what: 'answered' } });
    noPersonalData(JSON.stringify(later.body), p);
  });

  it('answers a wrong pair exactly as a missing case: the same 404', async () => {
    const p = person();
    const reference = await submit(p);
    const ip = from();
    const wrongContact = await api(reference, { contact: 'someone.else@example.lv' }, ip).expect(404);
    const [{ max }] = await env.sql(`SELECT max(reference) AS max FROM tickets`);
    const missing = `VP-${max.split('-')[1]}-${String(Number(max.split('-')[2]) + 1000).padStart(6, '0')}`;
    const missingCase = await api(missing, { contact: p.email }, ip).expect(404);
    const strip = (b: any) => ({ ...b, instance: undefined, requestId: undefined });
    expect(strip(wrongContact.body)).toEqual(strip(missingCase.body));
    expect(wrongContact.headers['content-type']).toBe(missingCase.headers['content-type']);
    // Another person's phone is a wrong pair too.
    await api(reference, { contact: '+37129999999' }, ip).expect(404);
    // A malformed reference or contact is a field error, not a lookup.
    const bad = await api('not-a-reference', { contact: 'nobody' }, ip).expect(422);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['contact', 'reference']);
    const none = await api(reference, {}, ip).expect(422);
    expect(none.body.errors).toEqual([expect.objectContaining({ field: 'contact', code: 'required' })]);
    for (const r of [wrongContact, missingCase, bad, none]) noPersonalData(JSON.stringify(r.body), p);
  });

  it('answers the signed link of the e-mail acknowledgement, for its own case only', async () => {
    const address = `link.${randomUUID().slice(0, 8)}@example.lv`;
    const accepted = await app.get(InboundService).accept({
      channel: 'email',
      externalId: `<${randomUUID()}@example.lv>`,
      from: { address, firstName: 'Anna', lastName: 'Liepa', identifiers: [{ kind: 'email', value: address, provenance: 'channel' }] },
      autoReply: { address },
      subject: 'Par deklarāciju',
      text: 'Labdien! Kā iesniegt gada ienākumu deklarāciju EDS sistēmā?',
      language: 'lv',
    });
    const t = await env.ticketOfEvent(accepted.eventId);
    const [ack] = await eventually(() =>
      env
        .sql(`SELECT text FROM messages WHERE ticket_id = $1 AND meta->>'kind' = 'acknowledgement'`, [t.id])
        .then((r) => (r.length ? r : null)),
    );
    const link = /https:\/\/kontakti\.example\.lv(\/case\?t=[A-Za-z0-9_.-]+)/.exec(ack.text);
    expect(link).not.toBeNull();
    const ip = from();

    // The page behind the link (what the citizen opens), in the case's language, with its own policy.
    const page = await http().get(link![1]).set('X-Forwarded-For', ip).set('Accept', 'text/html').expect(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.text).toContain('<html lang="lv">');
    expect(page.text).toContain(t.reference);
    expect(page.text).toContain('Atbildes termiņš');
    expect(page.text).not.toContain(address);
    expect(page.text).not.toContain('Liepa');
    expect(page.text).not.toContain('deklarāciju');

    // The same token on the API; and on another reference it proves nothing.
    const token = decodeURIComponent(link![1].split('t=')[1]);
    const json = await api(t.reference, { token }, ip).expect(200);
    expect(json.body).toMatchObject({ reference: t.reference, status: 'received' });
    expect(JSON.stringify(json.body)).not.toContain(address);
    const other = await submit(person());
    await api(other, { token }, ip).expect(404);
    await api(
      t.reference,
      { token: signCaseLink('another-secret-of-thirty-two-characters', t.reference, new Date(Date.now() + 60_000)) },
      ip,
    ).expect(404);
    const expired = await api(t.reference, { token: signCaseLink(JWT_SECRET, t.reference, new Date(Date.now() - 1000)) }, ip).expect(410);
    expect(expired.body.type).toBe('urn:vpppd:problem:link-expired');
  });

  it('serves the page in Latvian, Russian and English: a labelled form, the status after it, the same message for a wrong pair', async () => {
    const p = person();
    const reference = await submit(p);
    const ip = from();
    const lv = await http().get('/case').set('X-Forwarded-For', ip).set('Accept-Language', 'lv').expect(200);
    expect(lv.text).toContain('<html lang="lv">');
    expect(lv.text).toMatch(/<label for="reference">Reģistrācijas numurs<\/label>/);
    expect(lv.text).toMatch(/<label for="contact">E-pasts vai tālrunis<\/label>/);
    expect(lv.text).not.toMatch(/<script/i);
    const ru = await http().get('/case?lang=ru').set('X-Forwarded-For', ip).expect(200);
    expect(ru.text).toContain('<html lang="ru">');
    expect(ru.text).toContain('Где моё обращение?');

    const found = await http()
      .post('/case')
      .type('form')
      .set('X-Forwarded-For', ip)
      .send({ reference, contact: p.email, lang: 'en' })
      .expect(200);
    expect(found.text).toContain('<html lang="en">');
    expect(found.text).toContain(reference);
    expect(found.text).toContain('Received, waiting to be handled');
    noPersonalData(found.text, p);

    const wrong = await http()
      .post('/case')
      .type('form')
      .set('X-Forwarded-For', ip)
      .send({ reference, contact: 'other@example.lv', lang: 'en' })
      .expect(404);
    expect(wrong.text).toContain('role="alert"');
    expect(wrong.text).not.toContain('other@example.lv');
    const invalid = await http()
      .post('/case')
      .type('form')
      .set('X-Forwarded-For', ip)
      .send({ reference: 'x', contact: '', lang: 'lv' })
      .expect(422);
    expect(invalid.text).toContain('aria-invalid="true"');
  });

  it('answers 429 after the per-source limit, on the API and on the page', async () => {
    const p = person();
    const reference = await submit(p);
    const ip = from();
    for (let i = 0; i < 8; i += 1) await http().get('/case').set('X-Forwarded-For', ip);
    const refused = await api(reference, { contact: p.email }, ip).expect(429);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.body.type).toBe('urn:vpppd:problem:rate-limited');
    expect(JSON.stringify(refused.body)).not.toContain(p.email);
    const page = await http().get('/case?lang=en').set('X-Forwarded-For', ip).set('Accept', 'text/html').expect(429);
    expect(page.text).toContain('Too many attempts');
    // Another source still gets its answer.
    await api(reference, { contact: p.email }, from()).expect(200);
  });

  it('limits guesses at one reference from many sources, the same for a wrong pair and a missing case', async () => {
    const p = person();
    const reference = await submit(p);
    for (let i = 0; i < 5; i += 1) await api(reference, { contact: `guess${i}@example.lv` }, from()).expect(404);
    const refused = await api(reference, { contact: p.email }, from()).expect(429);
    expect(refused.body.type).toBe('urn:vpppd:problem:rate-limited');
    const missing = 'VP-2026-999999';
    for (let i = 0; i < 5; i += 1) await api(missing, { contact: `guess${i}@example.lv` }, from()).expect(404);
    await api(missing, { contact: p.email }, from()).expect(429);
    // The signed link is not a guess.
    await api(reference, { token: signCaseLink(JWT_SECRET, reference, new Date(Date.now() + 60_000)) }, from()).expect(200);
  });
});

import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { eventually, login, MONITORING, signedSubmission, TestEnv } from './support/test-env';
import { PDF_BYTES, VALID_PERSONAL_CODE, webformSubmission } from './support/factories';

describe('staff API: authentication, institution scope, masking and pagination', () => {
  const env = new TestEnv();
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  const refs: Record<string, string> = {};
  let admin: string;
  let vidSpecialist: string;
  let vsaaSpecialist: string;
  let operator: string;

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all' });
    const agents = app.get(AgentsService);
    const password = 'a-long-enough-password';
    await agents.upsert({
      email: 'vid.specialist@vid.test',
      displayName: 'VID speciālists',
      password,
      roles: ['specialist'],
      institutionCodes: ['VID'],
    });
    await agents.upsert({
      email: 'vsaa.specialist@vsaa.test',
      displayName: 'VSAA speciāliste',
      password,
      roles: ['specialist'],
      institutionCodes: ['VSAA'],
    });
    await agents.upsert({ email: 'operator@vpppd.test', displayName: 'Operatore', password, roles: ['operator'] });
    admin = await login(app);
    vidSpecialist = await login(app, 'vid.specialist@vid.test', password);
    vsaaSpecialist = await login(app, 'VSAA.Specialist@vsaa.test', password); // e-mail is case-insensitive
    operator = await login(app, 'operator@vpppd.test', password);

    for (const institution of ['VID', 'VSAA', 'VSAA']) {
      const body = webformSubmission({ institution });
      const res = await signedSubmission(app, body).expect(202);
      refs[`${institution}-${Object.keys(refs).length}`] = res.body.reference;
    }
    await eventually(async () => (await env.sql('SELECT count(*)::int AS n FROM tickets'))[0].n === 3);
  });
  afterAll(() => env.teardown());

  it('refuses requests without a valid token with 401 problem+json', async () => {
    const res = await http().get('/v1/tickets').expect(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    await http().get('/v1/tickets').set('Authorization', 'Bearer not-a-token').expect(401);
    await http()
      .get(`/v1/tickets/${Object.values(refs)[0]}`)
      .expect(401);
  });

  it('refuses a wrong password without saying whether the account exists', async () => {
    const wrong = await http().post('/v1/auth/login').send({ email: 'operator@vpppd.test', password: 'nope' }).expect(401);
    const unknown = await http().post('/v1/auth/login').send({ email: 'nobody@vpppd.test', password: 'nope' }).expect(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
    await http().post('/v1/auth/login').send({ email: 'not-an-email', password: 'x' }).expect(422);
  });

  it('shows centre-wide roles every ticket, newest first', async () => {
    const res = await http().get('/v1/tickets').set('Authorization', `Bearer ${admin}`).expect(200);
    expect(res.body.items.map((t: any) => t.reference)).toEqual(Object.values(refs).reverse());
    const op = await http().get('/v1/tickets').set('Authorization', `Bearer ${operator}`).expect(200);
    expect(op.body.items).toHaveLength(3);
  });

  it("never shows a specialist another institution's tickets, in lists or by reference", async () => {
    const vid = await http().get('/v1/tickets').set('Authorization', `Bearer ${vidSpecialist}`).expect(200);
    expect(vid.body.items.map((t: any) => t.institution)).toEqual(['VID']);
    // Asking for the other institution by filter does not widen the scope.
    const filtered = await http().get('/v1/tickets?institution=VSAA').set('Authorization', `Bearer ${vidSpecialist}`).expect(200);
    expect(filtered.body.items).toEqual([]);

    const vsaaRef = refs['VSAA-1'];
    const res = await http().get(`/v1/tickets/${vsaaRef}`).set('Authorization', `Bearer ${vidSpecialist}`).expect(404);
    expect(res.body.type).toBe('urn:vpppd:problem:not-found');
    await http().get(`/v1/tickets/${vsaaRef}`).set('Authorization', `Bearer ${vsaaSpecialist}`).expect(200);
  });

  it('filters by institution, channel, status, level and queue', async () => {
    const get = (q: string) => http().get(`/v1/tickets?${q}`).set('Authorization', `Bearer ${admin}`).expect(200);
    expect((await get('institution=VSAA')).body.items).toHaveLength(2);
    expect((await get('queue=VID')).body.items).toHaveLength(1);
    expect((await get('channel=webform&status=queued&level=1')).body.items).toHaveLength(3);
    expect((await get('channel=email')).body.items).toHaveLength(0);
    const bad = await http().get('/v1/tickets?level=7&status=nonsense').set('Authorization', `Bearer ${admin}`).expect(422);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['level', 'status']);
  });

  it('filters by assignee and finds tickets by reference, subject or customer name', async () => {
    const ref = refs['VID-0'];
    await request(app.getHttpServer()).post(`/v1/tickets/${ref}/claim`).set('Authorization', `Bearer ${operator}`).send({}).expect(200);
    const mine = await http().get('/v1/tickets?assignee=me').set('Authorization', `Bearer ${operator}`).expect(200);
    expect(mine.body.items.map((t: any) => t.reference)).toEqual([ref]);
    // The inbox names who holds a ticket, and the ticket names everyone on its timeline, without a request per person.
    expect(mine.body.items[0].assignee).toEqual({ id: mine.body.items[0].assigneeId, displayName: 'Operatore' });
    const detail = await http().get(`/v1/tickets/${ref}`).set('Authorization', `Bearer ${operator}`).expect(200);
    expect(detail.body.agents).toEqual([{ id: mine.body.items[0].assigneeId, displayName: 'Operatore' }]);
    const institutions = await http().get('/v1/institutions').set('Authorization', `Bearer ${operator}`).expect(200);
    expect(institutions.body).toContainEqual({
      code: 'VID',
      nameLv: 'Valsts ieņēmumu dienests',
      nameEn: 'State Revenue Service',
      kind: 'state',
      acceptsCases: true,
      publicContact: null,
    });
    await http().get('/v1/institutions').expect(401);
    const none = await http().get('/v1/tickets?assignee=none').set('Authorization', `Bearer ${admin}`).expect(200);
    expect(none.body.items.map((t: any) => t.reference)).not.toContain(ref);
    expect(
      (
        await http()
          .get(`/v1/tickets?q=${ref.slice(-6)}`)
          .set('Authorization', `Bearer ${admin}`)
          .expect(200)
      ).body.items.map((t: any) => t.reference),
    ).toEqual([ref]);
    expect(
      (await http().get('/v1/tickets?q=vecuma%20pensiju').set('Authorization', `Bearer ${admin}`).expect(200)).body.items,
    ).toHaveLength(3);
    expect(
      (
        await http()
          .get(`/v1/tickets?q=${encodeURIComponent('Bērziņš')}`)
          .set('Authorization', `Bearer ${admin}`)
          .expect(200)
      ).body.items,
    ).toHaveLength(3);
    expect((await http().get('/v1/tickets?q=100%25').set('Authorization', `Bearer ${admin}`).expect(200)).body.items).toHaveLength(0);
    await http().get('/v1/tickets?assignee=someone').set('Authorization', `Bearer ${admin}`).expect(422);
    await request(app.getHttpServer())
      .patch(`/v1/tickets/${ref}`)
      .set('Authorization', `Bearer ${operator}`)
      .send({ status: 'queued' })
      .expect(200);
  });

  it('pages with a keyset cursor without skipping or repeating, both ways', async () => {
    const page = (q: string) => http().get(`/v1/tickets?${q}`).set('Authorization', `Bearer ${admin}`).expect(200);
    const first = await page('limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await page(`limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const all = [...first.body.items, ...second.body.items].map((t: any) => t.reference);
    expect(all).toEqual(Object.values(refs).reverse());

    const oldest = await page('order=oldest&limit=1');
    expect(oldest.body.items[0].reference).toBe(Object.values(refs)[0]);
    await http().get('/v1/tickets?cursor=garbage').set('Authorization', `Bearer ${admin}`).expect(422);
  });

  it('masks personal codes for roles that may not see them, and audits every unmasked read', async () => {
    const ref = refs['VID-0'];
    const masked = await http().get(`/v1/tickets/${ref}`).set('Authorization', `Bearer ${admin}`).expect(200);
    const code = masked.body.customer.identifiers.find((i: any) => i.kind === 'personal_code');
    expect(code).toEqual({ kind: 'personal_code', value: '121282-*****', masked: true, provenance: 'citizen' });
    // The ticket's own contact is masked the same way.
    expect(masked.body.contact).toContainEqual({ kind: 'personal_code', value: '121282-*****', masked: true, provenance: 'citizen' });
    expect(JSON.stringify(masked.body)).not.toContain(VALID_PERSONAL_CODE.replace('-', ''));
    // So are e-mail addresses and phone numbers, in identifiers, the contact and the messages' addresses.
    const email = masked.body.contact.find((i: any) => i.kind === 'email');
    expect(email).toMatchObject({ value: expect.stringMatching(/^j\*\*\*@example\.lv$/), masked: true });
    expect(masked.body.contact.find((i: any) => i.kind === 'phone')).toMatchObject({ value: '+371 2*****00', masked: true });
    expect(masked.body.customer.identifiers.filter((i: any) => i.kind === 'email' || i.kind === 'phone').every((i: any) => i.masked)).toBe(
      true,
    );
    expect(JSON.stringify(masked.body)).not.toMatch(/janis\.\d+@example\.lv|\+37120000000/);

    // Reading the messages is audited too: one row for the request, naming how many bodies it showed.
    const bodiesRead = await env.sql(`SELECT * FROM audit_events WHERE action = 'messages.read' AND detail->>'reference' = $1`, [ref]);
    expect(bodiesRead).toHaveLength(1);
    expect(bodiesRead[0]).toMatchObject({ subject_type: 'ticket', detail: { reference: ref, messages: 1 } });

    const before = (await env.sql(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'personal_code.read'`))[0].n;
    const open = await http()
      .get(`/v1/tickets/${ref}`)
      .set('Authorization', `Bearer ${vidSpecialist}`)
      .set('X-Request-Id', 'req-audit-1')
      .expect(200);
    expect(open.body.customer.identifiers.find((i: any) => i.kind === 'personal_code')).toEqual({
      kind: 'personal_code',
      value: VALID_PERSONAL_CODE.replace('-', ''),
      masked: false,
      provenance: 'citizen',
    });
    expect(open.body.contact.find((i: any) => i.kind === 'email')).toMatchObject({
      value: expect.stringMatching(/^janis\.\d+@example\.lv$/),
      masked: false,
    });
    expect(open.body.contact.find((i: any) => i.kind === 'phone')).toMatchObject({ value: '+37120000000', masked: false });
    const audit = await env.sql(`SELECT * FROM audit_events WHERE action = 'personal_code.read' ORDER BY created_at`);
    expect(audit).toHaveLength(before + 1);
    expect(audit[audit.length - 1]).toMatchObject({
      subject_type: 'customer',
      subject_id: open.body.customer.id,
      request_id: 'req-audit-1',
      detail: { ticket: ref, count: 1 },
    });
    const [specialist] = await env.sql(`SELECT id FROM agents WHERE email = 'vid.specialist@vid.test'`);
    expect(audit[audit.length - 1].actor_agent_id).toBe(specialist.id);
  });

  it('shows a ticket with its messages and its level history', async () => {
    const res = await http().get(`/v1/tickets/${refs['VSAA-2'].toLowerCase()}`).set('Authorization', `Bearer ${operator}`).expect(200);
    expect(res.body).toMatchObject({ reference: refs['VSAA-2'], institution: 'VSAA', queue: 'VSAA', channel: 'webform', level: 1 });
    expect(res.body.messages).toHaveLength(1);
    expect(res.body.messages[0]).toMatchObject({ direction: 'inbound', author: 'customer', subject: 'Par vecuma pensiju' });
    expect(res.body.escalations).toEqual([expect.objectContaining({ fromLevel: 0, toLevel: 1, toQueue: 'VSAA', reason: 'routed' })]);
  });

  it('a disabled account loses access at once, even with a token still valid', async () => {
    // Disabled as an admin does it: every instance drops its cached session check at once.
    const [agent] = await env.sql(`SELECT id FROM agents WHERE email = 'operator@vpppd.test'`);
    await http().patch(`/v1/admin/agents/${agent.id}`).set('Authorization', `Bearer ${admin}`).send({ active: false }).expect(200);
    await http().get('/v1/tickets').set('Authorization', `Bearer ${operator}`).expect(401);
  });

  it('serves /health (up or down; details for the monitoring token) and the OpenAPI description without a token', async () => {
    expect((await http().get('/health').expect(200)).body).toEqual({ status: 'up' });
    const health = await http().get('/health').set(MONITORING).expect(200);
    // Degraded only because these tests run without a malware scanner (CLAMAV_URL unset).
    expect(health.body).toMatchObject({
      status: 'degraded',
      checks: { postgres: { status: 'up' }, redis: { status: 'up' } },
      scanning: { status: 'off' },
    });
    const docs = await http().get('/docs/openapi.json').expect(200);
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/v1/channels/webform/submissions', '/v1/tickets', '/v1/tickets/{reference}', '/v1/auth/login']),
    );
    const res = await http().get('/health').set('X-Request-Id', 'trace-me-123');
    expect(res.headers['x-request-id']).toBe('trace-me-123');
  });

  it('lets staff who may see the ticket download its files, always as attachments, and records who opened which', async () => {
    const body = webformSubmission({
      institution: 'VID',
      attachments: [{ filename: 'iesniegums ķēde.pdf', contentType: 'application/pdf', contentBase64: PDF_BYTES.toString('base64') }],
    });
    const { reference } = (await signedSubmission(app, body).expect(202)).body;
    const detail = await eventually(async () => {
      const res = await http().get(`/v1/tickets/${reference}`).set('Authorization', `Bearer ${vidSpecialist}`);
      return res.status === 200 && res.body.messages[0]?.attachments.length === 1 ? res.body : null;
    });
    const file = detail.messages[0].attachments[0];
    const url = `/v1/tickets/${reference}/attachments/${file.id}`;

    const res = await http()
      .get(url)
      .set('Authorization', `Bearer ${vidSpecialist}`)
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(Buffer.compare(res.body as Buffer, PDF_BYTES)).toBe(0);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="iesniegums ??de.pdf"; filename*=UTF-8''iesniegums%20%C4%B7%C4%93de.pdf`,
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(res.headers['cache-control']).toBe('private, no-store');

    const [read] = await env.sql(
      `SELECT actor_agent_id IS NOT NULL AS by_someone, subject_id, detail FROM audit_events WHERE action = 'attachment.read'`,
    );
    expect(read).toEqual({ by_someone: true, subject_id: reference, detail: { attachmentId: file.id, filename: 'iesniegums ķēde.pdf' } });

    // Another institution's specialist learns nothing, not even that the file exists.
    const hidden = await http().get(url).set('Authorization', `Bearer ${vsaaSpecialist}`).expect(404);
    const missing = await http()
      .get(`/v1/tickets/${reference}/attachments/00000000-0000-4000-8000-000000000000`)
      .set('Authorization', `Bearer ${vsaaSpecialist}`)
      .expect(404);
    expect(hidden.body.title).toBe(missing.body.title);
    await http().get(`/v1/tickets/${reference}/attachments/not-a-uuid`).set('Authorization', `Bearer ${vidSpecialist}`).expect(400);
    await http().get(url).expect(401);
  });
});

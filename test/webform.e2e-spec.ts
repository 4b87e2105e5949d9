import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { signTimestampedHmac } from '@lib/webhook-signature';
import { eventually, MONITORING, signedSubmission, TestEnv, WEBFORM_SECRET } from './support/test-env';
import { PDF_BYTES, PNG_BYTES, VALID_PERSONAL_CODE, webformSubmission } from './support/factories';

describe('Latvija.lv web-form channel → one inbound pipeline → ticket', () => {
  const env = new TestEnv();
  let app: INestApplication;

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all' });
  });
  afterAll(() => env.teardown());

  const ticketsFor = (submissionId: string) =>
    env.sql(
      `SELECT t.*, i.code AS institution, q.code AS queue FROM tickets t
       JOIN messages m ON m.ticket_id = t.id
       LEFT JOIN institutions i ON i.id = t.institution_id LEFT JOIN queues q ON q.id = t.queue_id
       WHERE m.channel = 'webform' AND m.external_id = $1`,
      [submissionId],
    );

  it('turns a signed submission into exactly one ticket with the right institution, kind, language and queue', async () => {
    const body = webformSubmission({ form: 'complaint', institution: 'VID', language: 'ru', subject: 'Жалоба', message: 'Текст жалобы' });
    const res = await signedSubmission(app, body).expect(202);
    expect(res.body).toEqual({ reference: expect.stringMatching(/^VP-\d{4}-\d{6}$/), status: 'accepted' });

    const [ticket] = await eventually(async () => {
      const rows = await ticketsFor(body.submissionId);
      return rows.length ? rows : null;
    });
    expect(ticket).toMatchObject({
      reference: res.body.reference,
      channel: 'webform',
      institution: 'VID',
      queue: 'VID',
      kind: 'complaint',
      language: 'ru',
      status: 'queued',
      level: 1,
      subject: 'Жалоба',
    });
    const [message] = await env.sql('SELECT * FROM messages WHERE ticket_id = $1', [ticket.id]);
    expect(message).toMatchObject({ direction: 'inbound', author_type: 'customer', text: 'Текст жалобы', external_id: body.submissionId });

    // Level 0 handed it to level 1, and that is on record.
    const escalations = await env.sql('SELECT from_level, to_level, reason FROM escalations WHERE ticket_id = $1', [ticket.id]);
    expect(escalations).toEqual([{ from_level: 0, to_level: 1, reason: 'routed' }]);

    // The customer is found by identifiers, stored normalised.
    const identifiers = await env.sql('SELECT kind, value FROM customer_identifiers WHERE customer_id = $1 ORDER BY kind', [
      ticket.customer_id,
    ]);
    expect(identifiers).toEqual([
      { kind: 'email', value: body.applicant.email },
      { kind: 'personal_code', value: VALID_PERSONAL_CODE.replace('-', '') },
      { kind: 'phone', value: '+37120000000' },
    ]);
  });

  it('answers a replay with the same reference and creates nothing, sequentially and concurrently', async () => {
    const body = webformSubmission();
    const first = await signedSubmission(app, body).expect(202);
    const again = await signedSubmission(app, body).expect(202);
    expect(again.body.reference).toBe(first.body.reference);

    const concurrent = webformSubmission();
    const answers = await Promise.all([1, 2, 3].map(() => signedSubmission(app, concurrent)));
    answers.forEach((a) => expect(a.status).toBe(202));
    expect(new Set(answers.map((a) => a.body.reference)).size).toBe(1);

    for (const id of [body.submissionId, concurrent.submissionId]) {
      await eventually(async () => (await ticketsFor(id)).length === 1);
    }
    // Give a wrongly duplicated job every chance to show itself before counting.
    await new Promise((r) => setTimeout(r, 300));
    for (const id of [body.submissionId, concurrent.submissionId]) {
      const [{ tickets, messages, events }] = await env.sql(
        `SELECT (SELECT count(DISTINCT ticket_id) FROM messages WHERE channel = 'webform' AND external_id = $1)::int AS tickets,
                (SELECT count(*) FROM messages WHERE channel = 'webform' AND external_id = $1)::int AS messages,
                (SELECT count(*) FROM inbound_events WHERE channel = 'webform' AND external_id = $1)::int AS events`,
        [id],
      );
      expect({ tickets, messages, events }).toEqual({ tickets: 1, messages: 1, events: 1 });
    }
    const processed = await signedSubmission(app, body).expect(202);
    expect(processed.body).toEqual({ reference: first.body.reference, status: 'processed' });
  });

  it('an applicant the portal signed in is one customer across submissions, found by the verified personas kods', async () => {
    const a = webformSubmission({ applicant: { ...webformSubmission().applicant, authenticated: true } });
    const b = webformSubmission({ applicant: { ...a.applicant, email: 'other.address@example.lv', phone: '+37129999999' } });
    await signedSubmission(app, a).expect(202);
    const [ta] = await eventually(async () => ((await ticketsFor(a.submissionId)).length ? ticketsFor(a.submissionId) : null));
    await signedSubmission(app, b).expect(202);
    const [tb] = await eventually(async () => ((await ticketsFor(b.submissionId)).length ? ticketsFor(b.submissionId) : null));
    expect(ta.id).not.toBe(tb.id);
    expect(ta.customer_id).toBe(tb.customer_id);
    const provenance = await env.sql(
      'SELECT kind, value, provenance FROM customer_identifiers WHERE customer_id = $1 ORDER BY kind, value',
      [ta.customer_id],
    );
    expect(provenance).toEqual(
      expect.arrayContaining([
        { kind: 'personal_code', value: VALID_PERSONAL_CODE.replace('-', ''), provenance: 'portal' },
        { kind: 'email', value: a.applicant.email, provenance: 'citizen' },
        { kind: 'email', value: 'other.address@example.lv', provenance: 'citizen' },
      ]),
    );
  });

  it('details typed into a form without signing in join no earlier customer', async () => {
    const a = webformSubmission();
    const b = webformSubmission({ applicant: { ...a.applicant } });
    await signedSubmission(app, a).expect(202);
    const [ta] = await eventually(async () => ((await ticketsFor(a.submissionId)).length ? ticketsFor(a.submissionId) : null));
    await signedSubmission(app, b).expect(202);
    const [tb] = await eventually(async () => ((await ticketsFor(b.submissionId)).length ? ticketsFor(b.submissionId) : null));
    expect(ta.customer_id).not.toBe(tb.customer_id);
    // Each ticket keeps the contact it came with, as given.
    const contacts = await env.sql('SELECT kind, value, provenance FROM ticket_contacts WHERE ticket_id = $1 ORDER BY kind', [tb.id]);
    expect(contacts).toEqual([
      { kind: 'email', value: a.applicant.email, provenance: 'citizen' },
      { kind: 'personal_code', value: VALID_PERSONAL_CODE.replace('-', ''), provenance: 'citizen' },
      { kind: 'phone', value: '+37120000000', provenance: 'citizen' },
    ]);
  });

  it('routes a contact for an institution that only takes referrals on, instead of opening a case for it', async () => {
    const body = webformSubmission({ institution: 'VP', subject: 'Zādzība', message: 'Man nozaga velosipēdu.' });
    await signedSubmission(app, body).expect(202);
    const [ticket] = await eventually(async () => ((await ticketsFor(body.submissionId)).length ? ticketsFor(body.submissionId) : null));
    expect(ticket.institution_id).toBeNull();
    expect(ticket.queue).toBe('GENERAL');
    const [referred] = await env.sql('SELECT code FROM institutions WHERE id = $1', [ticket.referred_institution_id]);
    expect(referred.code).toBe('VP');
    const [escalation] = await env.sql('SELECT reason, summary FROM escalations WHERE ticket_id = $1', [ticket.id]);
    expect(escalation.reason).toBe('referral');
    expect(escalation.summary).toContain('VP only takes referrals');
  });

  it('drops NUL characters rather than refusing the submission (PostgreSQL text cannot hold them)', async () => {
    const body = webformSubmission({ message: 'Teksts\u0000ar nulli' });
    await signedSubmission(app, body).expect(202);
    const [ticket] = await eventually(async () => ((await ticketsFor(body.submissionId)).length ? ticketsFor(body.submissionId) : null));
    const [message] = await env.sql('SELECT text FROM messages WHERE ticket_id = $1', [ticket.id]);
    expect(message.text).toBe('Tekstsar nulli');
  });

  it('sends a submission without an institution, about nothing level 0 can tell, to the general queue unclassified', async () => {
    const body = webformSubmission({ institution: undefined, subject: 'Sveiki', message: 'Labdien! Paldies, lai jums jauka diena.' });
    await signedSubmission(app, body).expect(202);
    const [ticket] = await eventually(async () => ((await ticketsFor(body.submissionId)).length ? ticketsFor(body.submissionId) : null));
    expect(ticket.queue).toBe('GENERAL');
    expect(ticket.institution_id).toBeNull();
    expect(ticket.unclassified).toBe(true);
  });

  it('gives a submission without an institution the one its text is about', async () => {
    const body = webformSubmission({ institution: undefined });
    await signedSubmission(app, body).expect(202);
    const [ticket] = await eventually(async () => ((await ticketsFor(body.submissionId)).length ? ticketsFor(body.submissionId) : null));
    expect(ticket.queue).toBe('VSAA');
    // The form's own topic is kept: level 0 fills in only what the channel did not say.
    expect(ticket).toMatchObject({ topic: 'pensijas', unclassified: false });
  });

  it('stores attachments with their detected type and a sanitised name, linked to the message', async () => {
    const body = webformSubmission({
      attachments: [
        { filename: '../../iesniegums.pdf', contentType: 'application/octet-stream', contentBase64: PDF_BYTES.toString('base64') },
        { filename: 'foto ķēde.png', contentType: 'image/png', contentBase64: PNG_BYTES.toString('base64') },
      ],
    });
    await signedSubmission(app, body).expect(202);
    const [ticket] = await eventually(async () => ((await ticketsFor(body.submissionId)).length ? ticketsFor(body.submissionId) : null));
    const files = await eventually(async () => {
      const rows = await env.sql(
        `SELECT a.filename, a.content_type, a.size, a.content FROM attachments a JOIN messages m ON m.id = a.message_id
         WHERE m.ticket_id = $1 ORDER BY a.filename`,
        [ticket.id],
      );
      return rows.length === 2 ? rows : null;
    });
    expect(files.map((f) => [f.filename, f.content_type, f.size])).toEqual([
      ['foto ķēde.png', 'image/png', PNG_BYTES.length],
      ['iesniegums.pdf', 'application/pdf', PDF_BYTES.length],
    ]);
    expect(Buffer.compare(files[1].content, PDF_BYTES)).toBe(0);
  });

  describe('refuses bad input with a clear 4xx and stores nothing', () => {
    const countStored = async (submissionId: string) => {
      const [row] = await env.sql(
        `SELECT (SELECT count(*) FROM inbound_events WHERE external_id = $1)::int
              + (SELECT count(*) FROM messages WHERE external_id = $1)::int AS n`,
        [submissionId],
      );
      return row.n;
    };

    it.each([
      ['a missing signature', 'missing'],
      ['a signature made with another secret', 'mismatch'],
      ['a stale timestamp', 'stale'],
      ['a timestamp from the future', 'stale'],
      ['a malformed signature header', 'malformed'],
    ])('%s → 401', async (_, reason) => {
      const body = webformSubmission();
      const raw = JSON.stringify(body);
      let req = request(app.getHttpServer()).post('/v1/channels/webform/submissions').set('Content-Type', 'application/json');
      const now = Math.floor(Date.now() / 1000);
      if (reason === 'mismatch') req = signedSubmission(app, body, { secret: 'some-other-secret-0123456789abcdefgh' });
      else if (_ === 'a stale timestamp') req = signedSubmission(app, body, { at: now - 301 });
      else if (_ === 'a timestamp from the future') req = signedSubmission(app, body, { at: now + 400 });
      else if (reason === 'malformed') req = req.set('X-Signature', 'sha256=abc');
      const res = await (reason === 'missing' || reason === 'malformed' ? req.send(raw) : req).expect(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status: 401, type: `urn:vpppd:problem:signature-${reason}` });
      expect(await countStored(body.submissionId)).toBe(0);
    });

    it('a body changed after signing → 401', async () => {
      const body = webformSubmission();
      const raw = JSON.stringify(body);
      const signature = signTimestampedHmac(WEBFORM_SECRET, raw, Math.floor(Date.now() / 1000));
      const res = await request(app.getHttpServer())
        .post('/v1/channels/webform/submissions')
        .set('Content-Type', 'application/json')
        .set('X-Signature', signature)
        .send(raw.replace('Par vecuma pensiju', 'Par ko citu'));
      expect(res.status).toBe(401);
      expect(res.body.type).toBe('urn:vpppd:problem:signature-mismatch');
      expect(await countStored(body.submissionId)).toBe(0);
    });

    it('malformed JSON → 400 problem+json', async () => {
      const res = await signedSubmission(app, null, { raw: '{"submissionId": "x",' }).expect(400);
      expect(res.body).toMatchObject({ status: 400, type: 'urn:vpppd:problem:malformed-json' });
    });

    const invalid: Array<[string, (b: any) => void, string, string]> = [
      ['no submissionId', (b) => delete b.submissionId, 'submissionId', 'matches'],
      ['a submissionId with spaces', (b) => (b.submissionId = 'a b'), 'submissionId', 'matches'],
      ['an unknown form', (b) => (b.form = 'praise'), 'form', 'isIn'],
      ['a date that is not ISO 8601', (b) => (b.submittedAt = 'yesterday'), 'submittedAt', 'isIso8601'],
      ['an unknown language', (b) => (b.language = 'de'), 'language', 'isIn'],
      ['an unknown institution', (b) => (b.institution = 'NOPE'), 'institution', 'unknown'],
      [
        'a personal code with a wrong checksum',
        (b) => (b.applicant.personalCode = '121282-11211'),
        'applicant.personalCode',
        'personalCode',
      ],
      [
        'a personal code with an impossible date',
        (b) => (b.applicant.personalCode = '310299-11219'),
        'applicant.personalCode',
        'personalCode',
      ],
      ['a bad e-mail', (b) => (b.applicant.email = 'janis@'), 'applicant.email', 'isEmail'],
      ['a phone not in E.164', (b) => (b.applicant.phone = '20000000'), 'applicant.phone', 'matches'],
      [
        'no way to reply',
        (b) => {
          delete b.applicant.email;
          delete b.applicant.phone;
        },
        'applicant',
        'noReplyChannel',
      ],
      [
        'an e-address reply without a personal code',
        (b) => {
          b.applicant.eAddress = true;
          delete b.applicant.personalCode;
        },
        'applicant.personalCode',
        'requiredForEAddress',
      ],
      ['no first name', (b) => delete b.applicant.firstName, 'applicant.firstName', 'isString'],
      ['an empty message', (b) => (b.message = ''), 'message', 'minLength'],
      ['a message over 20,000 characters', (b) => (b.message = 'ā'.repeat(20001)), 'message', 'maxLength'],
      ['a subject over 300 characters', (b) => (b.subject = 'x'.repeat(301)), 'subject', 'maxLength'],
      ['an unexpected field', (b) => (b.priority = 'urgent'), 'priority', 'whitelistValidation'],
      [
        'eleven attachments',
        (b) =>
          (b.attachments = Array.from({ length: 11 }, (_, i) => ({
            filename: `${i}.pdf`,
            contentType: 'application/pdf',
            contentBase64: PDF_BYTES.toString('base64'),
          }))),
        'attachments',
        'arrayMaxSize',
      ],
      [
        'an attachment that is not base64',
        (b) => (b.attachments = [{ filename: 'a.pdf', contentType: 'application/pdf', contentBase64: '%%%' }]),
        'attachments[0].contentBase64',
        'isBase64',
      ],
      [
        'an executable named .pdf',
        (b) =>
          (b.attachments = [
            { filename: 'a.pdf', contentType: 'application/pdf', contentBase64: Buffer.from('MZ\x90\x00binary').toString('base64') },
          ]),
        'attachments[0]',
        'content_mismatch',
      ],
      [
        'a file type the portal does not allow',
        (b) =>
          (b.attachments = [
            { filename: 'a.exe', contentType: 'application/octet-stream', contentBase64: Buffer.from('MZ\x90\x00').toString('base64') },
          ]),
        'attachments[0]',
        'type_not_allowed',
      ],
      [
        'an attachment over 10 MB',
        (b) =>
          (b.attachments = [
            {
              filename: 'big.pdf',
              contentType: 'application/pdf',
              contentBase64: Buffer.concat([PDF_BYTES, Buffer.alloc(10 * 1024 * 1024)]).toString('base64'),
            },
          ]),
        'attachments[0]',
        'too_large',
      ],
    ];

    it.each(invalid)('%s → 422 naming %s', async (_, mutate, field, code) => {
      const body: any = webformSubmission();
      mutate(body);
      const res = await signedSubmission(app, body).expect(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.type).toBe('urn:vpppd:problem:validation');
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, code })]));
      if (body.submissionId) expect(await countStored(body.submissionId)).toBe(0);
    });

    it('counts every refusal in /metrics by reason', async () => {
      const res = await request(app.getHttpServer()).get('/metrics').set(MONITORING).expect(200);
      expect(res.text).toMatch(/vp_inbound_events_total\{channel="webform",outcome="rejected",reason="signature_mismatch"\} [1-9]/);
      expect(res.text).toMatch(/vp_inbound_events_total\{channel="webform",outcome="rejected",reason="validation"\} [1-9]/);
      expect(res.text).toMatch(/vp_inbound_events_total\{channel="webform",outcome="duplicate",reason=""\} [1-9]/);
      expect(res.text).toMatch(/vp_queue_jobs\{queue="inbound",state="waiting"\} \d+/);
    });
  });
});

import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { metaSignature } from '../bench/support/webhook-signing';
import { openAroundTheClock } from './support/calendar';
import { ChatVisitor } from './support/chat-visitor';
import { EICAR, TestClamd } from './support/clamd';
import { PDF_BYTES, webformSubmission } from './support/factories';
import { appendMessage, MAIL_PASSWORD, mailServers, uniqueMailbox } from './support/mail-servers';
import { eventually, login, MONITORING, signedSubmission, TestEnv } from './support/test-env';
import { Caller, TwilioPlayer, voiceConfig } from './support/twilio-player';

const APP_SECRET = 'meta-app-secret-for-the-scan-test';
const THREAT = 'Eicar-Test-Signature.UNOFFICIAL';

/** The EICAR test string inside what each channel's type check accepts: a PDF, a JPEG, an MP3. */
const infected = {
  pdf: Buffer.concat([Buffer.from('%PDF-1.7\n'), EICAR, Buffer.from('\n%%EOF\n')]),
  jpeg: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0', 'latin1'), EICAR, randomBytes(512)]),
  mp3: Buffer.concat([Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00', 'latin1'), EICAR, Buffer.alloc(2000, 0xa5)]),
};

describe('arriving files scanned by a real clamd before staff may open them', () => {
  const env = new TestEnv();
  let clamd: TestClamd;
  let app: INestApplication;
  let files: Server;
  let base: string;
  let centre: string;
  let token: string;
  const http = () => request(app.getHttpServer());
  const sockets: ChatVisitor[] = [];

  /** The attachment rows of a channel's message, with their ticket. */
  const filesOf = (where: string, params: unknown[]) =>
    env.sql(
      `SELECT a.id, a.filename, a.scan_status, a.scan_threat, t.reference FROM attachments a
       JOIN messages m ON m.id = a.message_id JOIN tickets t ON t.id = m.ticket_id WHERE ${where} ORDER BY a.filename`,
      params,
    );
  const decided = (where: string, params: unknown[], count = 1) =>
    eventually(
      async () => {
        const rows = await filesOf(where, params);
        return rows.length === count && rows.every((r) => r.scan_status !== 'pending') ? rows : null;
      },
      { timeoutMs: 60_000, everyMs: 200 },
    );
  const download = (reference: string, id: string) =>
    http()
      .get(`/v1/tickets/${reference}/attachments/${id}`)
      .set('Authorization', `Bearer ${token}`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
  const timelineFile = async (reference: string, id: string) => {
    const ticket = await http().get(`/v1/tickets/${reference}`).set('Authorization', `Bearer ${token}`).expect(200);
    return ticket.body.messages.flatMap((m: any) => m.attachments).find((a: any) => a.id === id);
  };
  const expectQuarantined = async (row: Record<string, any>) => {
    expect(row).toMatchObject({ scan_status: 'infected', scan_threat: THREAT });
    expect(await timelineFile(row.reference, row.id)).toMatchObject({ scan: 'infected', threat: THREAT });
    const refused = await download(row.reference, row.id).expect(403);
    expect(JSON.parse(refused.body.toString())).toMatchObject({ status: 403, type: 'urn:vpppd:problem:file-quarantined' });
    expect(refused.body.toString()).not.toContain('EICAR');
  };

  beforeAll(async () => {
    clamd = await TestClamd.start();
    const mail = await mailServers();
    centre = uniqueMailbox('scan');
    // Stands in for Twilio's recordings and Meta's CDN.
    files = createServer((req, res) => {
      if (req.url?.endsWith('.mp3')) return res.writeHead(200, { 'Content-Type': 'audio/mpeg' }).end(infected.mp3);
      if (req.url === '/cdn/eicar.jpg') return res.writeHead(200, { 'Content-Type': 'image/jpeg' }).end(infected.jpeg);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    app = await env.startApi({
      APP_ROLE: 'all',
      CLAMAV_URL: clamd.url,
      CLAMAV_SWEEP_SECONDS: '5',
      IMAP_HOST: mail.imap.host,
      IMAP_PORT: String(mail.imap.port),
      IMAP_TLS: 'false',
      IMAP_USER: centre,
      IMAP_PASSWORD: MAIL_PASSWORD,
      IMAP_POLL_INTERVAL_MS: '1000',
      META_APP_SECRET: APP_SECRET,
      META_VERIFY_TOKEN: 'verify-token-scan',
      META_ACCESS_TOKEN: 'EAAG-scan-access-token',
      META_GRAPH_BASE_URL: base,
      ...voiceConfig(base),
    });
    await openAroundTheClock(env);
    token = await login(app);
  }, 5 * 60_000);
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await env.teardown();
    await clamd?.teardown();
    await new Promise((r) => files?.close(r));
  });

  it('quarantines the EICAR file sent by web form, e-mail, chat, a social network and voicemail, and serves the clean one', async () => {
    // Web form: one infected, one clean file.
    const form = webformSubmission({
      attachments: [
        { filename: 'virus-webform.pdf', contentType: 'application/pdf', contentBase64: infected.pdf.toString('base64') },
        { filename: 'clean-webform.pdf', contentType: 'application/pdf', contentBase64: PDF_BYTES.toString('base64') },
      ],
    });
    await signedSubmission(app, form).expect(202);

    // E-mail, into the centre's mailbox.
    const b = 'scan-boundary';
    const messageId = `scan-${Date.now()}@customer.test`;
    await appendMessage(
      centre,
      [
        'From: anna@customer.test',
        `To: ${centre}`,
        'Subject: Pielikums',
        `Message-ID: <${messageId}>`,
        `Date: ${new Date().toUTCString()}`,
        'MIME-Version: 1.0',
        `Content-Type: multipart/mixed; boundary="${b}"`,
        '',
        '',
        `--${b}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Skat. pielikumu.',
        `--${b}`,
        'Content-Type: application/pdf; name="virus-email.pdf"',
        'Content-Transfer-Encoding: base64',
        'Content-Disposition: attachment; filename="virus-email.pdf"',
        '',
        infected.pdf.toString('base64'),
        `--${b}--`,
        '',
      ].join('\r\n'),
    );

    // Chat, once a person has the conversation.
    const visitor = await ChatVisitor.connect(app);
    sockets.push(visitor);
    expect(await visitor.start({ language: 'en', name: 'Visitor' })).toMatchObject({ ok: true });
    const handover = await visitor.say('I want a real person');
    await eventually(async () => (await env.sql('SELECT level FROM tickets WHERE reference = $1', [handover.reference]))[0]?.level === 1);
    expect(
      await visitor.say('my application', undefined, { attachments: [{ filename: 'virus-chat.pdf', content: infected.pdf }] }),
    ).toMatchObject({ ok: true });

    // Messenger: the platform's file is fetched by the worker, then scanned.
    const raw = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: 'PAGE1',
          time: Date.now(),
          messaging: [
            {
              sender: { id: 'PSID_SCAN' },
              recipient: { id: 'PAGE1' },
              timestamp: Date.now(),
              message: { mid: 'm_eicar_1', attachments: [{ type: 'image', payload: { url: `${base}/cdn/eicar.jpg` } }] },
            },
          ],
        },
      ],
    });
    await http()
      .post('/v1/channels/social/meta/webhook')
      .set('Content-Type', 'application/json')
      .set('X-Hub-Signature-256', metaSignature(APP_SECRET, raw))
      .send(raw)
      .expect(200);

    // Voicemail: the recording fetched from Twilio.
    const caller = new Caller(new TwilioPlayer(app), '+37120000077');
    await caller.dial();
    const recordingSid = `RE${randomBytes(16).toString('hex')}`;
    const recorded = await caller.post('voicemail-recording', {
      RecordingSid: recordingSid,
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/AC${'a1'.repeat(16)}/Recordings/${recordingSid}`,
      RecordingStatus: 'completed',
      RecordingDuration: '9',
    });
    expect(recorded.status).toBe(204);

    const [cleanForm, virusForm] = await decided(`m.channel = 'webform' AND a.filename LIKE '%-webform.pdf'`, [], 2);
    await expectQuarantined(virusForm);
    expect(cleanForm).toMatchObject({ filename: 'clean-webform.pdf', scan_status: 'clean', scan_threat: null });
    expect(await timelineFile(cleanForm.reference, cleanForm.id)).toMatchObject({ scan: 'clean', threat: null });
    expect((await download(cleanForm.reference, cleanForm.id).expect(200)).body).toEqual(PDF_BYTES);

    await expectQuarantined((await decided(`m.channel = 'email' AND a.filename = 'virus-email.pdf'`, []))[0]);
    await expectQuarantined((await decided(`m.channel = 'chat' AND a.filename = 'virus-chat.pdf'`, []))[0]);
    await expectQuarantined((await decided(`m.external_id = 'messenger:m_eicar_1'`, []))[0]);
    await expectQuarantined((await decided(`m.external_id = $1`, [recordingSid]))[0]);

    const metrics = (await http().get('/metrics').set(MONITORING).expect(200)).text;
    for (const channel of ['webform', 'email', 'chat', 'social', 'voice']) {
      expect(metrics).toMatch(new RegExp(`vp_file_scans_total\\{channel="${channel}",outcome="infected"\\} 1`));
    }
    expect(metrics).toMatch(/vp_file_scans_total\{channel="webform",outcome="clean"\} 1/);
  }, 120_000);

  it('keeps files unscanned and unserved while clamd is down, and scans them when it is back', async () => {
    await clamd.stop();
    const form = webformSubmission({
      attachments: [
        { filename: 'later-virus.pdf', contentType: 'application/pdf', contentBase64: infected.pdf.toString('base64') },
        { filename: 'later-clean.pdf', contentType: 'application/pdf', contentBase64: PDF_BYTES.toString('base64') },
      ],
    });
    await signedSubmission(app, form).expect(202);
    const where = `a.filename LIKE 'later-%'`;
    const waiting = await eventually(async () => {
      const rows = await filesOf(where, []);
      return rows.length === 2 ? rows : null;
    });
    // Long enough for the file's own job to have tried and a sweep to have come by.
    await new Promise((r) => setTimeout(r, 7000));
    for (const row of await filesOf(where, [])) {
      expect(row.scan_status).toBe('pending');
      expect(await timelineFile(row.reference, row.id)).toMatchObject({ scan: 'pending', threat: null });
      const refused = await download(row.reference, row.id).expect(409);
      expect(JSON.parse(refused.body.toString())).toMatchObject({ status: 409, type: 'urn:vpppd:problem:file-not-scanned' });
    }
    const health = await http().get('/health').set(MONITORING).expect(200);
    expect(health.body).toMatchObject({ status: 'degraded', scanning: { status: 'down', waitingFiles: 2 } });
    expect(waiting).toHaveLength(2);

    await clamd.resume();
    const [clean, virus] = await decided(where, [], 2);
    expect(clean).toMatchObject({ filename: 'later-clean.pdf', scan_status: 'clean' });
    expect((await download(clean.reference, clean.id).expect(200)).body).toEqual(PDF_BYTES);
    await expectQuarantined(virus);
    const health2 = await http().get('/health').set(MONITORING).expect(200);
    expect(health2.body).toMatchObject({ scanning: { status: 'up', waitingFiles: 0 } });
  }, 120_000);
});

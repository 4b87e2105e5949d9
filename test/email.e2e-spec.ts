import { INestApplication } from '@nestjs/common';
import iconv from 'iconv-lite';
import { simpleParser } from 'mailparser';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { InboundService } from '../src/inbound/inbound.service';
import { PDF_BYTES } from './support/factories';
import {
  appendMessage,
  deliverViaSmtp,
  listMessages,
  MAIL_PASSWORD,
  mailServers,
  startImap,
  stopImap,
  uniqueMailbox,
  waitForMessages,
  withImap,
} from './support/mail-servers';
import { eventually, login, MONITORING, TestEnv } from './support/test-env';

/** A raw RFC 822 message; `body` is already encoded for the given charset and transfer encoding. */
function rawMail(
  h: { from: string; to: string; subject: string; messageId: string; extra?: string[]; contentType?: string; cte?: string },
  body: string | Buffer,
): Buffer {
  const head = [
    `From: ${h.from}`,
    `To: ${h.to}`,
    `Subject: ${h.subject}`,
    `Message-ID: <${h.messageId}>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    `Content-Type: ${h.contentType ?? 'text/plain; charset=utf-8'}`,
    `Content-Transfer-Encoding: ${h.cte ?? '8bit'}`,
    ...(h.extra ?? []),
    '',
    '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8')]);
}

const LV = 'Labdien! Vēlos pieteikties pabalstam. Ķēķis, ģimene, šūpoles, žogs, ņurdēt, ļoti, ūdens.';
const RU = 'Здравствуйте! Хочу подать заявление. Съешь же ещё этих мягких французских булок.';
let seq = 0;
const mid = () => `test-${Date.now()}-${++seq}@customer.test`;

describe('e-mail channel against real IMAP and SMTP servers', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let centre: string;
  let servers: Awaited<ReturnType<typeof mailServers>>;
  const http = () => request(app.getHttpServer());

  const mailConfig = () => ({
    APP_ROLE: 'all',
    IMAP_HOST: servers.imap.host,
    IMAP_PORT: String(servers.imap.port),
    IMAP_TLS: 'false',
    IMAP_USER: centre,
    IMAP_PASSWORD: MAIL_PASSWORD,
    IMAP_POLL_INTERVAL_MS: '1000',
    SMTP_HOST: servers.smtp.host,
    SMTP_PORT: String(servers.smtp.port),
    SMTP_TLS: 'false',
    MAIL_FROM: `VPPPD <${centre}>`,
    EMAIL_ACK_MAX_PER_DAY: '2',
  });

  beforeAll(async () => {
    servers = await mailServers();
    centre = uniqueMailbox('centre');
    app = await env.startApi(mailConfig());
  });
  afterAll(() => env.teardown());

  /** One more mailbox of the centre on the test server, added as an admin adds one. */
  const addMailbox = async (admin: string, name: string, address: string, folder: string): Promise<{ id: string }> =>
    (
      await http()
        .post('/v1/admin/mailboxes')
        .set('Authorization', `Bearer ${admin}`)
        .send({
          name,
          address,
          host: servers.imap.host,
          port: servers.imap.port,
          tls: false,
          username: address,
          password: MAIL_PASSWORD,
          folder,
        })
        .expect(201)
    ).body;

  const ticketOf = (messageId: string, timeoutMs?: number) =>
    eventually(
      async () => {
        const [row] = await env.sql(
          `SELECT t.*, m.text AS message_text, m.html AS message_html, m.subject AS message_subject, m.id AS message_id, m.meta AS message_meta
         FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.channel = 'email' AND m.external_id = $1`,
          [messageId],
        );
        return row ?? null;
      },
      { timeoutMs },
    );

  it.each([
    ['utf-8', 'base64', LV],
    ['windows-1257', 'quoted-printable', LV],
    ['iso-8859-13', '8bit', LV],
    ['iso-8859-4', 'base64', LV],
    ['koi8-r', '8bit', RU],
    ['windows-1251', 'quoted-printable', RU],
  ])('reads a %s body (%s) and an encoded subject as correct text', async (charset, cte, text) => {
    const encoded = iconv.encode(text, charset);
    const body =
      cte === 'base64'
        ? Buffer.from(encoded.toString('base64').replace(/.{76}/g, '$&\r\n'))
        : cte === 'quoted-printable'
          ? Buffer.from(
              [...encoded]
                .map((b) =>
                  b >= 33 && b <= 126 && b !== 61 ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`,
                )
                .join('')
                .replace(/.{72}[^=]{0,2}/g, '$&=\r\n'),
            )
          : encoded;
    const subjectText = text.slice(0, 20);
    const subject = `=?${charset}?B?${iconv.encode(subjectText, charset).toString('base64')}?=`;
    const messageId = mid();
    await appendMessage(
      centre,
      rawMail(
        { from: 'Jānis <janis@customer.test>', to: centre, subject, messageId, contentType: `text/plain; charset=${charset}`, cte },
        body,
      ),
    );
    const ticket = await ticketOf(messageId);
    expect(ticket.message_text.trim()).toBe(text);
    expect(ticket.message_subject).toBe(subjectText);
    expect(ticket.channel).toBe('email');
    expect(ticket.language).toBe(charset === 'koi8-r' || charset === 'windows-1251' ? 'ru' : 'lv');
  });

  it('keeps HTML-only and multipart/alternative mail, with the HTML sanitised', async () => {
    const htmlOnly = mid();
    await appendMessage(
      centre,
      rawMail(
        { from: 'anna@customer.test', to: centre, subject: 'HTML', messageId: htmlOnly, contentType: 'text/html; charset=utf-8' },
        '<p>Labdien, <b>lūdzu</b> palīdziet.</p><script>alert(1)</script><img src="https://tracker.example/p.gif"><a href="javascript:alert(2)">x</a><div onclick="steal()">klik</div>',
      ),
    );
    const t1 = await ticketOf(htmlOnly);
    expect(t1.message_text).toContain('Labdien, lūdzu palīdziet.');
    expect(t1.message_html).toContain('<b>lūdzu</b>');
    for (const bad of ['<script', 'alert(1)', 'tracker.example', 'javascript:', 'onclick']) expect(t1.message_html).not.toContain(bad);

    const alt = mid();
    const boundary = 'alt-boundary-1';
    await appendMessage(
      centre,
      rawMail(
        {
          from: 'anna@customer.test',
          to: centre,
          subject: 'Alternative',
          messageId: alt,
          contentType: `multipart/alternative; boundary="${boundary}"`,
        },
        [
          `--${boundary}`,
          'Content-Type: text/plain; charset=utf-8',
          '',
          'Teksta versija',
          `--${boundary}`,
          'Content-Type: text/html; charset=utf-8',
          '',
          '<p>HTML <i>versija</i></p>',
          `--${boundary}--`,
          '',
        ].join('\r\n'),
      ),
    );
    const t2 = await ticketOf(alt);
    expect(t2.message_text.trim()).toBe('Teksta versija');
    expect(t2.message_html).toContain('<i>versija</i>');
  });

  it('stores attachments and inline images with their real type', async () => {
    const messageId = mid();
    const b = 'mixed-1';
    const pdf = Buffer.from('%PDF-1.7\n%%EOF\n');
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
    await appendMessage(
      centre,
      rawMail(
        { from: 'anna@customer.test', to: centre, subject: 'Ar pielikumu', messageId, contentType: `multipart/related; boundary="${b}"` },
        [
          `--${b}`,
          'Content-Type: text/html; charset=utf-8',
          '',
          '<p>Skat. attēlu <img src="cid:logo@x"></p>',
          `--${b}`,
          'Content-Type: image/png',
          'Content-Transfer-Encoding: base64',
          'Content-ID: <logo@x>',
          'Content-Disposition: inline; filename="logo.png"',
          '',
          png.toString('base64'),
          `--${b}`,
          'Content-Type: application/octet-stream; name="iesniegums.pdf"',
          'Content-Transfer-Encoding: base64',
          'Content-Disposition: attachment; filename="iesniegums.pdf"',
          '',
          pdf.toString('base64'),
          `--${b}--`,
          '',
        ].join('\r\n'),
      ),
    );
    const ticket = await ticketOf(messageId);
    const files = await eventually(async () => {
      const rows = await env.sql('SELECT filename, content_type, size FROM attachments WHERE message_id = $1 ORDER BY filename', [
        ticket.message_id,
      ]);
      return rows.length === 2 ? rows : null;
    });
    expect(files).toEqual([
      { filename: 'iesniegums.pdf', content_type: 'application/pdf', size: pdf.length },
      { filename: 'logo.png', content_type: 'image/png', size: png.length },
    ]);
    expect(ticket.message_html).toContain('cid:logo@x');
  });

  it("acknowledges a new ticket in the customer's language, as an automatic reply, at most N a day", async () => {
    const customer = uniqueMailbox('customer');
    const first = mid();
    await deliverViaSmtp({ from: customer, to: centre, subject: 'Вопрос о пособии', text: RU, messageId: `<${first}>` });
    const ticket = await ticketOf(first);
    const [ack] = await waitForMessages(customer, 1, { timeoutMs: 20000 });
    const parsed = await simpleParser(ack.source);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(parsed.subject).toBe(`Получено [${ticket.reference}]: Вопрос о пособии`);
    expect(parsed.text).toContain(ticket.reference);
    expect(parsed.text).toContain('10 рабочих дней');
    expect(parsed.inReplyTo).toBe(`<${first}>`);
    const ackRow = await eventually(async () => {
      const [row] = await env.sql(`SELECT * FROM messages WHERE ticket_id = $1 AND author_type = 'bot'`, [ticket.id]);
      return row?.delivery_status === 'sent' ? row : null;
    });
    expect(ackRow.address).toBe(customer);

    // Two more new contacts the same day: only one more acknowledgement (the limit is 2 in this test).
    for (const n of [1, 2])
      await deliverViaSmtp({ from: customer, to: centre, subject: `Vēl viens ${n}`, text: LV, messageId: `<${mid()}>` });
    await eventually(
      async () =>
        (await env.sql(`SELECT count(*)::int AS n FROM messages WHERE address = $1 AND direction = 'inbound'`, [customer]))[0].n === 3,
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(await listMessages(customer)).toHaveLength(2);
    const suppressed = await env.sql(
      `SELECT meta FROM messages WHERE address = $1 AND direction = 'inbound' AND meta ? 'acknowledgement'`,
      [customer],
    );
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0].meta.acknowledgement.suppressed).toMatch(/rate limit/);
  });

  it('threads a reply by References, and one that only quotes the reference in its subject', async () => {
    const customer = uniqueMailbox('thread');
    const first = mid();
    await appendMessage(centre, rawMail({ from: customer, to: centre, subject: 'Par nodokli', messageId: first }, 'Pirmā vēstule'));
    const ticket = await ticketOf(first);

    const byReferences = mid();
    await appendMessage(
      centre,
      rawMail(
        {
          from: customer,
          to: centre,
          subject: 'Re: Par nodokli',
          messageId: byReferences,
          extra: [`In-Reply-To: <${first}>`, `References: <${first}>`],
        },
        'Otrā vēstule\r\n\r\nOn Mon, 3 Mar 2026 at 10:00, Centrs wrote:\r\n> Pirmā vēstule\r\n',
      ),
    );
    const second = await ticketOf(byReferences);
    expect(second.id).toBe(ticket.id);
    expect(second.message_text.trim()).toBe('Otrā vēstule');

    const bySubject = mid();
    await appendMessage(
      centre,
      rawMail({ from: customer, to: centre, subject: `Papildinājums [${ticket.reference}]`, messageId: bySubject }, 'Trešā vēstule'),
    );
    expect((await ticketOf(bySubject)).id).toBe(ticket.id);

    // Quoting someone else's reference from another address does not put text into their case.
    const stranger = mid();
    await appendMessage(
      centre,
      rawMail({ from: uniqueMailbox('stranger'), to: centre, subject: `[${ticket.reference}]`, messageId: stranger }, 'Svešs'),
    );
    expect((await ticketOf(stranger)).id).not.toBe(ticket.id);
  });

  it('opens no ticket and sends no acknowledgement for an out-of-office reply or a bounce, and a bounce marks our message failed', async () => {
    const before = (await env.sql('SELECT count(*)::int AS n FROM tickets'))[0].n;
    const ooo = mid();
    await appendMessage(
      centre,
      rawMail(
        {
          from: 'boss@customer.test',
          to: centre,
          subject: 'Automatic reply: Prombūtnē',
          messageId: ooo,
          extra: ['Auto-Submitted: auto-replied', 'X-Auto-Response-Suppress: All'],
        },
        'Esmu atvaļinājumā līdz 1. decembrim.',
      ),
    );

    // A ticket with an outbound reply, and then a bounce of that reply.
    const customer = 'nobody-here@customer.test';
    const first = mid();
    await appendMessage(centre, rawMail({ from: customer, to: centre, subject: 'Jautājums', messageId: first }, 'Jautājums'));
    const ticket = await ticketOf(first);
    const ackId = await eventually(
      async () =>
        (await env.sql(`SELECT external_id FROM messages WHERE ticket_id = $1 AND author_type = 'bot'`, [ticket.id]))[0]?.external_id,
    );
    const b = 'dsn-1';
    const dsn = mid();
    await appendMessage(
      centre,
      rawMail(
        {
          from: 'Mail Delivery System <MAILER-DAEMON@mx.customer.test>',
          to: centre,
          subject: 'Undelivered Mail Returned to Sender',
          messageId: dsn,
          contentType: `multipart/report; report-type=delivery-status; boundary="${b}"`,
        },
        [
          `--${b}`,
          'Content-Type: text/plain; charset=us-ascii',
          '',
          'This is the mail system. Your message could not be delivered.',
          `--${b}`,
          'Content-Type: message/delivery-status',
          '',
          'Reporting-MTA: dns; mx.customer.test',
          '',
          `Final-Recipient: rfc822; ${customer}`,
          'Action: failed',
          'Status: 5.1.1',
          'Diagnostic-Code: smtp; 550 5.1.1 User unknown',
          `--${b}`,
          'Content-Type: text/rfc822-headers',
          '',
          `From: ${centre}`,
          `To: ${customer}`,
          `Message-ID: <${ackId}>`,
          'Subject: Saņemts',
          `--${b}--`,
          '',
        ].join('\r\n'),
      ),
    );
    const failed = await eventually(async () => {
      const [row] = await env.sql('SELECT delivery_status, delivery_error FROM messages WHERE external_id = $1', [ackId]);
      return row?.delivery_status === 'failed' ? row : null;
    });
    expect(failed.delivery_error).toContain('5.1.1');
    await eventually(
      async () =>
        (
          await env.sql(`SELECT count(*)::int AS n FROM inbound_events WHERE external_id = ANY($1) AND status = 'processed'`, [[ooo, dsn]])
        )[0].n === 2,
    );
    expect((await env.sql('SELECT count(*)::int AS n FROM tickets'))[0].n).toBe(before + 1);
    expect((await env.sql('SELECT count(*)::int AS n FROM messages WHERE external_id = ANY($1)', [[ooo, dsn]]))[0].n).toBe(0);
  });

  it("sends an operator's reply that threads in the customer's mail client", async () => {
    const customer = uniqueMailbox('reply');
    const first = mid();
    await deliverViaSmtp({ from: customer, to: centre, subject: 'Kā atjaunot pasi?', text: 'Kā atjaunot pasi?', messageId: `<${first}>` });
    const ticket = await ticketOf(first);
    await waitForMessages(customer, 1, { timeoutMs: 20000 }); // the acknowledgement

    const password = 'operator-password-1';
    await app.get(AgentsService).upsert({ email: 'op@vpppd.test', displayName: 'Operators', password, roles: ['operator'] });
    const token = await login(app, 'op@vpppd.test', password);
    const res = await http()
      .post(`/v1/tickets/${ticket.reference}/replies`)
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', 'reply-1')
      .send({ text: 'Labdien! Pasi var atjaunot PMLP nodaļā.', html: '<p>Labdien!</p><script>x()</script>' })
      .expect(202);
    expect(res.body).toMatchObject({ channel: 'email', address: customer, deliveryStatus: 'queued' });
    const again = await http()
      .post(`/v1/tickets/${ticket.reference}/replies`)
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', 'reply-1')
      .send({ text: 'Labdien! Pasi var atjaunot PMLP nodaļā.' })
      .expect(202);
    expect(again.body.id).toBe(res.body.id);

    const messages = await waitForMessages(customer, 2, { timeoutMs: 20000 });
    const replies = await Promise.all(messages.map((m) => simpleParser(m.source)));
    const reply = replies.find((r) => r.messageId === `<${res.body.externalId}>`)!;
    expect(reply.inReplyTo).toBe(`<${first}>`);
    expect([reply.references].flat()).toContain(`<${first}>`);
    expect(reply.subject).toBe(`Re: Kā atjaunot pasi? [${ticket.reference}]`);
    expect(reply.from?.value[0].address).toBe(centre);
    expect(reply.headers.has('auto-submitted')).toBe(false);
    expect(reply.text?.trim()).toBe('Labdien! Pasi var atjaunot PMLP nodaļā.');
    expect(reply.html).not.toContain('<script>');
    await eventually(
      async () => (await env.sql('SELECT delivery_status FROM messages WHERE id = $1', [res.body.id]))[0].delivery_status === 'sent',
    );

    // The customer answers the reply: it threads onto the same ticket by In-Reply-To.
    const answer = mid();
    await appendMessage(
      centre,
      rawMail(
        {
          from: customer,
          to: centre,
          subject: `Re: Kā atjaunot pasi? [${ticket.reference}]`,
          messageId: answer,
          extra: [`In-Reply-To: <${res.body.externalId}>`],
        },
        'Paldies!',
      ),
    );
    expect((await ticketOf(answer)).id).toBe(ticket.id);
  });

  it('answers a chat the visitor has left by e-mail, to the address they gave, when the operator asks for it', async () => {
    const customer = uniqueMailbox('chat');
    const session = randomUUID();
    const { reference } = await app.get(InboundService).accept(
      {
        channel: 'chat',
        externalId: `${session}:hello`,
        from: {
          address: `chat:${session}`,
          identifiers: [
            { kind: 'chat_session', value: session, provenance: 'channel' },
            { kind: 'email', value: customer, provenance: 'citizen' },
          ],
        },
        language: 'lv',
        text: 'Vai varat atsūtīt veidlapu uz e-pastu?',
        handOver: { summary: 'Apmeklētājs lūdz veidlapu', comment: 'asked for a person' },
      },
      { reserveReference: true },
    );
    await eventually(async () => (await env.sql('SELECT 1 FROM tickets WHERE reference = $1', [reference])).length === 1);
    const password = 'operator-password-2';
    await app.get(AgentsService).upsert({ email: 'chat-op@vpppd.test', displayName: 'Operatore', password, roles: ['operator'] });
    const token = await login(app, 'chat-op@vpppd.test', password);

    const res = await http()
      .post(`/v1/tickets/${reference}/replies`)
      .set('Authorization', `Bearer ${token}`)
      .send({
        text: 'Veidlapa pielikumā.',
        via: 'email',
        attachments: [{ filename: 'veidlapa.pdf', contentBase64: PDF_BYTES.toString('base64') }],
      })
      .expect(202);
    expect(res.body).toMatchObject({ channel: 'email', address: customer, deliveryStatus: 'queued' });
    const [mail] = await waitForMessages(customer, 1, { timeoutMs: 20000 });
    const parsed = await simpleParser(mail.source);
    expect(parsed.subject).toContain(`[${reference}]`);
    expect(parsed.text?.trim()).toBe('Veidlapa pielikumā.');
    expect(parsed.attachments.map((a) => [a.filename, a.contentType])).toEqual([['veidlapa.pdf', 'application/pdf']]);

    const bad = await http()
      .post(`/v1/tickets/${reference}/replies`)
      .set('Authorization', `Bearer ${token}`)
      .send({ text: 'x', via: 'fax', force: true })
      .expect(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'via' })]);
  });

  it('reports each mailbox in /health and counts mail in /metrics', async () => {
    const health = await http().get('/health').set(MONITORING).expect(200);
    expect(health.body.mailboxes).toEqual([expect.objectContaining({ name: 'default', address: centre, state: 'connected' })]);
    const metrics = (await http().get('/metrics').set(MONITORING).expect(200)).text;
    for (const outcome of ['fetched', 'ingested', 'auto_replied', 'suppressed']) {
      expect(metrics).toMatch(new RegExp(`vp_email_messages_total\\{mailbox="default",outcome="${outcome}"\\} [1-9]`));
    }
  });

  it('reconnects after the IMAP server was stopped and started again', async () => {
    await stopImap();
    await eventually(async () => (await http().get('/health').set(MONITORING)).body.mailboxes?.[0]?.state !== 'connected', {
      timeoutMs: 15000,
    });
    await startImap();
    await eventually(async () => (await http().get('/health').set(MONITORING)).body.mailboxes?.[0]?.state === 'connected', {
      timeoutMs: 40000,
    });
    const after = mid();
    await appendMessage(
      centre,
      rawMail({ from: 'late@customer.test', to: centre, subject: 'Pēc pārtraukuma', messageId: after }, 'Vai strādā?'),
    );
    await ticketOf(after);
  });

  it('a restart in the middle of a batch loses nothing and creates nothing twice', async () => {
    const ids = Array.from({ length: 40 }, () => mid());
    await env.stop(app);
    for (const id of ids)
      await appendMessage(centre, rawMail({ from: uniqueMailbox('bulk'), to: centre, subject: 'Daudz', messageId: id }, `Vēstule ${id}`));
    app = await env.startApi(mailConfig());
    await eventually(
      async () => (await env.sql(`SELECT count(*)::int AS n FROM inbound_events WHERE external_id = ANY($1)`, [ids]))[0].n >= 5,
      { everyMs: 5 },
    );
    await env.stop(app); // mid-batch
    app = await env.startApi(mailConfig());
    await eventually(
      async () => (await env.sql(`SELECT count(*)::int AS n FROM messages WHERE external_id = ANY($1)`, [ids]))[0].n === 40,
      { timeoutMs: 40000 },
    );
    const [{ tickets }] = await env.sql(`SELECT count(DISTINCT ticket_id)::int AS tickets FROM messages WHERE external_id = ANY($1)`, [
      ids,
    ]);
    expect(tickets).toBe(40);
    const seen = await eventually(async () => {
      const inbox = await listMessages(centre);
      const flagged = inbox.filter((m) => ids.some((id) => m.source.includes(id)) && m.flags.includes('\\Seen'));
      return flagged.length === 40 ? flagged : null;
    });
    expect(seen).toHaveLength(40);
  });

  it('a message the parser refuses is left flagged for a person and counted; the messages beside it become tickets', async () => {
    const [before, after] = [mid(), mid()];
    const hostileId = mid();
    await appendMessage(centre, rawMail({ from: 'first@customer.test', to: centre, subject: 'Pirms', messageId: before }, 'Pirmā.'));
    // mailparser gives up on a header section over 1 MB: parsed in a worker thread, it is refused there.
    await appendMessage(
      centre,
      rawMail(
        { from: 'odd@customer.test', to: centre, subject: 'Dīvaina', messageId: hostileId, extra: [`X-Padding: ${'a'.repeat(1_100_000)}`] },
        'Sveiki.',
      ),
    );
    await appendMessage(centre, rawMail({ from: 'last@customer.test', to: centre, subject: 'Pēc', messageId: after }, 'Pēdējā.'));
    await ticketOf(before, 30_000);
    await ticketOf(after, 30_000);
    const hostile = await eventually(async () => {
      const inbox = await listMessages(centre);
      return inbox.find((m) => m.source.includes(hostileId) && m.flags.includes('$VpppdRejected')) ?? null;
    });
    expect(hostile.flags).not.toContain('\\Seen');
    expect((await env.sql(`SELECT count(*)::int AS n FROM inbound_events WHERE external_id = $1`, [hostileId]))[0].n).toBe(0);
    const metrics = (await http().get('/metrics').set(MONITORING).expect(200)).text;
    expect(metrics).toMatch(/vp_email_messages_total\{mailbox="default",outcome="rejected"\} [1-9]/);
  });

  it("one message CC'd to two of our mailboxes is one message", async () => {
    const second = uniqueMailbox('vid');
    const admin = await login(app);
    await http()
      .post('/v1/admin/mailboxes')
      .set('Authorization', `Bearer ${admin}`)
      .send({
        name: 'vid',
        address: second,
        institution: 'VID',
        host: servers.imap.host,
        port: servers.imap.port,
        tls: false,
        username: second,
        password: MAIL_PASSWORD,
      })
      .expect(201)
      .expect((r) => expect(r.body.password).toBeUndefined());
    const listed = await http().get('/v1/admin/mailboxes').set('Authorization', `Bearer ${admin}`).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(MAIL_PASSWORD);

    const messageId = mid();
    await deliverViaSmtp({
      from: 'cc@customer.test',
      to: [centre, second],
      subject: 'Abiem',
      text: 'Vienā vēstulē abām pastkastītēm',
      messageId: `<${messageId}>`,
    });
    await ticketOf(messageId);
    await eventually(
      async () => (await env.sql(`SELECT count(*)::int AS n FROM mailboxes WHERE last_uid > 0 AND name = 'vid'`))[0].n === 1,
      { timeoutMs: 30000 },
    );
    expect((await env.sql(`SELECT count(*)::int AS n FROM messages WHERE external_id = $1`, [messageId]))[0].n).toBe(1);
  });

  it('reopens a recently closed ticket, and opens a linked follow-up for one closed long ago', async () => {
    const customer = uniqueMailbox('closed');
    const first = mid();
    await appendMessage(centre, rawMail({ from: customer, to: centre, subject: 'Slēgts', messageId: first }, 'Sākums'));
    const ticket = await ticketOf(first);

    await env.sql(`UPDATE tickets SET status = 'closed', closed_at = now() - interval '1 day' WHERE id = $1`, [ticket.id]);
    const soon = mid();
    await appendMessage(
      centre,
      rawMail({ from: customer, to: centre, subject: 'Re: Slēgts', messageId: soon, extra: [`In-Reply-To: <${first}>`] }, 'Vēl jautājums'),
    );
    const reopened = await ticketOf(soon);
    expect(reopened.id).toBe(ticket.id);
    expect(reopened.status).toBe('queued');
    expect(reopened.closed_at).toBeNull();

    await env.sql(`UPDATE tickets SET status = 'closed', closed_at = now() - interval '30 days' WHERE id = $1`, [ticket.id]);
    const late = mid();
    await appendMessage(
      centre,
      rawMail({ from: customer, to: centre, subject: 'Re: Slēgts', messageId: late, extra: [`In-Reply-To: <${soon}>`] }, 'Pēc mēneša'),
    );
    const followUp = await ticketOf(late);
    expect(followUp.id).not.toBe(ticket.id);
    expect(followUp.follow_up_of_id).toBe(ticket.id);
    expect((await env.sql('SELECT status FROM tickets WHERE id = $1', [ticket.id]))[0].status).toBe('closed');

    // An out-of-office answer to a closed ticket reopens nothing and opens nothing.
    const ooo = mid();
    await env.sql(`UPDATE tickets SET status = 'closed', closed_at = now() WHERE id = $1`, [followUp.id]);
    await appendMessage(
      centre,
      rawMail(
        {
          from: customer,
          to: centre,
          subject: 'Automatic reply',
          messageId: ooo,
          extra: [`In-Reply-To: <${late}>`, 'Auto-Submitted: auto-replied'],
        },
        'Prombūtnē',
      ),
    );
    await eventually(
      async () => (await env.sql(`SELECT status FROM inbound_events WHERE external_id = $1`, [ooo]))[0]?.status === 'processed',
    );
    expect((await env.sql('SELECT status FROM tickets WHERE id = $1', [followUp.id]))[0].status).toBe('closed');
  });

  it('rescans a mailbox whose UIDVALIDITY changed, without creating anything twice', async () => {
    const box = uniqueMailbox('support');
    await withImap(box, (client) => client.mailboxCreate('Support'));
    const admin = await login(app);
    const created = await addMailbox(admin, 'support', box, 'Support');
    const ids = [mid(), mid(), mid()];
    for (const id of ids)
      await appendMessage(box, rawMail({ from: uniqueMailbox('uv'), to: box, subject: 'UIDVALIDITY', messageId: id }, id), 'Support');
    await eventually(async () => (await env.sql('SELECT count(*)::int AS n FROM messages WHERE external_id = ANY($1)', [ids]))[0].n === 3, {
      timeoutMs: 30000,
    });
    const [{ uid_validity: before }] = await env.sql('SELECT uid_validity FROM mailboxes WHERE id = $1', [created.id]);

    // The folder is recreated (as after a server migration): new UIDVALIDITY, the same mail again, plus one new.
    await withImap(box, async (client) => {
      await client.mailboxDelete('Support');
      await client.mailboxCreate('Support');
    });
    const fresh = mid();
    for (const id of [...ids, fresh])
      await appendMessage(box, rawMail({ from: uniqueMailbox('uv'), to: box, subject: 'UIDVALIDITY', messageId: id }, id), 'Support');
    // The watcher first has to notice its folder went away and open the new one: allow it the time a loaded CI has.
    await ticketOf(fresh, 40000);
    const [{ uid_validity: after }] = await eventually(
      async () => {
        const rows = await env.sql('SELECT uid_validity, last_uid FROM mailboxes WHERE id = $1', [created.id]);
        return rows[0].uid_validity !== before && Number(rows[0].last_uid) >= 4 ? rows : null;
      },
      { timeoutMs: 40000 },
    );
    expect(after).not.toBe(before);
    expect((await env.sql('SELECT count(*)::int AS n FROM messages WHERE external_id = ANY($1)', [[...ids, fresh]]))[0].n).toBe(4);
    await http().delete(`/v1/admin/mailboxes/${created.id}`).set('Authorization', `Bearer ${admin}`).expect(204);
  });

  it('retries a mailbox whose folder is missing on one connection at a time, says why, and reads it once the folder exists', async () => {
    const box = uniqueMailbox('arrivals');
    // Sockets this process holds to the IMAP server: the default mailbox's, and the new one's attempts.
    const imapSockets = () =>
      (process as unknown as { _getActiveHandles(): Array<{ remotePort?: number; destroyed?: boolean }> })
        ._getActiveHandles()
        .filter((h) => h?.remotePort === servers.imap.port && !h.destroyed).length;
    const before = imapSockets();
    const admin = await login(app);
    const created = await addMailbox(admin, 'arrivals', box, 'Arrivals');
    const status = async () =>
      (await http().get('/health').set(MONITORING)).body.mailboxes?.find((m: { name: string }) => m.name === 'arrivals');
    // The server's reason, not imapflow's "Command failed".
    await eventually(async () => (await status())?.error?.includes("doesn't exist") === true, { timeoutMs: 15000 });
    // Three attempts at least (retries after about 2 and 4 s): each failed one used to leave its session open.
    await new Promise((resolve) => setTimeout(resolve, 7000));
    expect(imapSockets() - before).toBeLessThanOrEqual(1);

    await withImap(box, (client) => client.mailboxCreate('Arrivals'));
    const id = mid();
    await appendMessage(
      box,
      rawMail({ from: uniqueMailbox('arr'), to: box, subject: 'Mape atrasta', messageId: id }, 'Sveiki!'),
      'Arrivals',
    );
    await ticketOf(id, 40000);
    expect((await status())?.state).toBe('connected');
    await http().delete(`/v1/admin/mailboxes/${created.id}`).set('Authorization', `Bearer ${admin}`).expect(204);
  });
});

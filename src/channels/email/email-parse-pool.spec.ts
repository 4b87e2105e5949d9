import { join } from 'node:path';
import { base64Body, multipartBody, rawEmail } from '../../../libs/mime/src/testing/raw-email';
import { workerScript } from '../../common/worker-script';
import { EmailParsePool } from './email-parse-pool';

const MAILBOX = { name: 'default', address: 'centre@vpppd.test', institutionCode: null, referencePrefix: 'VP' };
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

function mail(id: string, text: string, extra: { attachment?: Buffer } = {}): Buffer {
  const headers = [
    'From: Jānis Bērziņš <Janis@Customer.test>',
    'To: centre@vpppd.test',
    `Subject: Jautājums ${id}`,
    `Message-ID: <${id}@customer.test>`,
  ];
  if (!extra.attachment) return rawEmail([...headers, 'Content-Type: text/plain; charset=utf-8'], text);
  return rawEmail(
    [...headers, 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"'],
    multipartBody('b1', [
      { headers: ['Content-Type: text/plain; charset=utf-8'], body: text },
      {
        headers: ['Content-Type: application/octet-stream; name="iesniegums.pdf"', 'Content-Transfer-Encoding: base64'],
        body: base64Body(extra.attachment),
      },
    ]),
  );
}

describe('EmailParsePool', () => {
  let pool: EmailParsePool | null = null;
  afterEach(async () => {
    await pool?.close();
    pool = null;
  });

  it('parses in worker threads into the pipeline’s message, attachments as Buffers', async () => {
    pool = new EmailParsePool({ threads: 2, maxAttachmentBytes: 1024 * 1024 });
    const results = await Promise.all([
      pool.parse(mail('a1', 'Labdien! Vēlos pieteikties pabalstam.'), MAILBOX),
      pool.parse(mail('a2', 'Pielikumā iesniegums.', { attachment: PDF }), MAILBOX),
      pool.parse(mail('a3', 'Paldies!'), MAILBOX),
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    const [first, second] = results.map((r) => (r.ok ? r.value : null));
    expect(first).toMatchObject({
      channel: 'email',
      externalId: 'a1@customer.test',
      subject: 'Jautājums a1',
      text: 'Labdien! Vēlos pieteikties pabalstam.',
      from: { firstName: 'Jānis', lastName: 'Bērziņš', address: 'janis@customer.test' },
      autoReply: { address: 'janis@customer.test' },
      meta: { mailbox: 'default' },
    });
    expect(second?.attachments).toHaveLength(1);
    const attachment = second!.attachments![0];
    // The type is detected from the content in the thread; the bytes come back as a real Buffer.
    expect(attachment).toMatchObject({ filename: 'iesniegums.pdf', contentType: 'application/pdf' });
    expect(Buffer.isBuffer(attachment.content)).toBe(true);
    expect(attachment.content.equals(PDF)).toBe(true);
  }, 60_000);

  it('a message that takes its thread down fails alone; the messages around it and later ones are parsed', async () => {
    pool = new EmailParsePool({
      threads: 2,
      maxAttachmentBytes: 1024 * 1024,
      worker: workerScript(__filename, join(__dirname, '..', '..', '..', 'test', 'support'), 'crashing-parse.worker'),
    });
    const crash = (id: string, how: 'exit' | 'throw') =>
      rawEmail([`Message-ID: <${id}@customer.test>`, 'From: x@customer.test', `X-Test-Crash: ${how}`], 'Sveiki.');
    const results = await Promise.all([
      pool.parse(mail('b1', 'Pirmā vēstule.'), MAILBOX),
      pool.parse(crash('b2', 'exit'), MAILBOX),
      pool.parse(mail('b3', 'Trešā vēstule.'), MAILBOX),
      pool.parse(crash('b4', 'throw'), MAILBOX),
      pool.parse(mail('b5', 'Piektā vēstule.'), MAILBOX),
    ]);
    expect(results.map((r) => (r.ok ? r.value.externalId : 'failed'))).toEqual([
      'b1@customer.test',
      'failed',
      'b3@customer.test',
      'failed',
      'b5@customer.test',
    ]);
    expect(results[3].ok === false && String(results[3].error)).toMatch(/a parser callback threw/);

    const after = await pool.parse(mail('b6', 'Pēc tam.'), MAILBOX);
    expect(after).toMatchObject({ ok: true, value: { externalId: 'b6@customer.test' } });
  }, 60_000);

  it('a message the parser refuses is a failure with its reason, not a crash', async () => {
    pool = new EmailParsePool({ threads: 1, maxAttachmentBytes: 1024 * 1024 });
    // mailparser gives up on a header section over 1 MB.
    const hostile = rawEmail(['Message-ID: <c1@customer.test>', `X-Padding: ${'a'.repeat(1_100_000)}`], 'Sveiki.');
    const refused = await pool.parse(hostile, MAILBOX);
    expect(refused.ok === false && String(refused.error)).toMatch(/header/i);
    expect(await pool.parse(mail('c2', 'Nākamā.'), MAILBOX)).toMatchObject({ ok: true, value: { externalId: 'c2@customer.test' } });
  }, 60_000);

  it('after close, answers every message with a failure instead of hanging', async () => {
    pool = new EmailParsePool({ threads: 1, maxAttachmentBytes: 1024 });
    await pool.close();
    const result = await pool.parse(mail('d1', 'Par vēlu.'), MAILBOX);
    expect(result.ok === false && String(result.error)).toMatch(/closed/);
  });
});

import iconv from 'iconv-lite';
import { parseEmail } from '@lib/mime';
import { base64Body, encodedWord, multipartBody, quotedPrintable, rawEmail } from './testing/raw-email';

// Every letter Latvian has beyond ASCII, in both cases somewhere, and a Russian pangram: a charset that
// loses or swaps one of them fails here.
const LATVIAN = 'Labdien! Vēlos pieteikties pabalstam. Ķēķis, ģimene, šūpoles, žogs, ņurdēt, ļoti, ūdens';
const RUSSIAN = 'Здравствуйте! Хочу подать заявление. Съешь же ещё этих мягких французских булок';
const LATVIAN_SUBJECT = 'Iesniegums: ģimenes pabalsts, Ļūdmila Šķēle';
const RUSSIAN_SUBJECT = 'Заявление: пособие, Щёлково';

/** The charsets mail from Latvia actually arrives in, with the text each must carry. */
const CASES: Array<[charset: string, text: string, subject: string]> = [
  ['utf-8', LATVIAN, LATVIAN_SUBJECT],
  ['windows-1257', LATVIAN, LATVIAN_SUBJECT],
  ['iso-8859-13', LATVIAN, LATVIAN_SUBJECT],
  ['iso-8859-4', LATVIAN, LATVIAN_SUBJECT],
  ['utf-8', RUSSIAN, RUSSIAN_SUBJECT],
  ['koi8-r', RUSSIAN, RUSSIAN_SUBJECT],
  ['windows-1251', RUSSIAN, RUSSIAN_SUBJECT],
];

function mail(charset: string, transferEncoding: string, body: string | Buffer, subject = 'Test'): Buffer {
  return rawEmail(
    [
      'From: "Jānis Bērziņš" <janis@example.lv>',
      'To: info@vpppd.gov.lv',
      `Subject: ${subject}`,
      'Message-ID: <charset-test@example.lv>',
      'MIME-Version: 1.0',
      `Content-Type: text/plain; charset=${charset}`,
      `Content-Transfer-Encoding: ${transferEncoding}`,
    ],
    body,
  );
}

describe('parseEmail charsets', () => {
  it('the fixtures really are different bytes in each charset', () => {
    // Guards the test itself: were iconv-lite to fall back to UTF-8 or "?", every case below would prove nothing.
    const latvian = ['windows-1257', 'iso-8859-13', 'iso-8859-4'].map((cs) => iconv.encode(LATVIAN, cs));
    expect(latvian.map((bytes) => bytes.length)).toEqual([LATVIAN.length, LATVIAN.length, LATVIAN.length]);
    expect(latvian[0].equals(latvian[2])).toBe(false);
    expect(latvian.every((bytes) => !bytes.includes(0x3f /* ? */))).toBe(true);
    expect(iconv.encode(RUSSIAN, 'koi8-r').equals(iconv.encode(RUSSIAN, 'windows-1251'))).toBe(false);
    // ISO-8859-13 and windows-1257 agree on Latvian letters except in places; they are still both tested.
    expect(iconv.encode('Ķ', 'iso-8859-4')[0]).toBe(0xd3);
    expect(iconv.encode('Ķ', 'windows-1257')[0]).toBe(0xcd);
  });

  describe.each(CASES)('%s: %s', (charset, text) => {
    const bytes = iconv.encode(`${text}\n`, charset);

    it('decodes an 8bit body', async () => {
      const parsed = await parseEmail(mail(charset, '8bit', bytes));
      expect(parsed.text).toBe(`${text}\n`);
      expect(parsed.newText).toBe(text);
    });

    it('decodes a quoted-printable body', async () => {
      const qp = quotedPrintable(bytes);
      // The transfer encoding really hides every non-ASCII byte.
      expect(/^[\x20-\x7e\r\n]*$/.test(qp)).toBe(true);
      const parsed = await parseEmail(mail(charset, 'quoted-printable', qp));
      expect(parsed.text).toBe(`${text}\n`);
    });

    it('decodes a base64 body', async () => {
      const parsed = await parseEmail(mail(charset, 'base64', base64Body(bytes)));
      expect(parsed.text).toBe(`${text}\n`);
    });
  });

  describe.each(CASES)('subject as encoded words in %s', (charset, _text, subject) => {
    const bytes = iconv.encode(subject, charset);

    it.each(['B', 'Q'] as const)('%s encoding', async (encoding) => {
      const word = encodedWord(bytes, charset, encoding);
      const parsed = await parseEmail(mail('us-ascii', '7bit', 'x\n', word));
      expect(parsed.subject).toBe(subject);
    });
  });

  it.each(['B', 'Q'] as const)(
    'joins adjacent %s words of one charset, also when a UTF-8 letter is split between them',
    async (encoding) => {
      const bytes = Buffer.from('Ģimenes pabalsts', 'utf8');
      // Byte 1 is the second byte of "Ģ": each word alone is invalid UTF-8 (RFC 2047 forbids this; mailers do it).
      const subject = `${encodedWord(bytes.subarray(0, 1), 'utf-8', encoding)}\r\n ${encodedWord(bytes.subarray(1), 'utf-8', encoding)}`;
      const parsed = await parseEmail(mail('us-ascii', '7bit', 'x\n', subject));
      expect(parsed.subject).toBe('Ģimenes pabalsts');
    },
  );

  it('does not join a split letter across a B word and a Q word', async () => {
    // Documents a limit of libmime: only words with the same charset and encoding are joined first.
    const bytes = Buffer.from('Ģimenes', 'utf8');
    const subject = `${encodedWord(bytes.subarray(0, 1), 'utf-8', 'B')} ${encodedWord(bytes.subarray(1), 'utf-8', 'Q')}`;
    const parsed = await parseEmail(mail('us-ascii', '7bit', 'x\n', subject));
    expect(parsed.subject).toBe('\ufffd\ufffdimenes');
  });

  it('mixes encoded words in different charsets with plain text', async () => {
    // RFC 2047 §6.2: blanks between two encoded words are dropped, so the space belongs inside a word.
    const subject = `Re: ${encodedWord(iconv.encode('Ļoti ', 'windows-1257'), 'windows-1257', 'Q')} ${encodedWord(
      iconv.encode('срочно', 'koi8-r'),
      'koi8-r',
      'B',
    )} [VP-2026-000123]`;
    const parsed = await parseEmail(mail('us-ascii', '7bit', 'x\n', subject));
    expect(parsed.subject).toBe('Re: Ļoti срочно [VP-2026-000123]');
  });

  it('decodes display names given as encoded words in any of the charsets', async () => {
    const raw = rawEmail(
      [
        `From: ${encodedWord(iconv.encode('Ļubova Šķēle', 'iso-8859-13'), 'iso-8859-13', 'Q')} <Lubova@Example.LV>`,
        `To: ${encodedWord(iconv.encode('Информационный центр', 'windows-1251'), 'windows-1251', 'B')} <info@vpppd.gov.lv>`,
        'Subject: x',
      ],
      'x\n',
    );
    const parsed = await parseEmail(raw);
    expect(parsed.from).toEqual({ address: 'lubova@example.lv', name: 'Ļubova Šķēle' });
    expect(parsed.to).toEqual([{ address: 'info@vpppd.gov.lv', name: 'Информационный центр' }]);
  });

  it('decodes an HTML body in windows-1257 and a text alternative in koi8-r in one message', async () => {
    const raw = rawEmail(
      ['From: a@example.lv', 'Subject: x', 'MIME-Version: 1.0', 'Content-Type: multipart/alternative; boundary="alt"'],
      multipartBody('alt', [
        {
          headers: ['Content-Type: text/plain; charset=koi8-r', 'Content-Transfer-Encoding: base64'],
          body: base64Body(iconv.encode(`${RUSSIAN}\n`, 'koi8-r')),
        },
        {
          headers: ['Content-Type: text/html; charset="windows-1257"', 'Content-Transfer-Encoding: quoted-printable'],
          body: quotedPrintable(iconv.encode(`<p>${LATVIAN}</p>`, 'windows-1257')),
        },
      ]),
    );
    const parsed = await parseEmail(raw);
    expect(parsed.text).toBe(`${RUSSIAN}\n`);
    expect(parsed.html).toBe(`<p>${LATVIAN}</p>`);
  });

  it('decodes an attachment file name given in RFC 2231 and in RFC 2047 form', async () => {
    const rfc2231 = [...iconv.encode('Iesniegums Šķēle.pdf', 'windows-1257')]
      .map((byte) => (/[A-Za-z0-9.]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase()}`))
      .join('');
    expect(rfc2231).toBe('Iesniegums%20%D0%ED%E7le.pdf');
    const raw = rawEmail(
      ['From: a@example.lv', 'Subject: x', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="mix"'],
      multipartBody('mix', [
        { headers: ['Content-Type: text/plain; charset=utf-8'], body: 'Pielikumā.\n' },
        {
          headers: [
            'Content-Type: application/pdf',
            `Content-Disposition: attachment; filename*=windows-1257''${rfc2231}`,
            'Content-Transfer-Encoding: base64',
          ],
          body: base64Body(Buffer.from('%PDF-1.4\n')),
        },
        {
          headers: [
            `Content-Type: application/pdf; name="${encodedWord(iconv.encode('Справка.pdf', 'koi8-r'), 'koi8-r', 'B')}"`,
            'Content-Disposition: attachment',
            'Content-Transfer-Encoding: base64',
          ],
          body: base64Body(Buffer.from('%PDF-1.4\n')),
        },
      ]),
    );
    const parsed = await parseEmail(raw);
    expect(parsed.attachments.map((a) => a.filename)).toEqual(['Iesniegums Šķēle.pdf', 'Справка.pdf']);
  });

  describe('what mailparser does with a missing or unknown charset', () => {
    const latin1 = Buffer.from('r\xe2ksts ', 'latin1');
    const utf8 = Buffer.from('rāksts', 'utf8');

    it('reads a body without a charset as UTF-8, an invalid byte becoming U+FFFD', async () => {
      const raw = rawEmail(['From: a@example.lv', 'Subject: x', 'Content-Transfer-Encoding: 8bit'], Buffer.concat([latin1, utf8]));
      expect((await parseEmail(raw)).text).toBe('r\ufffdksts rāksts');
    });

    it('reads a body in an unknown charset as UTF-8 as well', async () => {
      const raw = rawEmail(
        ['From: a@example.lv', 'Subject: x', 'Content-Type: text/plain; charset=x-no-such-charset'],
        Buffer.concat([latin1, utf8]),
      );
      expect((await parseEmail(raw)).text).toBe('r\ufffdksts rāksts');
    });

    it('reads an encoded word in an unknown charset as UTF-8', async () => {
      const raw = rawEmail(['From: a@example.lv', 'Subject: =?x-no-such-charset?Q?r=E2ksts_r=C4=81ksts?='], 'x\n');
      expect((await parseEmail(raw)).subject).toBe('r\ufffdksts rāksts');
    });

    it('takes raw UTF-8 in headers (RFC 6532) as it is', async () => {
      const raw = rawEmail(['From: Jānis Bērziņš <janis@example.lv>', 'Subject: Ģimenes pabalsts'], 'x\n');
      const parsed = await parseEmail(raw);
      expect(parsed.subject).toBe('Ģimenes pabalsts');
      expect(parsed.from).toEqual({ address: 'janis@example.lv', name: 'Jānis Bērziņš' });
    });
  });
});

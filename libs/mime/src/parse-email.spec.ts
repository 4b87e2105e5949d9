import { createHash } from 'node:crypto';
import { DEFAULT_MAX_ATTACHMENTS, DEFAULT_MAX_ATTACHMENT_BYTES, MAX_HTML_TO_TEXT_CHARS, parseEmail } from '@lib/mime';
import { base64Body, multipartBody, rawEmail } from './testing/raw-email';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
// A 1×1 transparent PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

const BASIC_HEADERS = [
  'Return-Path: <Janis.Berzins@Example.LV>',
  'Received: from mx.example.lv (mx.example.lv [192.0.2.10]) by mx.vpppd.gov.lv; Tue, 3 Mar 2026 10:00:05 +0200',
  'From: "Bērziņš, Jānis" <Janis.Berzins@Example.LV>',
  'To: VPPPD <Info@VPPPD.gov.lv>, Komanda: anna@example.lv, "Pēteris" <peteris@example.lv>;',
  'Cc: =?utf-8?Q?Ilze_K=C4=BCava?= <ilze@example.lv>',
  'Reply-To: janis.privats@example.lv',
  'Subject: =?utf-8?B?UmU6IFBhYmFsc3RzIFtWUC0yMDI2LTAwMDEyM10=?=',
  'Date: Tue, 3 Mar 2026 10:00:00 +0200',
  'Message-ID: <CAF3x9a+Jb=Q@mail.gmail.com>',
  "In-Reply-To: <reply-1@vpppd.gov.lv> (VPPPD's message of Mon, 2 Mar 2026)",
  'References: <orig-1@example.lv> <reply-1@vpppd.gov.lv>',
  '\t<orig-1@example.lv>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset="utf-8"; format=flowed',
  'Content-Transfer-Encoding: 8bit',
];

describe('parseEmail', () => {
  describe('a plain-text reply', () => {
    const body = [
      'Labdien!',
      '',
      'Pielikumā iesnieguma kopija. Lūdzu, paziņojiet, kad tas būs izskatīts.',
      '',
      'On Mon, 2 Mar 2026 at 09:00, VPPPD <info@vpppd.gov.lv> wrote:',
      '> Labdien!',
      '> Lūdzu, atsūtiet iesnieguma kopiju.',
      '',
    ].join('\n');

    it('reads every field', async () => {
      const parsed = await parseEmail(rawEmail(BASIC_HEADERS, body));
      expect(parsed).toEqual({
        messageId: 'CAF3x9a+Jb=Q@mail.gmail.com',
        inReplyTo: ['reply-1@vpppd.gov.lv'],
        references: ['orig-1@example.lv', 'reply-1@vpppd.gov.lv'],
        subject: 'Re: Pabalsts [VP-2026-000123]',
        from: { address: 'janis.berzins@example.lv', name: 'Bērziņš, Jānis' },
        to: [
          { address: 'info@vpppd.gov.lv', name: 'VPPPD' },
          { address: 'anna@example.lv', name: '' },
          { address: 'peteris@example.lv', name: 'Pēteris' },
        ],
        cc: [{ address: 'ilze@example.lv', name: 'Ilze Kļava' }],
        replyTo: [{ address: 'janis.privats@example.lv', name: '' }],
        date: new Date('2026-03-03T08:00:00Z'),
        // format=flowed: mailparser unwraps soft line breaks, and the last line break goes with them.
        text: body.trimEnd(),
        html: null,
        newText: 'Labdien!\n\nPielikumā iesnieguma kopija. Lūdzu, paziņojiet, kad tas būs izskatīts.',
        attachments: [],
        droppedAttachments: [],
        reportParts: [],
        headers: {
          autoSubmitted: null,
          precedence: null,
          listId: null,
          listUnsubscribe: null,
          xAutoResponseSuppress: null,
          xAutoreply: false,
          xAutorespond: false,
          returnPath: 'janis.berzins@example.lv',
          contentType: { value: 'text/plain', params: { charset: 'utf-8', format: 'flowed' } },
        },
        language: 'lv',
      });
    });

    it('guesses the language from the new text, not from our quoted reply', async () => {
      const russian = [
        'Спасибо, документы отправлю завтра.',
        '',
        '2026. gada 2. martā VPPPD rakstīja:',
        '> Labdien! Lūdzu, atsūtiet iesnieguma kopiju un pases kopiju.',
        '',
      ];
      const parsed = await parseEmail(rawEmail(BASIC_HEADERS, russian.join('\n')));
      expect(parsed.newText).toBe('Спасибо, документы отправлю завтра.');
      expect(parsed.language).toBe('ru');
    });

    it('leaves language out when unsure', async () => {
      const parsed = await parseEmail(rawEmail(BASIC_HEADERS, '010190-12345\n'));
      expect(parsed).not.toHaveProperty('language');
    });
  });

  describe('Message-ID', () => {
    const withoutId = (extra: string[] = []) =>
      rawEmail(['From: janis@example.lv', 'To: info@vpppd.gov.lv', 'Subject: Bez ID', ...extra], 'Labdien!\n');

    it('makes a stable id from the bytes of a message that has none', async () => {
      const raw = withoutId();
      const expected = `generated-${createHash('sha256').update(raw).digest('hex').slice(0, 32)}@vpppd.invalid`;
      expect((await parseEmail(raw)).messageId).toBe(expected);
      // Fetched again over IMAP: the same bytes, the same id, so it is recognised as a duplicate.
      expect((await parseEmail(Buffer.from(raw))).messageId).toBe(expected);
      expect(expected).toMatch(/^generated-[0-9a-f]{32}@vpppd\.invalid$/);
    });

    it('makes different ids for different messages', async () => {
      const a = await parseEmail(withoutId());
      const b = await parseEmail(withoutId(['X-Mailer: other']));
      expect(a.messageId).not.toBe(b.messageId);
    });

    it.each([['Message-ID:'], ['Message-ID:   '], ['Message-ID: <>']])('treats %j as missing', async (header) => {
      const raw = withoutId([header]);
      expect((await parseEmail(raw)).messageId).toMatch(/^generated-[0-9a-f]{32}@vpppd\.invalid$/);
    });

    it.each([
      ['Message-ID: abc@example.lv', 'abc@example.lv'],
      ['Message-Id: <abc@example.lv> (comment)', 'abc@example.lv'],
      ['MESSAGE-ID:\r\n <folded.long.id@example.lv>', 'folded.long.id@example.lv'],
      ['Message-ID: 1234567890', '1234567890'],
    ])('reads %j', async (header, expected) => {
      expect((await parseEmail(withoutId([header]))).messageId).toBe(expected);
    });
  });

  describe('Date', () => {
    const withDate = (header?: string) => rawEmail(['From: janis@example.lv', 'Subject: x', ...(header ? [header] : [])], 'x\n');

    it.each([
      ['Date: Tue, 3 Mar 2026 10:00:00 +0200', '2026-03-03T08:00:00.000Z'],
      ['Date: Tue, 3 Mar 2026 10:00:00 +0200 (EET)', '2026-03-03T08:00:00.000Z'],
      ['Date: 3 Mar 26 10:00 -0000', '2026-03-03T10:00:00.000Z'],
      ['Date: Tue,  3 Mar 2026 10:00:00 GMT', '2026-03-03T10:00:00.000Z'],
    ])('reads %j', async (header, iso) => {
      expect((await parseEmail(withDate(header))).date?.toISOString()).toBe(iso);
    });

    it.each([[undefined], ['Date: garbage'], ['Date: 3 Mar 2026 10:00 EET'], ['Date:']])(
      'is null for %j, where mailparser would give the current time',
      async (header) => {
        expect((await parseEmail(withDate(header))).date).toBeNull();
      },
    );
  });

  describe('headers', () => {
    it('reads the headers automation is decided by', async () => {
      const raw = rawEmail(
        [
          'Return-Path: <>',
          'Return-Path: <older@example.lv>',
          'From: "Jānis" <janis@example.lv>',
          'Subject: Prombūtnē',
          'Auto-Submitted: auto-replied (vacation)',
          'Precedence: bulk',
          'List-Id: "Jaunumi" <jaunumi.example.lv>',
          'List-Unsubscribe: <mailto:unsubscribe@example.lv>,',
          ' <https://example.lv/unsubscribe?id=1>',
          'X-Auto-Response-Suppress: DR, OOF, AutoReply',
          'X-Autoreply: yes',
          'X-Autorespond: ',
          'Content-Type: text/plain; charset=UTF-8',
        ],
        'Esmu prombūtnē līdz 10. martam.\n',
      );
      expect((await parseEmail(raw)).headers).toEqual({
        autoSubmitted: 'auto-replied (vacation)',
        precedence: 'bulk',
        listId: '"Jaunumi" <jaunumi.example.lv>',
        listUnsubscribe: '<mailto:unsubscribe@example.lv>, <https://example.lv/unsubscribe?id=1>',
        xAutoResponseSuppress: 'DR, OOF, AutoReply',
        xAutoreply: true,
        xAutorespond: true,
        returnPath: '',
        contentType: { value: 'text/plain', params: { charset: 'UTF-8' } },
      });
    });

    it('reads a Return-Path without brackets and a missing Content-Type', async () => {
      const parsed = await parseEmail(rawEmail(['Return-Path: Bounce+123@Mailer.Example.LV', 'From: a@example.lv'], 'x\n'));
      expect(parsed.headers.returnPath).toBe('bounce+123@mailer.example.lv');
      expect(parsed.headers.contentType).toBeNull();
    });

    it('gives empty lists and nulls for a message that has almost nothing', async () => {
      const parsed = await parseEmail(rawEmail(['X-Nothing: here'], ''));
      expect(parsed).toMatchObject({
        inReplyTo: [],
        references: [],
        subject: null,
        from: null,
        to: [],
        cc: [],
        replyTo: [],
        date: null,
        text: '',
        html: null,
        newText: '',
        attachments: [],
      });
      expect(parsed).not.toHaveProperty('language');
    });

    it('skips an address without a mailbox', async () => {
      const parsed = await parseEmail(rawEmail(['From: undisclosed-recipients:;', 'To: "Tikai vārds"'], 'x\n'));
      expect(parsed.from).toBeNull();
      expect(parsed.to).toEqual([]);
    });
  });

  describe('HTML', () => {
    it('derives text from an HTML-only mail and sanitises the HTML', async () => {
      const html = [
        '<html><head><title>Vēstule</title><style>p{color:red}</style></head><body>',
        '<p>Labdien!</p><p>Vēlos pieteikties <b>pabalstam</b>.<br>Paldies!</p>',
        '<script>alert(1)</script>',
        '<a href="https://latvija.lv" onclick="x()">Portāls</a>',
        '</body></html>',
      ].join('');
      const parsed = await parseEmail(rawEmail(['From: a@example.lv', 'Subject: x', 'Content-Type: text/html; charset=utf-8'], html));
      expect(parsed.text).toBe('Labdien!\n\nVēlos pieteikties pabalstam.\nPaldies!\n\nPortāls [https://latvija.lv]');
      expect(parsed.html).toBe(
        '<p>Labdien!</p><p>Vēlos pieteikties <b>pabalstam</b>.<br />Paldies!</p><a href="https://latvija.lv" rel="noopener noreferrer nofollow" target="_blank">Portāls</a>',
      );
      expect(parsed.newText).toBe(parsed.text);
      expect(parsed.language).toBe('lv');
    });

    it('splits the quote off the text of an HTML-only reply (html-to-text marks a blockquote with "> ")', async () => {
      const html =
        '<div>Paldies, skaidrs.</div><div><br></div><div class="gmail_quote"><div>On Mon, 2 Mar 2026 at 09:00, VPPPD &lt;info@vpppd.gov.lv&gt; wrote:<br></div><blockquote class="gmail_quote">Labdien!<br>Lūdzu, atsūtiet kopiju.</blockquote></div>';
      const parsed = await parseEmail(rawEmail(['From: a@example.lv', 'Subject: x', 'Content-Type: text/html; charset=utf-8'], html));
      expect(parsed.text).toBe(
        'Paldies, skaidrs.\n\n\nOn Mon, 2 Mar 2026 at 09:00, VPPPD <info@vpppd.gov.lv> wrote:\n\n\n> Labdien!\n> Lūdzu, atsūtiet kopiju.',
      );
      expect(parsed.newText).toBe('Paldies, skaidrs.');
    });

    it('is null when the sanitised HTML is empty', async () => {
      const parsed = await parseEmail(
        rawEmail(
          ['From: a@example.lv', 'Subject: x', 'Content-Type: text/html; charset=utf-8'],
          '<script>alert(1)</script><style>p{}</style>',
        ),
      );
      expect(parsed.html).toBeNull();
      expect(parsed.text).toBe('');
    });

    it('derives text from the HTML as sent: a remote image shows as its URL (never loaded), hidden text shows', async () => {
      // mailparser converts the original HTML with html-to-text, before our sanitiser sees it.
      const parsed = await parseEmail(
        rawEmail(
          ['From: a@example.lv', 'Subject: x', 'Content-Type: text/html; charset=utf-8'],
          '<p>Paldies!</p><img src="https://t.example/p.gif" alt=""><div style="display:none">slēpts</div>',
        ),
      );
      expect(parsed.text).toBe('Paldies!\n\n[https://t.example/p.gif]\nslēpts');
      expect(parsed.html).toBe('<p>Paldies!</p><div>slēpts</div>');
    });

    it(`takes the text of HTML longer than ${MAX_HTML_TO_TEXT_CHARS} characters from the sanitiser instead of html-to-text`, async () => {
      const paragraph = '<p>Labdien, <b>Jānis</b> &amp; Anna!</p>';
      const html = paragraph.repeat(Math.ceil(MAX_HTML_TO_TEXT_CHARS / paragraph.length) + 1);
      const parsed = await parseEmail(rawEmail(['From: a@example.lv', 'Subject: x', 'Content-Type: text/html; charset=utf-8'], html));
      const lines = parsed.text.split('\n');
      expect(lines[0]).toBe('Labdien, Jānis & Anna!');
      expect(lines.length).toBe(Math.ceil(MAX_HTML_TO_TEXT_CHARS / paragraph.length) + 1);
      expect(parsed.html?.startsWith(paragraph.replace('&amp;', '&amp;'))).toBe(true);
    });
  });

  describe('attachments', () => {
    /** Outlook's layout: related (alternative + logo), then the attached files. */
    function outlookMail(files: Array<{ name: string; type: string; content: Buffer; disposition?: string }>): Buffer {
      return rawEmail(
        ['From: janis@example.lv', 'Subject: Dokumenti', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="mixed"'],
        multipartBody('mixed', [
          {
            headers: ['Content-Type: multipart/related; boundary="related"; type="multipart/alternative"'],
            body: multipartBody('related', [
              {
                headers: ['Content-Type: multipart/alternative; boundary="alt"'],
                body: multipartBody('alt', [
                  { headers: ['Content-Type: text/plain; charset=utf-8'], body: 'Pielikumā dokumenti.\n\n[Logo]\n' },
                  {
                    headers: ['Content-Type: text/html; charset=utf-8'],
                    body: '<p>Pielikumā dokumenti.</p><img src="cid:image001.png@01DA8C3B.2A4E5F60" alt="Logo">\n',
                  },
                ]),
              },
              {
                headers: [
                  'Content-Type: image/png; name="image001.png"',
                  'Content-Disposition: inline; filename="image001.png"',
                  'Content-ID: <image001.png@01DA8C3B.2A4E5F60>',
                  'Content-Transfer-Encoding: base64',
                ],
                body: base64Body(PNG),
              },
            ]),
          },
          ...files.map((file) => ({
            headers: [
              `Content-Type: ${file.type}; name="${file.name}"`,
              `Content-Disposition: ${file.disposition ?? 'attachment'}; filename="${file.name}"`,
              'Content-Transfer-Encoding: base64',
            ],
            body: base64Body(file.content),
          })),
        ]),
      );
    }

    it('keeps files and embedded images apart and the cid: link in the HTML', async () => {
      const parsed = await parseEmail(outlookMail([{ name: 'Iesniegums.pdf', type: 'application/pdf', content: PDF }]));
      expect(parsed.text).toBe('Pielikumā dokumenti.\n\n[Logo]\n');
      expect(parsed.html).toBe('<p>Pielikumā dokumenti.</p><img src="cid:image001.png@01DA8C3B.2A4E5F60" alt="Logo" />');
      expect(parsed.attachments).toEqual([
        {
          filename: 'image001.png',
          contentType: 'image/png',
          size: PNG.length,
          content: PNG,
          inline: true,
          contentId: 'image001.png@01DA8C3B.2A4E5F60',
        },
        { filename: 'Iesniegums.pdf', contentType: 'application/pdf', size: PDF.length, content: PDF, inline: false, contentId: null },
      ]);
      expect(parsed.droppedAttachments).toEqual([]);
    });

    it('does not call a PDF inline because Apple Mail says "Content-Disposition: inline"', async () => {
      const parsed = await parseEmail(
        outlookMail([{ name: 'Iesniegums.pdf', type: 'application/pdf', content: PDF, disposition: 'inline' }]),
      );
      expect(parsed.attachments.map((a) => [a.filename, a.inline])).toEqual([
        ['image001.png', true],
        ['Iesniegums.pdf', false],
      ]);
    });

    it('drops oversized attachments and says so', async () => {
      const big = Buffer.alloc(2048, 0x41);
      const parsed = await parseEmail(
        outlookMail([
          { name: 'Liels.pdf', type: 'application/pdf', content: big },
          { name: 'Mazs.pdf', type: 'application/pdf', content: PDF },
        ]),
        { maxAttachmentBytes: 1024 },
      );
      expect(parsed.attachments.map((a) => a.filename)).toEqual(['image001.png', 'Mazs.pdf']);
      expect(parsed.droppedAttachments).toEqual([
        { filename: 'Liels.pdf', contentType: 'application/pdf', size: 2048, reason: 'too-large' },
      ]);
    });

    it('keeps an attachment of exactly the limit', async () => {
      const exact = Buffer.alloc(Math.max(PNG.length, PDF.length), 0x25);
      const parsed = await parseEmail(outlookMail([{ name: 'Tieši.pdf', type: 'application/pdf', content: exact }]), {
        maxAttachmentBytes: exact.length,
      });
      expect(parsed.attachments.map((a) => a.filename)).toEqual(['image001.png', 'Tieši.pdf']);
    });

    it('fills the count limit with attached files before embedded images', async () => {
      const parsed = await parseEmail(
        outlookMail([
          { name: 'a.pdf', type: 'application/pdf', content: PDF },
          { name: 'b.pdf', type: 'application/pdf', content: PDF },
          { name: 'c.pdf', type: 'application/pdf', content: PDF },
        ]),
        { maxAttachments: 2 },
      );
      expect(parsed.attachments.map((a) => a.filename)).toEqual(['a.pdf', 'b.pdf']);
      expect(parsed.droppedAttachments).toEqual([
        { filename: 'image001.png', contentType: 'image/png', size: PNG.length, reason: 'too-many' },
        { filename: 'c.pdf', contentType: 'application/pdf', size: PDF.length, reason: 'too-many' },
      ]);
    });

    it('gives embedded images the slots files leave free', async () => {
      const parsed = await parseEmail(outlookMail([{ name: 'a.pdf', type: 'application/pdf', content: PDF }]), { maxAttachments: 2 });
      expect(parsed.attachments.map((a) => a.filename)).toEqual(['image001.png', 'a.pdf']);
    });

    it('keeps nothing with a limit of 0, and does not count a too-large file as a slot', async () => {
      const parsed = await parseEmail(outlookMail([{ name: 'a.pdf', type: 'application/pdf', content: PDF }]), {
        maxAttachments: 0,
        maxAttachmentBytes: 10,
      });
      expect(parsed.attachments).toEqual([]);
      expect(parsed.droppedAttachments.map((d) => [d.filename, d.reason])).toEqual([
        ['image001.png', 'too-large'],
        ['a.pdf', 'too-large'],
      ]);
    });

    it("has the portal's limits by default", async () => {
      expect(DEFAULT_MAX_ATTACHMENTS).toBe(10);
      expect(DEFAULT_MAX_ATTACHMENT_BYTES).toBe(10 * 1024 * 1024);
      const files = Array.from({ length: 11 }, (_, i) => ({ name: `f${i + 1}.pdf`, type: 'application/pdf', content: PDF }));
      const parsed = await parseEmail(outlookMail(files));
      expect(parsed.attachments.map((a) => a.filename)).toEqual(files.slice(0, 10).map((f) => f.name));
      expect(parsed.droppedAttachments.map((d) => [d.filename, d.reason])).toEqual([
        ['image001.png', 'too-many'],
        ['f11.pdf', 'too-many'],
      ]);
    });

    it.each([[{ maxAttachmentBytes: -1 }], [{ maxAttachmentBytes: Number.NaN }], [{ maxAttachments: 1.5 }], [{ maxAttachments: -1 }]])(
      'refuses options %j',
      async (options) => {
        await expect(parseEmail(outlookMail([]), options)).rejects.toThrow(RangeError);
      },
    );

    it('names a part that has no name after its type', async () => {
      const raw = rawEmail(
        ['From: a@example.lv', 'Subject: x', 'Content-Type: multipart/mixed; boundary="m"'],
        multipartBody('m', [
          { headers: ['Content-Type: text/plain'], body: 'x\n' },
          { headers: ['Content-Type: image/png', 'Content-Transfer-Encoding: base64'], body: base64Body(PNG) },
          {
            headers: ['Content-Type: application/x-unknown', 'Content-Disposition: attachment', 'Content-Transfer-Encoding: base64'],
            body: base64Body(PDF),
          },
          {
            headers: [
              'Content-Type: application/pdf',
              'Content-Disposition: attachment; filename="  "',
              'Content-Transfer-Encoding: base64',
            ],
            body: base64Body(PDF),
          },
        ]),
      );
      const parsed = await parseEmail(raw);
      expect(parsed.attachments.map((a) => [a.filename, a.contentType])).toEqual([
        ['attachment.png', 'image/png'],
        ['attachment', 'application/x-unknown'],
        ['attachment.pdf', 'application/pdf'],
      ]);
    });

    it('keeps an attached .eml as an attachment outside a report', async () => {
      const eml = rawEmail(
        ['From: vid@vid.gov.lv', 'Subject: Lēmums', 'Message-ID: <lemums@vid.gov.lv>'],
        'Jūsu iesniegums ir noraidīts.\n',
      );
      const raw = rawEmail(
        ['From: a@example.lv', 'Subject: Fwd: Lēmums', 'Content-Type: multipart/mixed; boundary="m"'],
        multipartBody('m', [
          { headers: ['Content-Type: text/plain; charset=utf-8'], body: 'Lūdzu, skatiet pielikumā.\n' },
          {
            headers: ['Content-Type: message/rfc822; name="Lemums.eml"', 'Content-Disposition: attachment; filename="Lemums.eml"'],
            body: eml,
          },
        ]),
      );
      const parsed = await parseEmail(raw);
      expect(parsed.reportParts).toEqual([]);
      expect(parsed.attachments).toEqual([
        { filename: 'Lemums.eml', contentType: 'message/rfc822', size: eml.length, content: eml, inline: false, contentId: null },
      ]);
    });
  });
});

import { splitQuotedReply } from '@lib/mime';

/** Lines joined with "\n", to keep the fixtures readable. */
const lines = (...parts: string[]) => parts.join('\n');

const OUR_MESSAGE = lines('Labdien!', '', 'Lūdzu, atsūtiet iesnieguma kopiju.', '', 'Ar cieņu,', 'VPPPD');

describe('splitQuotedReply', () => {
  describe('attribution lines', () => {
    it.each([
      ['Gmail, English', 'On Mon, 3 Mar 2026 at 10:00, VPPPD <info@vpppd.gov.lv> wrote:'],
      ['Apple Mail, English', 'On 3 Mar 2026, at 10:00, Jānis Bērziņš <janis@example.lv> wrote:'],
      ['Thunderbird, English', 'On 03.03.2026 10:00, VPPPD wrote:'],
      ['Latvian, long date', '2026. gada 3. martā Jānis rakstīja:'],
      ['Thunderbird, Latvian', '03.03.2026 10:00, VPPPD rakstīja:'],
      ['Gmail, Latvian', 'pirmd., 2026. g. 3. marts, plkst. 10:00 — lietotājs VPPPD (<info@vpppd.gov.lv>) rakstīja:'],
      ['Latvian typed without diacritics', '2026-03-03 10:00 Janis rakstija:'],
      ['Apple Mail, Russian', '3 марта 2026 г., в 10:00, VPPPD <info@vpppd.gov.lv> написал(а):'],
      ['Thunderbird, Russian', '03.03.2026 10:00, VPPPD пишет:'],
      ['Russian, feminine', '3 марта 2026 г. Анна Петрова <anna@example.ru> написала:'],
      ['Gmail, Russian (no verb)', 'пн, 3 мар. 2026 г. в 10:00, VPPPD <info@vpppd.gov.lv>:'],
      ['mail.ru', 'Понедельник, 3 марта 2026, 10:00 +02:00 от VPPPD <info@vpppd.gov.lv>:'],
    ])('%s: %s', (_client, attribution) => {
      const text = lines('Paldies, dokumentus atsūtīšu rīt.', '', attribution, '', ...OUR_MESSAGE.split('\n').map((l) => `> ${l}`), '');
      expect(splitQuotedReply(text)).toEqual({
        newText: 'Paldies, dokumentus atsūtīšu rīt.',
        quoted: lines(attribution, '', ...OUR_MESSAGE.split('\n').map((l) => `> ${l}`)),
      });
    });

    it('finds an attribution Gmail wrapped over two lines', () => {
      const text = lines(
        'Thank you!',
        '',
        'On Mon, 3 Mar 2026 at 10:00, Valsts pārvaldes pakalpojumu portāls <',
        'info@vpppd.gov.lv> wrote:',
        '',
        '> Labdien!',
      );
      expect(splitQuotedReply(text)).toEqual({
        newText: 'Thank you!',
        quoted: lines('On Mon, 3 Mar 2026 at 10:00, Valsts pārvaldes pakalpojumu portāls <', 'info@vpppd.gov.lv> wrote:', '', '> Labdien!'),
      });
    });

    it('finds a wrapped Latvian attribution without taking the line above it', () => {
      const text = lines('Paldies!', '2026. gada 3. martā Valsts pārvaldes pakalpojumu', 'portāls rakstīja:', '> Labdien!');
      expect(splitQuotedReply(text)).toEqual({
        newText: 'Paldies!',
        quoted: lines('2026. gada 3. martā Valsts pārvaldes pakalpojumu', 'portāls rakstīja:', '> Labdien!'),
      });
    });

    it('cuts at the attribution even when the quote below it is not marked with ">"', () => {
      // Outlook-style clients quote by indentation or not at all.
      const text = lines('Skaidrs, paldies.', '', '2026. gada 3. martā VPPPD rakstīja:', '', OUR_MESSAGE);
      expect(splitQuotedReply(text)).toEqual({
        newText: 'Skaidrs, paldies.',
        quoted: lines('2026. gada 3. martā VPPPD rakstīja:', '', OUR_MESSAGE),
      });
    });

    it.each([
      'Mana kaimiņiene rakstīja:',
      'Jānis rakstīja:',
      'Мой сосед пишет:',
      'My neighbour wrote:',
      'Kā jau 3. martā rakstīja mana māsa, situācija ir sarežģīta, un es lūdzu jūs palīdzēt ar iesniegumu, jo pati to aizpildīt nevaru, un tas ir steidzami:',
    ])('does not take prose for an attribution: %j', (line) => {
      const text = lines('Labdien!', line, 'Pieteikums nav pieņemts.', 'Ko darīt?');
      expect(splitQuotedReply(text)).toEqual({ newText: text, quoted: '' });
    });

    it('does not take an address with a time followed by text for an attribution', () => {
      const text = lines('Zvaniet man pēc 10:00 vai rakstiet uz janis@example.lv:', 'tālrunis 29123456.');
      expect(splitQuotedReply(text)).toEqual({ newText: text, quoted: '' });
    });
  });

  describe('Outlook header blocks', () => {
    const quotedBody = lines('', 'Labdien!', 'Lūdzu, atsūtiet dokumentus.');

    it.each([
      [
        'English',
        [
          'From: VPPPD <info@vpppd.gov.lv>',
          'Sent: Monday, March 3, 2026 10:00 AM',
          'To: Jānis Bērziņš <janis@example.lv>',
          'Subject: Re: Pabalsts [VP-2026-000123]',
        ],
      ],
      [
        'English with Cc and Date',
        ['From: VPPPD', 'Date: 3 March 2026 at 10:00', 'To: janis@example.lv', 'Cc: anna@example.lv', 'Subject: Pabalsts'],
      ],
      [
        'Latvian',
        [
          'No: VPPPD <info@vpppd.gov.lv>',
          'Nosūtīts: pirmdiena, 2026. gada 3. marts 10:00',
          'Kam: Jānis Bērziņš <janis@example.lv>',
          'Tēma: Atb.: Pabalsts [VP-2026-000123]',
        ],
      ],
      [
        'Russian',
        [
          'От: VPPPD <info@vpppd.gov.lv>',
          'Отправлено: 3 марта 2026 г. 10:00',
          'Кому: Иван Петров <ivan@example.ru>',
          'Тема: RE: Пособие [VP-2026-000123]',
        ],
      ],
      [
        'rendered bold by Gmail',
        ['*From:* VPPPD <info@vpppd.gov.lv>', '*Sent:* Monday, March 3, 2026 10:00 AM', '*To:* janis@example.lv', '*Subject:* Pabalsts'],
      ],
    ])('%s', (_language, header) => {
      const text = lines('Paldies, skaidrs.', '', ...header, quotedBody);
      expect(splitQuotedReply(text)).toEqual({ newText: 'Paldies, skaidrs.', quoted: lines(...header, quotedBody) });
    });

    it("takes Outlook Web's underscore rule with the header block", () => {
      const rule = '________________________________';
      const text = lines(
        'Paldies.',
        '',
        rule,
        'From: VPPPD <info@vpppd.gov.lv>',
        'Sent: 3 March 2026 10:00',
        'To: janis@example.lv',
        'Subject: Pabalsts',
        quotedBody,
      );
      expect(splitQuotedReply(text)).toEqual({
        newText: 'Paldies.',
        quoted: lines(
          rule,
          'From: VPPPD <info@vpppd.gov.lv>',
          'Sent: 3 March 2026 10:00',
          'To: janis@example.lv',
          'Subject: Pabalsts',
          quotedBody,
        ),
      });
    });

    it.each([
      '-----Original Message-----',
      '----- Original Message -----',
      '-----Sākotnējais ziņojums-----',
      '-----Исходное сообщение-----',
    ])('cuts at %j', (separator) => {
      const text = lines('Paldies.', separator, 'From: VPPPD', 'Labdien!');
      expect(splitQuotedReply(text)).toEqual({ newText: 'Paldies.', quoted: lines(separator, 'From: VPPPD', 'Labdien!') });
    });

    it('does not take a lone "No:" or "From:" line in prose for a header block', () => {
      const text = lines('Pabalstu saņēmu:', 'No: 1. marta līdz 5. martam', 'From: my employer', 'Kāpēc tik maz?');
      expect(splitQuotedReply(text)).toEqual({ newText: text, quoted: '' });
    });
  });

  describe('"> " quotes', () => {
    it('cuts a trailing block of quoted lines, with the line introducing it in a language we do not know', () => {
      const text = lines(
        'Merci, je vais envoyer les documents.',
        '',
        'Le lun. 3 mars 2026, VPPPD a écrit :',
        '> Labdien!',
        '>',
        '> Lūdzu, atsūtiet.',
        '',
      );
      expect(splitQuotedReply(text)).toEqual({
        newText: 'Merci, je vais envoyer les documents.',
        quoted: lines('Le lun. 3 mars 2026, VPPPD a écrit :', '> Labdien!', '>', '> Lūdzu, atsūtiet.'),
      });
    });

    it('keeps an interleaved answer whole: the quoted questions give the answers their meaning', () => {
      const text = lines('> Kāds ir jūsu personas kods?', '010190-12345', '', '> Kāda ir jūsu adrese?', 'Rīga, Brīvības iela 1');
      expect(splitQuotedReply(text)).toEqual({ newText: text, quoted: '' });
    });

    it('keeps the interleaved part and still cuts the quote that follows an attribution below it', () => {
      const text = lines('> Kāds ir jūsu personas kods?', '010190-12345', '', '2026. gada 3. martā VPPPD rakstīja:', '> Labdien!');
      expect(splitQuotedReply(text)).toEqual({
        newText: lines('> Kāds ir jūsu personas kods?', '010190-12345'),
        quoted: lines('2026. gada 3. martā VPPPD rakstīja:', '> Labdien!'),
      });
    });

    it('accepts quote markers with leading blanks and nested quotes', () => {
      const text = lines('Jā.', '', ' > Vai?', ' >> Sākotnējais jautājums');
      expect(splitQuotedReply(text)).toEqual({ newText: 'Jā.', quoted: lines(' > Vai?', ' >> Sākotnējais jautājums') });
    });
  });

  describe('signatures', () => {
    it("keeps the new message's signature in newText and the quoted message's in quoted", () => {
      const text = lines(
        'Paldies!',
        '',
        '-- ',
        'Jānis Bērziņš',
        'tālr. 29123456',
        '',
        'On Mon, 3 Mar 2026 at 10:00, VPPPD <info@vpppd.gov.lv> wrote:',
        '> Labdien!',
        '> -- ',
        '> VPPPD',
      );
      expect(splitQuotedReply(text)).toEqual({
        newText: lines('Paldies!', '', '-- ', 'Jānis Bērziņš', 'tālr. 29123456'),
        quoted: lines('On Mon, 3 Mar 2026 at 10:00, VPPPD <info@vpppd.gov.lv> wrote:', '> Labdien!', '> -- ', '> VPPPD'),
      });
    });

    it('keeps a signature the client put below the quote in newText, not in quoted', () => {
      const text = lines('Paldies!', '', '> Labdien!', '> Lūdzu, atsūtiet.', '', '-- ', 'Jānis Bērziņš', 'tālr. 29123456', '');
      expect(splitQuotedReply(text)).toEqual({
        newText: lines('Paldies!', '', '-- ', 'Jānis Bērziņš', 'tālr. 29123456'),
        quoted: lines('> Labdien!', '> Lūdzu, atsūtiet.'),
      });
    });

    it('does not take a long text after "-- " for a signature', () => {
      const text = lines('> Jautājums?', '', '-- ', ...Array.from({ length: 12 }, (_, i) => `rinda ${i + 1}`));
      expect(splitQuotedReply(text)).toEqual({ newText: text, quoted: '' });
    });
  });

  describe('never empty', () => {
    it('returns the whole text as new text when there is no quote', () => {
      expect(splitQuotedReply(OUR_MESSAGE)).toEqual({ newText: OUR_MESSAGE, quoted: '' });
    });

    it.each([
      lines('> Labdien!', '> Lūdzu, atsūtiet.'),
      lines('On Mon, 3 Mar 2026 at 10:00, VPPPD <info@vpppd.gov.lv> wrote:', '> Labdien!'),
      lines('-----Original Message-----', 'From: VPPPD', 'Labdien!'),
      lines('', '> Labdien!', '', '-- ', 'Jānis'),
    ])('returns the whole text as new text when everything looks quoted: %j', (text) => {
      expect(splitQuotedReply(text)).toEqual({ newText: text.trim(), quoted: '' });
    });

    it.each(['', '   ', '\n\n'])('returns "" for an empty text %j', (text) => {
      expect(splitQuotedReply(text)).toEqual({ newText: '', quoted: '' });
    });
  });

  it.each([
    '---------- Forwarded message ---------',
    '-------- Pārsūtīts ziņojums --------',
    '-------- Пересылаемое сообщение --------',
    'Begin forwarded message:',
  ])('does not treat a message forwarded below %j as a quote: it is what the sender wants us to read', (separator) => {
    const text = lines(
      'Lūdzu, skatiet zemāk.',
      '',
      separator,
      'From: VID <vid@vid.gov.lv>',
      'Date: Mon, 3 Mar 2026 at 10:00',
      'Subject: Deklarācija',
      'To: <janis@example.lv>',
      '',
      'Labdien, jūsu deklarācija...',
      '> citāts no agrākas vēstules',
    );
    expect(splitQuotedReply(text)).toEqual({ newText: text, quoted: '' });
  });

  it('still cuts a reply quote above a forward separator', () => {
    const text = lines('Paldies!', '', '2026. gada 3. martā VPPPD rakstīja:', '> ---------- Forwarded message ---------', '> Labdien!');
    expect(splitQuotedReply(text)).toEqual({
      newText: 'Paldies!',
      quoted: lines('2026. gada 3. martā VPPPD rakstīja:', '> ---------- Forwarded message ---------', '> Labdien!'),
    });
  });

  it('accepts CRLF and CR line ends and answers with "\\n"', () => {
    const text = 'Paldies!\r\n\r\nOn Mon, 3 Mar 2026 at 10:00, VPPPD <info@vpppd.gov.lv> wrote:\r\n> Labdien!\r\n';
    expect(splitQuotedReply(text)).toEqual({
      newText: 'Paldies!',
      quoted: 'On Mon, 3 Mar 2026 at 10:00, VPPPD <info@vpppd.gov.lv> wrote:\n> Labdien!',
    });
    expect(splitQuotedReply('Jā.\r> Vai?\r')).toEqual({ newText: 'Jā.', quoted: '> Vai?' });
  });

  it('keeps the indentation of the first line of new text', () => {
    expect(splitQuotedReply('\n\n    1. punkts\n> x')).toEqual({ newText: '    1. punkts', quoted: '> x' });
  });
});

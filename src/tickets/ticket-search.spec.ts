import {
  contactDayLexeme,
  contactedSinceQuery,
  parseTicketSearch,
  phoneNumber,
  snippet,
  ticketMatchesSearch,
  ticketFoundBySearch,
  ticketSearchScore,
} from './ticket-search';

describe('parseTicketSearch', () => {
  it('stems Latvian words into exact stems that must all match, ranked by the words they begin', () => {
    const s = parseTicketSearch('vecuma pensiju');
    expect(s.terms).toEqual([
      { text: 'vecum', prefix: false },
      { text: 'pensij', prefix: false },
    ]);
    expect(s.tsquery).toBe('vecum & pensij');
    expect(s.rankTsquery).toBe('vecum:* & pensij:*');
  });

  it('takes a word with a star at its end as a beginning, folded and not stemmed', () => {
    const s = parseTicketSearch('Stip* pabalsts');
    expect(s.terms).toEqual([
      { text: 'pabalst', prefix: false },
      { text: 'stip', prefix: true },
    ]);
    expect(s.tsquery).toBe('pabalst & stip:*');
    expect(parseTicketSearch('Atļauj*').tsquery).toBe('atlauj:*');
    // One letter would be most words of the index; a star alone is no word.
    expect(parseTicketSearch('a* *').tsquery).toBeNull();
    expect(parseTicketSearch('pensija pensij*').tsquery).toBe('pensij');
  });

  it('folds diacritics, so a word typed without them finds the written one', () => {
    expect(parseTicketSearch('izziņas').terms).toEqual(parseTicketSearch('izzinas').terms);
  });

  it('takes an e-mail address, a phone number and a reference exactly', () => {
    expect(parseTicketSearch(' Liga@Example.LV ')).toMatchObject({ email: 'liga@example.lv', tsquery: null });
    expect(parseTicketSearch('+371 2000 0001')).toMatchObject({ phone: '+37120000001', tsquery: null });
    expect(parseTicketSearch('vp-2026-000123')).toMatchObject({ reference: 'VP-2026-000123' });
    // A busy year's millionth ticket and a one-letter prefix are references too.
    expect(parseTicketSearch('VP-2026-1000001')).toMatchObject({ reference: 'VP-2026-1000001', tsquery: null });
    expect(parseTicketSearch('R-2026-000001')).toMatchObject({ reference: 'R-2026-000001', tsquery: null });
    expect(parseTicketSearch('000123')).toMatchObject({ referenceNumber: '123', phone: null });
    expect(parseTicketSearch('20000001')).toMatchObject({ referenceNumber: null, phone: '+37120000001' });
  });

  it('gives no text query for stop words alone, and never passes control characters on', () => {
    expect(parseTicketSearch('labdien, vai jūs').tsquery).toBeNull();
    expect(parseTicketSearch('pabalsts\u0000').tsquery).toBe('pabalst');
  });
});

describe('phoneNumber', () => {
  it.each([
    ['+371 2000 0001', '+37120000001'],
    ['20000001', '+37120000001'],
    ['2000-0001', '+37120000001'],
    ['00371 20000001', '+37120000001'],
    ['(+371) 20 000 001', '+37120000001'],
    ['+44 20 7946 0958', '+442079460958'],
  ])('%s is %s', (input, e164) => expect(phoneNumber(input)).toBe(e164));

  it.each(['12345', 'pensija 2026', '2026'])('%s is not a phone number', (input) => expect(phoneNumber(input)).toBeNull());
});

const stems = (...texts: string[]) => texts.map((text) => ({ text, prefix: false }));

describe('snippet', () => {
  it('marks every word of the stems around the first match, by offsets', () => {
    const text = 'Labdien! Es vēlos uzzināt, kā pieteikties vecuma pensijai un kādi dokumenti vajadzīgi pensijas pieprasīšanai.';
    const s = snippet(text, stems('pensij'))!;
    const marked = s.highlights.map(([a, b]) => s.text.slice(a, b));
    expect(marked).toEqual(['pensijai', 'pensijas']);
  });

  it('cuts a long text around the match and says so', () => {
    const text = `${'vārds '.repeat(100)}pabalsts ${'cits '.repeat(100)}`;
    const s = snippet(text, stems('pabalst'), 120)!;
    expect(s.text.startsWith('…')).toBe(true);
    expect(s.text.endsWith('…')).toBe(true);
    expect(s.highlights.map(([a, b]) => s.text.slice(a, b))).toEqual(['pabalsts']);
  });

  it('returns markup as plain text with offsets, never as HTML', () => {
    const s = snippet('<script>alert(1)</script> pabalsts', stems('pabalst'))!;
    expect(s.text).toContain('<script>');
    expect(s.highlights).toHaveLength(1);
  });

  it('finds nothing when no word has the stem', () => {
    expect(snippet('nekas kopīgs', stems('pabalst'))).toBeNull();
  });

  it('marks the words of a stem, and every word of a beginning', () => {
    const text = 'Stipendija un stipras izziņas';
    const marked = (s: ReturnType<typeof snippet>) => s!.highlights.map(([a, b]) => s!.text.slice(a, b));
    expect(snippet(text, stems('stip'))).toBeNull();
    expect(marked(snippet(text, stems('stipendij', 'izzin')))).toEqual(['Stipendija', 'izziņas']);
    expect(marked(snippet(text, [{ text: 'stip', prefix: true }]))).toEqual(['Stipendija', 'stipras']);
  });

  it('marks words with diacritics, in capitals, and in Cyrillic by the original text', () => {
    const s = snippet('Jānis ZARIŅŠ jautā par IZZIŅU; Справка о пенсии.', stems('zarin', 'izzin', 'пенс'))!;
    expect(s.highlights.map(([a, b]) => s.text.slice(a, b))).toEqual(['ZARIŅŠ', 'IZZIŅU', 'пенсии']);
  });

  it('marks the right words of a text whose letters are written with combining marks', () => {
    // "Zariņš, izziņa" with ņ and š as a base letter and a mark: folding shortens the text, offsets must not move.
    const text = 'Zarin\u0327s\u030c, izzin\u0327a un pabalsts';
    const s = snippet(text, stems('zarin', 'pabalst'))!;
    expect(s.highlights.map(([a, b]) => s.text.slice(a, b))).toEqual(['Zarin\u0327s\u030c', 'pabalsts']);
  });
});

describe.each([
  ['ticketFoundBySearch', ticketFoundBySearch],
  ['ticketSearchScore', ticketSearchScore],
  ['ticketMatchesSearch', ticketMatchesSearch],
])('%s', (_name, build) => {
  it('passes every value as a parameter', () => {
    const params: unknown[] = [];
    const sql = build(parseTicketSearch("pabalsts'; DROP TABLE tickets; --"), (v) => `$${params.push(v)}`);
    expect(sql).not.toContain('DROP');
    expect(params).toEqual(
      build === ticketSearchScore
        ? ['pabalst & drop & tabl & ticket', 'pabalst:* & drop:* & tabl:* & ticket:*']
        : ['pabalst & drop & tabl & ticket'],
    );
  });
});

describe('contactedSinceQuery', () => {
  /** Whether a lexeme matches the query as PostgreSQL's `@@` would: any term, exact or as a prefix (`:*`). */
  const matches = (query: string, lexeme: string) =>
    query.split(' | ').some((term) => {
      const [, word, prefix] = /^'([^']+)'(:\*)?$/.exec(term)!;
      return prefix ? lexeme.startsWith(word) : lexeme === word;
    });
  const DAY = 86_400_000;

  it.each([
    ['2026-11-20T10:00:00Z', 3],
    ['2026-12-31T23:59:59Z', 0],
    ['2026-01-01T00:00:00Z', 40],
    ['2024-02-15T12:00:00Z', 20],
    ['2029-09-07T00:00:00Z', 92],
  ])('matches the days from %s through %d days later one by one, and with `after` every later day', (iso, days) => {
    const from = new Date(iso);
    const firstDay = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
    const through = new Date(from.getTime() + days * DAY + 3_600_000);
    const lastDay = Date.UTC(through.getUTCFullYear(), through.getUTCMonth(), through.getUTCDate());
    const bounded = contactedSinceQuery(from, through);
    const open = contactedSinceQuery(from, through, true);
    // Each day of the period exactly, never a prefix that would make the index read a whole month of tickets.
    expect(bounded).not.toContain(':*');
    expect(bounded.split(' | ')).toHaveLength((lastDay - firstDay) / DAY + 1);
    for (let t = firstDay - 400 * DAY; t < lastDay + 4 * 366 * DAY; t += DAY) {
      const day = new Date(t).toISOString().slice(0, 10);
      const lexeme = contactDayLexeme(new Date(t));
      expect([day, matches(bounded, lexeme), matches(open, lexeme)]).toEqual([day, t >= firstDay && t <= lastDay, t >= firstDay]);
    }
    // A day's last second is that day.
    expect(matches(bounded, contactDayLexeme(new Date(firstDay + DAY - 1)))).toBe(true);
    // The later days take a few prefixes more, none of them over a day of the period.
    expect(open.split(' | ').length - bounded.split(' | ').length).toBeLessThanOrEqual(30);
  });

  it('names the day in UTC', () => {
    expect(contactDayLexeme(new Date('2026-12-03T23:59:59Z'))).toBe('~d20261203');
    expect(contactDayLexeme(new Date('2026-12-04T00:30:00+02:00'))).toBe('~d20261203');
  });
});

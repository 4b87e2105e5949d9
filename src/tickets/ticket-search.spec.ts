import { parseTicketSearch, phoneNumber, snippet, ticketMatchesSearch, ticketSearchCandidates, ticketSearchScore } from './ticket-search';

describe('parseTicketSearch', () => {
  it('stems Latvian words into prefixes that must all match', () => {
    const s = parseTicketSearch('vecuma pensiju');
    expect(s.stems).toEqual(['vecum', 'pensij']);
    expect(s.tsquery).toBe('vecum:* & pensij:*');
  });

  it('folds diacritics, so a word typed without them finds the written one', () => {
    expect(parseTicketSearch('izziņas').stems).toEqual(parseTicketSearch('izzinas').stems);
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
    expect(parseTicketSearch('pabalsts\u0000').tsquery).toBe('pabalst:*');
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

describe('snippet', () => {
  it('marks every word of the stems around the first match, by offsets', () => {
    const text = 'Labdien! Es vēlos uzzināt, kā pieteikties vecuma pensijai un kādi dokumenti vajadzīgi pensijas pieprasīšanai.';
    const s = snippet(text, ['pensij'])!;
    const marked = s.highlights.map(([a, b]) => s.text.slice(a, b));
    expect(marked).toEqual(['pensijai', 'pensijas']);
  });

  it('cuts a long text around the match and says so', () => {
    const text = `${'vārds '.repeat(100)}pabalsts ${'cits '.repeat(100)}`;
    const s = snippet(text, ['pabalst'], 120)!;
    expect(s.text.startsWith('…')).toBe(true);
    expect(s.text.endsWith('…')).toBe(true);
    expect(s.highlights.map(([a, b]) => s.text.slice(a, b))).toEqual(['pabalsts']);
  });

  it('returns markup as plain text with offsets, never as HTML', () => {
    const s = snippet('<script>alert(1)</script> pabalsts', ['pabalst'])!;
    expect(s.text).toContain('<script>');
    expect(s.highlights).toHaveLength(1);
  });

  it('finds nothing when no word starts with a stem', () => {
    expect(snippet('nekas kopīgs', ['pabalst'])).toBeNull();
  });
});

describe.each([
  ['ticketSearchCandidates', ticketSearchCandidates],
  ['ticketSearchScore', ticketSearchScore],
  ['ticketMatchesSearch', ticketMatchesSearch],
])('%s', (_name, build) => {
  it('passes every value as a parameter', () => {
    const params: unknown[] = [];
    const sql = build(parseTicketSearch("pabalsts'; DROP TABLE tickets; --"), (v) => `$${params.push(v)}`);
    expect(sql).not.toContain('DROP');
    expect(params).toEqual(['pabalst:* & drop:* & tabl:* & ticket:*']);
  });
});

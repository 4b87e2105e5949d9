import { findReference, formatReference, parseReference, referenceSequenceName, referenceYear } from './ticket-reference';

describe('ticket references', () => {
  it('formats prefix, year and a zero-padded number', () => {
    expect(formatReference('VP', 2026, 123)).toBe('VP-2026-000123');
    expect(formatReference('VP', 2026, 1)).toBe('VP-2026-000001');
  });

  it('grows past six digits instead of wrapping', () => {
    expect(formatReference('VP', 2026, 1_234_567)).toBe('VP-2026-1234567');
  });

  it.each([
    ['vp', 2026, 1],
    ['VP', 1999, 1],
    ['VP', 2026, 0],
    ['VP', 2026, 1.5],
  ])('refuses invalid parts %s %s %s', (prefix, year, seq) => {
    expect(() => formatReference(prefix, year, seq)).toThrow(RangeError);
  });

  it('takes the year in Latvian time, not UTC', () => {
    // 31 Dec 2025 22:30 UTC is already 1 Jan 2026 00:30 in Riga (UTC+2 in winter).
    expect(referenceYear(new Date('2025-12-31T22:30:00Z'))).toBe(2026);
    expect(referenceYear(new Date('2025-12-31T21:59:59Z'))).toBe(2025);
  });

  it('parses what people type and refuses what is not a reference', () => {
    expect(parseReference(' [vp-2026-000123] ')).toEqual({ prefix: 'VP', year: 2026, sequence: 123 });
    expect(parseReference('VP-2026-123')).toBeNull();
    expect(parseReference('VP-2026-000000')).toBeNull();
    expect(parseReference('VP2026000123')).toBeNull();
  });

  it('finds a reference inside a subject line', () => {
    expect(findReference('VP', 'Re: Fwd: [VP-2026-000123] Par pabalstu')).toBe('VP-2026-000123');
    expect(findReference('VP', 'Re: [vp-2026-000042]')).toBe('VP-2026-000042');
    expect(findReference('VP', 'XVP-2026-000123')).toBeNull();
    expect(findReference('VP', 'no reference here')).toBeNull();
  });

  it('names one sequence per year', () => {
    expect(referenceSequenceName(2026)).toBe('ticket_reference_2026');
    expect(() => referenceSequenceName(26)).toThrow(RangeError);
  });
});

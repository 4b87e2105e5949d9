import { isValidPersonalCode, legacyCheckDigit, maskPersonalCode, normalizePersonalCode, parsePersonalCode } from '@lib/personal-code';
import { todayInLatvia } from './personal-code';

/**
 * Independent re-implementation of the published rule, written differently from
 * the library on purpose, so the tests do not just compare the code with itself.
 */
function referenceCheckDigit(tenDigits: string): number {
  const weights = [1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = tenDigits.split('').reduce((acc, d, i) => acc + Number(d) * weights[i], 0);
  let r = 1101 - sum;
  while (r < 0) r += 11;
  return (r % 11) % 10;
}

/** ddmmyy + century digit + 3-digit serial → a legacy code with a correct check digit. */
function legacy(ddmmyy: string, century: string, serial = '123', hyphen = true): string {
  const ten = `${ddmmyy}${century}${serial}`;
  return `${ddmmyy}${hyphen ? '-' : ''}${century}${serial}${referenceCheckDigit(ten)}`;
}

const NOW = new Date('2024-06-15T12:00:00Z');

describe('referenceCheckDigit (spec helper)', () => {
  it('reproduces a hand-computed value', () => {
    // 1·1+2·6+1·3+2·7+8·9+2·10+1·5+1·8+2·4+1·2 = 145; (1101−145) mod 11 = 10; 10 mod 10 = 0
    expect(referenceCheckDigit('1212821121')).toBe(0);
  });
});

describe('legacyCheckDigit', () => {
  it.each(['1212821121', '2902002123', '0101000000', '9999999999', '0000000000', '3112991555'])(
    'agrees with the reference rule for %s',
    (ten) => expect(legacyCheckDigit(ten)).toBe(referenceCheckDigit(ten)),
  );

  it('rejects input that is not 10 digits', () => {
    expect(() => legacyCheckDigit('123')).toThrow(RangeError);
  });
});

describe('parsePersonalCode — legacy form', () => {
  it('accepts the commonly cited sample 121282-11210', () => {
    expect(parsePersonalCode('121282-11210', { now: NOW })).toEqual({
      ok: true,
      normalized: '12128211210',
      form: 'legacy',
      birthDate: '1982-12-12',
    });
  });

  it.each([
    ['290200', '2', '2000-02-29'], // 2000 is divisible by 400 → leap
    ['290296', '1', '1996-02-29'],
    ['150385', '0', '1885-03-15'], // 1800s
    ['010100', '0', '1800-01-01'],
    ['311299', '1', '1999-12-31'], // starts with "31": still legacy, not the new form
    ['300490', '1', '1990-04-30'],
    ['010105', '2', '2005-01-01'],
    ['290204', '2', '2004-02-29'],
  ])('accepts %s-%s… as born %s', (ddmmyy, century, birthDate) => {
    const code = legacy(ddmmyy, century);
    expect(parsePersonalCode(code, { now: NOW })).toEqual({
      ok: true,
      normalized: code.replace('-', ''),
      form: 'legacy',
      birthDate,
    });
  });

  it('treats the hyphen as optional', () => {
    const withHyphen = legacy('150385', '0', '456', true);
    const without = legacy('150385', '0', '456', false);
    expect(without).toHaveLength(11);
    expect(normalizePersonalCode(withHyphen, { now: NOW })).toBe(without);
    expect(normalizePersonalCode(without, { now: NOW })).toBe(without);
  });

  it('trims surrounding whitespace', () => {
    expect(normalizePersonalCode(' \t121282-11210\n ', { now: NOW })).toBe('12128211210');
  });

  it('rejects every wrong check digit', () => {
    for (let d = 0; d <= 9; d++) {
      const result = parsePersonalCode(`121282-1121${d}`, { now: NOW });
      if (d === 0) {
        expect(result.ok).toBe(true);
      } else {
        expect(result).toEqual({ ok: false, reason: expect.stringMatching(/check digit/i) });
      }
    }
  });

  it.each([
    ['310299', '1', /February 1999 has no day 31/],
    ['290201', '1', /February 1901 has no day 29/],
    ['290201', '2', /February 2001 has no day 29/],
    ['290200', '1', /February 1900 has no day 29/], // 1900: divisible by 100, not by 400
    ['290200', '0', /February 1800 has no day 29/],
    ['310490', '1', /April 1990 has no day 31/],
    ['000190', '1', /January 1990 has no day 00/],
    ['011390', '1', /month 13 does not exist/],
    ['010090', '1', /month 00 does not exist/],
  ])('rejects impossible date %s with century %s', (ddmmyy, century, reason) => {
    expect(parsePersonalCode(legacy(ddmmyy, century), { now: NOW })).toEqual({
      ok: false,
      reason: expect.stringMatching(reason),
    });
  });

  it.each(['3', '4', '5', '6', '7', '8', '9'])('rejects century digit %s even with a correct check digit', (c) => {
    expect(parsePersonalCode(legacy('121282', c), { now: NOW })).toEqual({
      ok: false,
      reason: `Invalid century digit ${c} (7th digit must be 0, 1 or 2)`,
    });
  });

  it('rejects a birth date after today and accepts today', () => {
    expect(parsePersonalCode(legacy('160624', '2'), { now: NOW })).toEqual({
      ok: false,
      reason: 'Birth date 2024-06-16 is in the future',
    });
    expect(parsePersonalCode(legacy('150624', '2'), { now: NOW })).toMatchObject({ ok: true, birthDate: '2024-06-15' });
  });

  it('judges "today" by the Riga calendar, not UTC', () => {
    // 22:30 UTC on 15 June is already 01:30 on 16 June in Riga (UTC+3 in summer).
    const lateEvening = new Date('2024-06-15T22:30:00Z');
    expect(parsePersonalCode(legacy('160624', '2'), { now: lateEvening })).toMatchObject({
      ok: true,
      birthDate: '2024-06-16',
    });
  });

  it('uses the real clock by default', () => {
    expect(isValidPersonalCode(legacy('010199', '2'))).toBe(false); // 2099
    expect(isValidPersonalCode(legacy('010199', '1'))).toBe(true); // 1999
  });
});

describe('parsePersonalCode — new form (since 1 July 2017)', () => {
  it.each(['32000000000', '32579918231', '39999999999', '35123456789'])('accepts %s', (code) => {
    expect(parsePersonalCode(code)).toEqual({ ok: true, normalized: code, form: 'new' });
  });

  it('accepts the hyphenated spelling', () => {
    expect(parsePersonalCode('325799-18231')).toEqual({ ok: true, normalized: '32579918231', form: 'new' });
  });

  it('does not treat 31… as the new form', () => {
    // Day 31, month 12, year ..34, century digit 5 → judged (and rejected) as legacy.
    expect(parsePersonalCode('31123456789')).toEqual({
      ok: false,
      reason: 'Invalid century digit 5 (7th digit must be 0, 1 or 2)',
    });
  });

  it.each([
    ['3212345678', /11 digits, got 10/],
    ['321234567890', /11 digits, got 12/],
    ['32123-456789', /Hyphen/],
    ['3A123456789', /only digits/],
  ])('rejects malformed %s', (input, reason) => {
    expect(parsePersonalCode(input)).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });
});

describe('parsePersonalCode — format errors', () => {
  it.each([
    ['', 'Personal code is empty'],
    ['   ', 'Personal code is empty'],
    ['AB1282-11210', 'Personal code may contain only digits and an optional hyphen after the sixth digit'],
    ['121282 11210', 'Personal code may contain only digits and an optional hyphen after the sixth digit'],
    ['121282–11210', 'Personal code may contain only digits and an optional hyphen after the sixth digit'], // en dash
    ['12128-211210', 'Hyphen is only allowed after the sixth digit (DDMMYY-NNNNN)'],
    ['121282-1121-0', 'Hyphen is only allowed after the sixth digit (DDMMYY-NNNNN)'],
    ['-12128211210', 'Hyphen is only allowed after the sixth digit (DDMMYY-NNNNN)'],
    ['121282-', 'Personal code must have 11 digits, got 6'],
    ['1212821121', 'Personal code must have 11 digits, got 10'],
    ['121282112100', 'Personal code must have 11 digits, got 12'],
  ])('rejects %j', (input, reason) => {
    expect(parsePersonalCode(input, { now: NOW })).toEqual({ ok: false, reason });
  });

  it('rejects non-string input from untyped callers', () => {
    expect(parsePersonalCode(undefined as unknown as string)).toEqual({
      ok: false,
      reason: 'Personal code must be a string',
    });
  });
});

describe('isValidPersonalCode / normalizePersonalCode', () => {
  it('mirror parsePersonalCode', () => {
    expect(isValidPersonalCode('121282-11210')).toBe(true);
    expect(isValidPersonalCode('121282-11211')).toBe(false);
    expect(normalizePersonalCode('121282-11210')).toBe('12128211210');
    expect(normalizePersonalCode('121282-11211')).toBeNull();
    expect(normalizePersonalCode('32-123')).toBeNull();
  });
});

describe('maskPersonalCode', () => {
  it('keeps the first six digits of a legacy code', () => {
    expect(maskPersonalCode('12128211210')).toBe('121282-*****');
  });

  it('keeps the first six digits of a new-form code', () => {
    expect(maskPersonalCode('32579918231')).toBe('325799-*****');
  });

  it('tolerates the hyphenated spelling', () => {
    expect(maskPersonalCode('121282-11210')).toBe('121282-*****');
  });

  it.each(['', '12345', '1212821121x', 'not a code', '121282112100'])('fully masks malformed %j', (input) => {
    expect(maskPersonalCode(input)).toBe('******-*****');
  });
});

describe('todayInLatvia', () => {
  it("changes at Riga's midnight, winter and summer, whichever minute was asked before", () => {
    const cases: Array<[string, string]> = [
      ['2026-12-03T21:59:59.999Z', '2026-12-03'], // 23:59:59 in Riga (UTC+2)
      ['2026-12-03T22:00:00.000Z', '2026-12-04'],
      ['2026-12-03T21:59:00.000Z', '2026-12-03'], // back to a minute asked before
      ['2026-06-30T20:59:30.000Z', '2026-06-30'], // 23:59 in Riga (UTC+3)
      ['2026-06-30T21:00:00.000Z', '2026-07-01'],
      ['2026-06-30T21:00:59.999Z', '2026-07-01'],
    ];
    for (const [instant, day] of cases) expect([instant, todayInLatvia(new Date(instant))]).toEqual([instant, day]);
  });

  it('refuses the code of a child born on a day Riga has not reached, and takes it once Riga has', () => {
    const code = legacy('041226', '2');
    expect(isValidPersonalCode(code, { now: new Date('2026-12-03T21:30:00Z') })).toBe(false);
    expect(isValidPersonalCode(code, { now: new Date('2026-12-03T22:30:00Z') })).toBe(true);
  });
});

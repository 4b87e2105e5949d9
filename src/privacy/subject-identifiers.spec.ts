import { normalizeSubjectIdentifier } from './subject-identifiers';

describe('normalizeSubjectIdentifier', () => {
  it('writes a personas kods as ingest stores it, and refuses an invalid one', () => {
    expect(normalizeSubjectIdentifier('personal_code', '32345678901')).toBe('32345678901');
    expect(normalizeSubjectIdentifier('personal_code', '12345')).toBeNull();
  });

  it('lower-cases an e-mail address and refuses what is not one', () => {
    expect(normalizeSubjectIdentifier('email', '  Anna.Berzina@Example.LV ')).toBe('anna.berzina@example.lv');
    expect(normalizeSubjectIdentifier('email', 'anna')).toBeNull();
  });

  it('turns the ways people write a phone number into E.164', () => {
    expect(normalizeSubjectIdentifier('phone', '+371 2000 0011')).toBe('+37120000011');
    expect(normalizeSubjectIdentifier('phone', '00371-20000011')).toBe('+37120000011');
    expect(normalizeSubjectIdentifier('phone', '20000011')).toBe('+37120000011');
    expect(normalizeSubjectIdentifier('phone', '(67) 000-00')).toBeNull();
    expect(normalizeSubjectIdentifier('phone', 'call me')).toBeNull();
  });
});

import { maskContact, maskDeep, maskEmail, maskFreeText, maskPhone } from './pii-mask';

describe('maskFreeText', () => {
  it('takes e-mail addresses, personal codes and phone numbers out of text', () => {
    const text = 'Jānis (121282-11210, 32345678901) wrote from janis.berzins@example.lv, call +371 2000 0000 or 26123456 or 0037167000000.';
    const masked = maskFreeText(text);
    expect(masked).toBe('Jānis ([personas kods], [personas kods]) wrote from [e-mail], call [phone] or [phone] or [phone].');
  });

  it('leaves what only looks numeric alone: references, dates, ids, times, counts', () => {
    const text = 'VP-2026-000123 at 2026-12-03T14:10:00Z, uid 1733234, id 4f1c2b9e-0d1a-4c3b-9a55-123456789012, 12345 ms, port 3310';
    expect(maskFreeText(text)).toBe(text);
  });

  it('masks strings anywhere in a log record, errors as errors', () => {
    class QueryError extends Error {
      code = '23505';
      detail = 'Key (email)=(anna@example.lv) already exists';
    }
    const err = new QueryError('duplicate for anna@example.lv');
    const record = maskDeep({ who: { phone: '+37120000000' }, list: ['121282-11210'], err, n: 3 }) as any;
    expect(record.who.phone).toBe('[phone]');
    expect(record.list).toEqual(['[personas kods]']);
    expect(record.err).toBeInstanceOf(QueryError);
    expect(record.err.message).toBe('duplicate for [e-mail]');
    expect(record.err.stack).not.toContain('anna@');
    expect(record.err.detail).toBe('Key (email)=([e-mail]) already exists');
    expect(record.n).toBe(3);
    expect(err.message).toContain('anna@example.lv'); // the original is untouched
  });
});

describe('contact masks', () => {
  it('keeps enough to tell values apart, nothing to use them', () => {
    expect(maskEmail('janis.berzins@example.lv')).toBe('j***@example.lv');
    expect(maskPhone('+37120000012')).toBe('+371 2*****12');
    expect(maskPhone('26123456')).toBe('2*****56');
    expect(maskContact('email', 'Anna@Example.LV')).toBe('A***@Example.LV');
    expect(maskContact('phone', '+37120000012')).toBe('+371 2*****12');
    expect(maskContact('address', 'whatsapp:+37120000012')).toBe('whatsapp:+371 2*****12');
    expect(maskContact('address', 'anna@example.lv')).toBe('a***@example.lv');
    expect(maskContact('address', 'messenger:PSID111')).toBe('messenger:PSID111');
  });
});

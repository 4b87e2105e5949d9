import { referenceNotice } from './reference-notice';

describe('reference notice', () => {
  it.each([
    ['social', 'lv', 'reģistrēta ar numuru VP-2026-000123'],
    ['social', 'ru', 'под номером VP-2026-000123'],
    ['social', 'en', 'registered as VP-2026-000123'],
    ['sms', 'lv', 'registrets ar numuru VP-2026-000123'],
    ['sms', 'ru', 'под номером VP-2026-000123'],
    ['sms', 'en', 'registered as VP-2026-000123'],
  ] as const)('%s in %s carries the reference and the status page', (channel, language, expected) => {
    const text = referenceNotice(channel, language, 'VP-2026-000123', 'https://kontakti.example.lv/');
    expect(text).toContain(expected);
    expect(text).toMatch(/https:\/\/kontakti\.example\.lv\/case$/);
  });

  it('keeps a Latvian SMS in the GSM alphabet and short enough for two parts', () => {
    const text = referenceNotice('sms', 'lv', 'VP-2026-000123', 'https://kontakti.example.lv');
    expect(text).toMatch(/^[\x20-\x7e]+$/);
    expect(text.length).toBeLessThanOrEqual(306);
  });
});

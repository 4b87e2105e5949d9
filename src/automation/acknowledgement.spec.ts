import { acknowledgement } from './acknowledgement';

describe('acknowledgement', () => {
  it.each([
    ['lv', 'Saņemts [VP-2026-000123]: Par pensiju', '10 darba dienu'],
    ['ru', 'Получено [VP-2026-000123]: Par pensiju', '10 рабочих дней'],
    ['en', 'Received [VP-2026-000123]: Par pensiju', '10 working days'],
  ] as const)('speaks %s, carries the reference in subject and text, and gives the answer time', (lang, subject, time) => {
    const ack = acknowledgement(lang, 'VP-2026-000123', '  Par pensiju ');
    expect(ack.subject).toBe(subject);
    expect(ack.text).toContain('VP-2026-000123');
    expect(ack.text).toContain(time);
  });

  it.each(['lv', 'ru', 'en'] as const)('gives the case-status link in %s when there is one', (lang) => {
    const link = 'https://kontakti.example.lv/case?t=abc.def';
    expect(acknowledgement(lang, 'VP-2026-000123', null, link).text).toContain(`: ${link}`);
    expect(acknowledgement(lang, 'VP-2026-000123', null).text).not.toContain('/case');
  });

  it('works without a subject', () => {
    expect(acknowledgement('lv', 'VP-2026-000001', null).subject).toBe('Saņemts [VP-2026-000001]');
  });
});

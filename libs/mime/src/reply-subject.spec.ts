import { buildReplySubject } from '@lib/mime';

const REF = 'VP-2026-000123';

describe('buildReplySubject', () => {
  it.each([
    ['Pabalsts', 'Re: Pabalsts [VP-2026-000123]'],
    ['Re: Pabalsts', 'Re: Pabalsts [VP-2026-000123]'],
    ['RE: Re: re: Pabalsts', 'Re: Pabalsts [VP-2026-000123]'],
    ['Fwd: FW: Fw: Pabalsts', 'Re: Pabalsts [VP-2026-000123]'],
    ['AW: WG: Antrag', 'Re: Antrag [VP-2026-000123]'],
    ['Atb.: Atb: Pārs.: Iesniegums', 'Re: Iesniegums [VP-2026-000123]'],
    ['Отв.: Ответ: Пересл.: Заявление', 'Re: Заявление [VP-2026-000123]'],
    ['Re[2]: RE (3): Re:Re:Pabalsts', 'Re: Pabalsts [VP-2026-000123]'],
    ['SV: VS: Ansøgning', 'Re: Ansøgning [VP-2026-000123]'],
    ['  Re :  Pabalsts  ģimenei ', 'Re: Pabalsts ģimenei [VP-2026-000123]'],
  ])('%j → %j', (subject, expected) => {
    expect(buildReplySubject(subject, REF)).toBe(expected);
  });

  it.each([
    ['Re: Pabalsts [VP-2026-000123]', 'Re: Pabalsts [VP-2026-000123]'],
    ['Re: [VP-2026-000123] Pabalsts', 'Re: Pabalsts [VP-2026-000123]'],
    ['[VP-2026-000123] Re: Pabalsts', 'Re: Pabalsts [VP-2026-000123]'],
    ['Re: Pabalsts VP-2026-000123', 'Re: Pabalsts [VP-2026-000123]'],
    ['Re: Pabalsts [vp-2026-000123]', 'Re: Pabalsts [VP-2026-000123]'],
    ['Re: Pabalsts [ VP-2026-000123 ] [VP-2026-000123]', 'Re: Pabalsts [VP-2026-000123]'],
  ])('never repeats the reference: %j → %j', (subject, expected) => {
    expect(buildReplySubject(subject, REF)).toBe(expected);
  });

  it("keeps another ticket's reference, which is part of what the citizen wrote", () => {
    expect(buildReplySubject('Re: Saistīts ar VP-2025-000999', REF)).toBe('Re: Saistīts ar VP-2025-000999 [VP-2026-000123]');
    expect(buildReplySubject('VP-2026-0001234', REF)).toBe('Re: VP-2026-0001234 [VP-2026-000123]');
  });

  it.each([null, '', '   ', 'Re:', 'RE: Fwd:'])('answers an empty subject %j with the reference alone', (subject) => {
    expect(buildReplySubject(subject, REF)).toBe('Re: [VP-2026-000123]');
  });

  it('does not take words that merely start like a prefix for one', () => {
    expect(buildReplySubject('Reģistrācija: jautājums', REF)).toBe('Re: Reģistrācija: jautājums [VP-2026-000123]');
    expect(buildReplySubject('Atbalsts: pieteikums', REF)).toBe('Re: Atbalsts: pieteikums [VP-2026-000123]');
    expect(buildReplySubject('Resursi', REF)).toBe('Re: Resursi [VP-2026-000123]');
  });

  it('puts the subject on one line, so a sender cannot inject headers into our reply', () => {
    expect(buildReplySubject('Pabalsts\r\nBcc: victim@example.com', REF)).toBe('Re: Pabalsts Bcc: victim@example.com [VP-2026-000123]');
  });

  it('without a reference only normalises the prefix', () => {
    expect(buildReplySubject('RE: Atb.: Pabalsts', '')).toBe('Re: Pabalsts');
  });
});

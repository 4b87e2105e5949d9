import { level0Answer } from './level0-answer';

describe('level0Answer', () => {
  it.each([
    ['lv', /Jūsu jautājums reģistrēts ar numuru VP-2026-000123\./, /atbildiet uz šo vēstuli/],
    ['ru', /зарегистрирован под номером VP-2026-000123\./, /ответьте на это письмо/],
    ['en', /registered as VP-2026-000123\./, /reply to this message/],
  ] as const)('answers in %s with the article, the reference and how to reach a person', (language, reference, person) => {
    const a = level0Answer(language, 'VP-2026-000123', 'The answer itself.', 'Pensija');
    expect(a.subject).toBe(`${a.subject.split(' ')[0]} [VP-2026-000123]: Pensija`);
    expect(a.text).toContain('The answer itself.');
    expect(a.text).toMatch(reference);
    expect(a.text).toMatch(person);
  });
});

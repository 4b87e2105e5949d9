import type { Language } from '../tickets/entities/ticket.entity';

/**
 * Level 0's written answer from the knowledge base, in the citizen's language: the article's answer, the reference
 * of the case, and how to reach a person (replying does: the reply goes to an operator).
 */
const FRAME: Record<Language, { greeting: string; reference: (r: string) => string; person: string; signature: string; subject: string }> =
  {
    lv: {
      greeting: 'Labdien!',
      reference: (r) => `Jūsu jautājums reģistrēts ar numuru ${r}.`,
      person:
        'Šī ir automātiska atbilde no zināšanu bāzes. Ja tā neatbild uz jūsu jautājumu vai vēlaties sazināties ar konsultantu, vienkārši atbildiet uz šo vēstuli: jūsu jautājumu saņems cilvēks.',
      signature: 'Valsts pārvaldes pakalpojumu portāla kontaktcentrs',
      subject: 'Atbilde',
    },
    ru: {
      greeting: 'Здравствуйте!',
      reference: (r) => `Ваш вопрос зарегистрирован под номером ${r}.`,
      person:
        'Это автоматический ответ из базы знаний. Если он не отвечает на ваш вопрос или вы хотите связаться с консультантом, просто ответьте на это письмо: ваш вопрос получит сотрудник.',
      signature: 'Контактный центр портала государственных услуг',
      subject: 'Ответ',
    },
    en: {
      greeting: 'Hello,',
      reference: (r) => `Your question is registered as ${r}.`,
      person:
        'This is an automatic answer from our knowledge base. If it does not answer your question, or you would like to talk to a consultant, simply reply to this message: a person will take your question.',
      signature: 'State services contact centre',
      subject: 'Answer',
    },
  };

export function level0Answer(
  language: Language,
  reference: string,
  answer: string,
  originalSubject: string | null,
): { subject: string; text: string } {
  const f = FRAME[language] ?? FRAME.lv;
  const about = originalSubject?.trim() ? `: ${originalSubject.trim()}` : '';
  return {
    subject: `${f.subject} [${reference}]${about}`,
    text: [f.greeting, '', answer.trim(), '', f.reference(reference), f.person, '', f.signature].join('\n'),
  };
}

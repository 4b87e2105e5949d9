import type { Language } from '../tickets/entities/ticket.entity';

/**
 * Level 0's acknowledgement of a new written contact, in the customer's language. The answer time is the one the
 * Submissions Law gives a written submission (10 working days); the reference lets the customer, and our
 * threading, find the case again.
 */
const TEMPLATES: Record<Language, (reference: string, statusLink: string | null) => string> = {
  lv: (reference, statusLink) =>
    [
      'Labdien!',
      '',
      `Jūsu vēstule ir saņemta un reģistrēta ar numuru ${reference}.`,
      'Mēs atbildēsim 10 darba dienu laikā. Ja būs vajadzīga papildu informācija vai citu iestāžu viedoklis, termiņš var būt līdz vienam mēnesim; par to jūs informēsim.',
      `Ja rakstāt vēlreiz par šo pašu jautājumu, lūdzu, atbildiet uz šo vēstuli vai norādiet ${reference} vēstules tēmā.`,
      ...(statusLink ? ['', `Kur ir jūsu jautājums, varat redzēt šeit: ${statusLink}`] : []),
      '',
      'Šī ir automātiska atbilde: uz to nav jāatbild.',
      'Valsts pārvaldes pakalpojumu portāla kontaktcentrs',
    ].join('\n'),
  ru: (reference, statusLink) =>
    [
      'Здравствуйте!',
      '',
      `Ваше письмо получено и зарегистрировано под номером ${reference}.`,
      'Мы ответим в течение 10 рабочих дней. Если потребуется дополнительная информация или мнение других учреждений, срок может быть продлён до одного месяца; мы сообщим вам об этом.',
      `Если вы пишете снова по тому же вопросу, ответьте, пожалуйста, на это письмо или укажите ${reference} в теме письма.`,
      ...(statusLink ? ['', `Где находится ваше обращение, можно посмотреть здесь: ${statusLink}`] : []),
      '',
      'Это автоматический ответ, отвечать на него не нужно.',
      'Контактный центр портала государственных услуг',
    ].join('\n'),
  en: (reference, statusLink) =>
    [
      'Hello,',
      '',
      `Your message has been received and registered as ${reference}.`,
      'We will answer within 10 working days. If more information or the opinion of other institutions is needed, this may take up to one month; we will let you know.',
      `If you write again about the same matter, please reply to this message or put ${reference} in the subject.`,
      ...(statusLink ? ['', `You can see where your case stands here: ${statusLink}`] : []),
      '',
      'This is an automatic reply; there is no need to answer it.',
      'State services contact centre',
    ].join('\n'),
};

const SUBJECT_PREFIX: Record<Language, string> = {
  lv: 'Saņemts',
  ru: 'Получено',
  en: 'Received',
};

/** `statusLink`: the signed link to the case-status page (anyone holding this e-mail may see where the case stands). */
export function acknowledgement(
  language: Language,
  reference: string,
  originalSubject: string | null,
  statusLink: string | null = null,
): { subject: string; text: string } {
  const lang = TEMPLATES[language] ? language : 'lv';
  const about = originalSubject?.trim() ? `: ${originalSubject.trim().slice(0, 200)}` : '';
  return { subject: `${SUBJECT_PREFIX[lang]} [${reference}]${about}`, text: TEMPLATES[lang](reference, statusLink) };
}

export type NoticeLanguage = 'lv' | 'ru' | 'en';

const COPY: Record<NoticeLanguage, { subject: (ref: string) => string; text: (ref: string, days: number) => string }> = {
  lv: {
    subject: (ref) => `Jūsu pieprasījums ${ref} ir slēgts`,
    text: (ref, days) =>
      `Labdien! Mēs slēdzām jūsu pieprasījumu ${ref}, jo ${days} darba dienu laikā nesaņēmām no jums atbildi. ` +
      'Ja jautājums vēl ir aktuāls, vienkārši atbildiet uz šo ziņu, un pieprasījums tiks atvērts no jauna.',
  },
  ru: {
    subject: (ref) => `Ваше обращение ${ref} закрыто`,
    text: (ref, days) =>
      `Здравствуйте! Мы закрыли ваше обращение ${ref}, так как в течение ${days} рабочих дней не получили от вас ответа. ` +
      'Если вопрос ещё актуален, просто ответьте на это сообщение, и обращение будет открыто снова.',
  },
  en: {
    subject: (ref) => `Your case ${ref} has been closed`,
    text: (ref, days) =>
      `Hello. We closed your case ${ref} because we had no reply from you within ${days} working days. ` +
      'If you still need help, simply reply to this message and the case will be reopened.',
  },
};

/** The last message to a citizen before their case waiting on them is closed, in their language (Latvian otherwise). */
export function closingNotice(language: string, reference: string, workingDays: number): { subject: string; text: string } {
  const copy = COPY[(language in COPY ? language : 'lv') as NoticeLanguage];
  return { subject: copy.subject(reference), text: copy.text(reference, workingDays) };
}

import type { MenuLanguage } from '@lib/ivr-menu';

/** The speech engine's language for each menu language (Twilio <Say language> / <Gather language>). */
export const SPEECH_LANGUAGE = { lv: 'lv-LV', en: 'en-GB', ru: 'ru-RU' } as const;

export interface VoicePhrases {
  /** Announced in the language itself, so each caller recognises their own. */
  chooseLanguage: (digit: number) => string;
  option: (title: string, digit: string) => string;
  operatorAndRepeat: string;
  afterAnswer: string;
  invalid: string;
  noInput: string;
  goodbye: string;
  closed: (nextOpening: string | null) => string;
  closedChoices: string;
  numberHidden: string;
  queued: string;
  position: (position: number, minutes: number) => string;
  waitTooLong: string;
  voicemailPrompt: string;
  voicemailEmpty: string;
  voicemailThanks: string;
  callbackConfirmed: (number: string) => string;
  queueTrouble: string;
  connecting: string;
  /** After a conversation with an operator: the one-question satisfaction survey. */
  csatQuestion: string;
  csatThanks: string;
}

/** A phone number read digit by digit, as people say them. */
export const spokenNumber = (e164: string) => e164.replace(/^\+/, '').split('').join(' ');

export const PHRASES: Record<MenuLanguage, VoicePhrases> = {
  lv: {
    chooseLanguage: (d) => `Latviešu valodā spiediet ${d}.`,
    option: (title, d) => `${title[0].toUpperCase()}${title.slice(1)} – spiediet ${d}.`,
    operatorAndRepeat: 'Lai runātu ar operatoru, spiediet 0. Lai noklausītos vēlreiz, spiediet zvaigznīti.',
    afterAnswer:
      'Lai noklausītos vēlreiz, spiediet zvaigznīti. Lai atgrieztos iepriekšējā izvēlnē, spiediet 1. Lai runātu ar operatoru, spiediet 0. Ja jums viss ir skaidrs, varat nolikt klausuli.',
    invalid: 'Šāda izvēle nav pieejama.',
    noInput: 'Mēs nesaņēmām jūsu izvēli.',
    goodbye: 'Paldies par zvanu! Uz redzēšanos.',
    closed: (next) => `Šobrīd operatori nestrādā.${next ? ` Operatori jums atbildēs ${next}.` : ''}`,
    closedChoices: 'Lai atstātu ziņu, spiediet 1. Lai lūgtu atzvanīt uz numuru, no kura zvanāt, spiediet 2.',
    numberHidden: 'Jūsu numurs ir slēpts, tāpēc mēs nevaram jums atzvanīt. Lūdzu, atstājiet ziņu un norādiet, kā ar jums sazināties.',
    queued: 'Lūdzu, uzgaidiet, savienojam ar operatoru.',
    position: (p, m) => `Jūs esat ${p}. rindā. Paredzamais gaidīšanas laiks ir aptuveni ${m} ${m === 1 ? 'minūte' : 'minūtes'}.`,
    waitTooLong: 'Atvainojiet par ilgo gaidīšanu. Lai atstātu ziņu, spiediet 1. Lai lūgtu atzvanīt, spiediet 2. Vai turpiniet gaidīt.',
    voicemailPrompt:
      'Pēc signāla, lūdzu, pastāstiet savu jautājumu un kā ar jums sazināties. Kad beidzat, spiediet restīti vai nolieciet klausuli.',
    voicemailEmpty: 'Ziņa netika ierakstīta.',
    voicemailThanks: 'Paldies, jūsu ziņa ir saņemta. Mēs sazināsimies ar jums.',
    callbackConfirmed: (n) => `Paldies! Mēs jums atzvanīsim uz numuru ${spokenNumber(n)}, tiklīdz būs brīvs operators.`,
    queueTrouble: 'Atvainojiet, šobrīd nevaram jūs savienot ar operatoru.',
    connecting: 'Savienojam ar operatoru.',
    csatQuestion: 'Lūdzu, novērtējiet sarunu: spiediet ciparu no 1 līdz 5, kur 5 nozīmē ļoti labi.',
    csatThanks: 'Paldies par jūsu vērtējumu!',
  },
  en: {
    chooseLanguage: (d) => `For English, press ${d}.`,
    option: (title, d) => `For ${title}, press ${d}.`,
    operatorAndRepeat: 'To speak to an operator, press 0. To hear this again, press star.',
    afterAnswer:
      'To hear this again, press star. To go back to the previous menu, press 1. To speak to an operator, press 0. If that is all, you may hang up.',
    invalid: 'That choice is not available.',
    noInput: 'We did not receive your choice.',
    goodbye: 'Thank you for calling. Goodbye.',
    closed: (next) => `Our operators are not working at the moment.${next ? ` They will be back ${next}.` : ''}`,
    closedChoices: 'To leave a message, press 1. To ask us to call you back on the number you are calling from, press 2.',
    numberHidden: 'Your number is hidden, so we cannot call you back. Please leave a message and say how we can reach you.',
    queued: 'Please hold, we are connecting you to an operator.',
    position: (p, m) => `You are number ${p} in the queue. The expected wait is about ${m} ${m === 1 ? 'minute' : 'minutes'}.`,
    waitTooLong: 'We are sorry for the long wait. To leave a message, press 1. To ask for a call back, press 2. Or keep holding.',
    voicemailPrompt: 'After the tone, please tell us your question and how to reach you. When you are done, press the hash key or hang up.',
    voicemailEmpty: 'No message was recorded.',
    voicemailThanks: 'Thank you, we have your message and will get back to you.',
    callbackConfirmed: (n) => `Thank you. We will call you back on ${spokenNumber(n)} as soon as an operator is free.`,
    queueTrouble: 'We are sorry, we cannot connect you to an operator right now.',
    connecting: 'Connecting you to an operator.',
    csatQuestion: 'Please rate the conversation: press a digit from 1 to 5, where 5 means very good.',
    csatThanks: 'Thank you for your rating!',
  },
  ru: {
    chooseLanguage: (d) => `Для русского языка нажмите ${d}.`,
    option: (title, d) => `${title[0].toUpperCase()}${title.slice(1)} — нажмите ${d}.`,
    operatorAndRepeat: 'Чтобы поговорить с оператором, нажмите 0. Чтобы прослушать ещё раз, нажмите звёздочку.',
    afterAnswer:
      'Чтобы прослушать ещё раз, нажмите звёздочку. Чтобы вернуться в предыдущее меню, нажмите 1. Чтобы поговорить с оператором, нажмите 0. Если всё понятно, можете положить трубку.',
    invalid: 'Такой вариант недоступен.',
    noInput: 'Мы не получили ваш выбор.',
    goodbye: 'Спасибо за звонок. До свидания.',
    closed: (next) => `Сейчас операторы не работают.${next ? ` Операторы ответят вам ${next}.` : ''}`,
    closedChoices: 'Чтобы оставить сообщение, нажмите 1. Чтобы мы перезвонили на номер, с которого вы звоните, нажмите 2.',
    numberHidden: 'Ваш номер скрыт, поэтому мы не можем вам перезвонить. Пожалуйста, оставьте сообщение и скажите, как с вами связаться.',
    queued: 'Пожалуйста, подождите, соединяем с оператором.',
    position: (p, m) => `Вы ${p}-й в очереди. Ожидаемое время ожидания около ${m} мин.`,
    waitTooLong:
      'Извините за долгое ожидание. Чтобы оставить сообщение, нажмите 1. Чтобы мы перезвонили, нажмите 2. Или оставайтесь на линии.',
    voicemailPrompt:
      'После сигнала расскажите, пожалуйста, ваш вопрос и как с вами связаться. Когда закончите, нажмите решётку или положите трубку.',
    voicemailEmpty: 'Сообщение не записано.',
    voicemailThanks: 'Спасибо, ваше сообщение получено. Мы свяжемся с вами.',
    callbackConfirmed: (n) => `Спасибо! Мы перезвоним вам на номер ${spokenNumber(n)}, как только освободится оператор.`,
    queueTrouble: 'Извините, сейчас мы не можем соединить вас с оператором.',
    connecting: 'Соединяем с оператором.',
    csatQuestion: 'Пожалуйста, оцените разговор: нажмите цифру от 1 до 5, где 5 означает очень хорошо.',
    csatThanks: 'Спасибо за вашу оценку!',
  },
};

/** When operators answer next, in words for the caller: "rīt plkst. 08:30" is clearer than a date. */
export function spokenOpening(next: Date, now: Date, language: MenuLanguage): string {
  const locale = { lv: 'lv-LV', en: 'en-GB', ru: 'ru-RU' }[language];
  const day = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Riga' }).format(d);
  const time = new Intl.DateTimeFormat(locale, { timeZone: 'Europe/Riga', hour: '2-digit', minute: '2-digit' }).format(next);
  const tomorrow = day(new Date(now.getTime() + 24 * 3600 * 1000)) === day(next);
  const today = day(now) === day(next);
  const date = new Intl.DateTimeFormat(locale, { timeZone: 'Europe/Riga', weekday: 'long', day: 'numeric', month: 'long' }).format(next);
  const words = {
    lv: { today: `šodien plkst. ${time}`, tomorrow: `rīt plkst. ${time}`, other: `${date} plkst. ${time}` },
    en: { today: `today at ${time}`, tomorrow: `tomorrow at ${time}`, other: `on ${date} at ${time}` },
    ru: { today: `сегодня в ${time}`, tomorrow: `завтра в ${time}`, other: `${date} в ${time}` },
  }[language];
  return today ? words.today : tomorrow ? words.tomorrow : words.other;
}

/**
 * Expected wait in whole minutes from what Twilio tells the wait URL: the queue's average wait less what this
 * caller has waited already, and never less than a minute per caller ahead when there is no history yet.
 */
export function expectedWaitMinutes(position: number, averageQueueSeconds: number, waitedSeconds: number): number {
  const fromAverage = averageQueueSeconds > 0 ? averageQueueSeconds - waitedSeconds : 0;
  const fromPosition = Math.max(0, position - 1) * 60;
  return Math.max(1, Math.ceil(Math.max(fromAverage, fromPosition) / 60));
}

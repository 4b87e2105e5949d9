import type { Language } from '../tickets/entities/ticket.entity';

/**
 * Level 0's short notice of a ticket's reference on a channel that has no acknowledgement e-mail: in a social
 * conversation, or by SMS after a voicemail or a call-back request. An SMS is short and its Latvian text is written
 * without diacritics, as Latvian SMS customarily are: one letter outside the GSM alphabet turns the whole message into
 * UCS-2, 70 characters a part instead of 160, each part paid for (Russian is UCS-2 whatever we do). The status page's
 * address is given without a token: the reference and the number it came from are the proof there.
 */
const TEXTS: Record<'social' | 'sms', Record<Language, (reference: string, page: string) => string>> = {
  social: {
    lv: (r, page) => `Paldies! Jūsu ziņa ir reģistrēta ar numuru ${r}. Atbildēsim šeit. Pieteikuma statuss: ${page}`,
    ru: (r, page) => `Спасибо! Ваше сообщение зарегистрировано под номером ${r}. Мы ответим здесь. Статус: ${page}`,
    en: (r, page) => `Thank you! Your message is registered as ${r}. We will answer here. Status: ${page}`,
  },
  sms: {
    lv: (r, page) => `Jusu zvans ir registrets ar numuru ${r}. Sazinasimies ar jums. Statuss: ${page}`,
    ru: (r, page) => `Ваш звонок зарегистрирован под номером ${r}. Мы свяжемся с вами. Статус: ${page}`,
    en: (r, page) => `Your call is registered as ${r}. We will get back to you. Status: ${page}`,
  },
};

export function referenceNotice(channel: 'social' | 'sms', language: Language, reference: string, publicBaseUrl: string): string {
  const text = TEXTS[channel][language] ?? TEXTS[channel].lv;
  return text(reference, `${publicBaseUrl.replace(/\/+$/, '')}/case`);
}

import en from '../messages/en.json';
import lv from '../messages/lv.json';
import ru from '../messages/ru.json';

export type Lang = 'lv' | 'ru' | 'en';
type Messages = typeof lv;
export type Key = Exclude<keyof Messages, 'days'>;

const ALL: Record<Lang, Messages> = { lv, ru, en };
const LOCALE: Record<Lang, string> = { lv: 'lv-LV', ru: 'ru-RU', en: 'en-GB' };

export function messages(lang: Lang) {
  const m = ALL[lang];
  return {
    lang,
    t(key: Key, params: Record<string, string | number> = {}): string {
      return String(m[key]).replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));
    },
    day(key: string): string {
      return (m.days as Record<string, string>)[key] ?? key;
    },
    /** A moment as the visitor reads it, in Riga time (the centre's). */
    when(iso: string): string {
      return new Intl.DateTimeFormat(LOCALE[lang], {
        timeZone: 'Europe/Riga',
        weekday: 'long',
        day: 'numeric',
        month: 'long',
        hour: '2-digit',
        minute: '2-digit',
      }).format(new Date(iso));
    },
    time(iso: string): string {
      return new Intl.DateTimeFormat(LOCALE[lang], { timeZone: 'Europe/Riga', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
    },
  };
}

export type I18n = ReturnType<typeof messages>;

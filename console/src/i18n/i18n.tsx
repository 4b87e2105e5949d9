import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en } from './en';
import { lv, type MessageKey } from './lv';

export type Lang = 'lv' | 'en';
export const LANGS: Lang[] = ['lv', 'en'];
const MESSAGES: Record<Lang, Record<MessageKey, string>> = { lv, en };
const STORAGE_KEY = 'console.lang';
/** The centre works in Riga time, wherever the browser is. */
export const TIME_ZONE = 'Europe/Riga';

/** A language chosen before wins; otherwise the browser's first language we have; otherwise Latvian. */
export function initialLang(): Lang {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored === 'lv' || stored === 'en') return stored;
  for (const l of navigator.languages ?? [navigator.language]) {
    const base = l.toLowerCase().split('-')[0];
    if (base === 'lv' || base === 'en') return base;
  }
  return 'lv';
}

/** A message written for the middle of a sentence (`metric.*`) where it stands alone: a legend, a table cell. */
export const capitalized = (text: string) => text.charAt(0).toLocaleUpperCase() + text.slice(1);

export function translate(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  return MESSAGES[lang][key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

interface I18n {
  lang: Lang;
  // Function properties, not methods: components destructure them (`const { t } = useI18n()`), and they use no `this`.
  setLang: (lang: Lang) => void;
  t: (key: MessageKey, params?: Record<string, string | number>) => string;
  /** A date and time in Riga, in the language's own format (Latvian: 03.12.2026. 12:40). */
  dateTime: (value: string | Date) => string;
  /** A duration in words short enough for a table cell: "2 h 5 min", "3 d 4 h". */
  duration: (ms: number) => string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = translate(lang, 'app.title');
  }, [lang]);
  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLangState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const locale = lang === 'lv' ? 'lv-LV' : 'en-GB';
    const dateFormat = new Intl.DateTimeFormat(locale, {
      timeZone: TIME_ZONE,
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    });
    const units = lang === 'lv' ? { d: 'd.', h: 'st.', min: 'min', s: 's' } : { d: 'd', h: 'h', min: 'min', s: 's' };
    return {
      lang,
      setLang,
      t: (key, params) => translate(lang, key, params),
      dateTime: (v) => dateFormat.format(typeof v === 'string' ? new Date(v) : v),
      duration: (ms) => {
        const s = Math.max(0, Math.floor(ms / 1000));
        const d = Math.floor(s / 86400);
        const h = Math.floor((s % 86400) / 3600);
        const m = Math.floor((s % 3600) / 60);
        if (d > 0) return `${d} ${units.d} ${h} ${units.h}`;
        if (h > 0) return `${h} ${units.h} ${m} ${units.min}`;
        if (m > 0) return `${m} ${units.min} ${s % 60} ${units.s}`;
        return `${s % 60} ${units.s}`;
      },
    };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}

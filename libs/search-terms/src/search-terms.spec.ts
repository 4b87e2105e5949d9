import { foldDiacritics, searchTerms, stem } from './search-terms';

const termsOf = (text: string) => searchTerms(text, 'lv');

describe('search terms', () => {
  it('folds Latvian diacritics the way unaccent does, and keeps Russian й', () => {
    expect(foldDiacritics('Izziņas, ĀRZEMĒS, šķērslis, Ģimenes')).toBe('izzinas, arzemes, skerslis, gimenes');
    expect(foldDiacritics('Ёлка и йогурт')).toBe('елка и йогурт');
    expect(foldDiacritics('Zarins, VP-2026-000123 IESNIEGUMS')).toBe('zarins, vp-2026-000123 iesniegums');
    // A letter written as a base letter and a combining mark is folded like the precomposed one.
    expect(foldDiacritics('Zarin\u0326s')).toBe('zarins');
  });

  it.each([
    [['pabalsts', 'pabalstu', 'pabalsta', 'pabalstam', 'pabalsti', 'pabalstiem', 'pabalstus']],
    [['pase', 'pasi', 'pases', 'pasu', 'pasē']],
    [['izziņa', 'izziņas', 'izziņu', 'izzinas', 'IZZIŅĀM']],
    [['deklarācija', 'deklarāciju', 'deklarācijas', 'deklaracijā', 'deklarācijai']],
    [['pensija', 'pensiju', 'pensijas', 'pensijām', 'pensijai']],
    [['dzīvesvieta', 'dzīvesvietu', 'dzīvesvietas', 'dzivesvieta']],
    [['bezdarbnieks', 'bezdarbnieka', 'bezdarbniekam', 'bezdarbnieki', 'bezdarbnieku']],
    [['nekustamais', 'nekustamā', 'nekustamo', 'nekustamajam']],
    [['īpašums', 'īpašumu', 'īpašuma', 'ipasumi']],
    [['karte', 'karti', 'kartes', 'kartē']],
  ])('gives one stem for the forms of %j', (forms) => {
    expect(new Set(forms.map((w) => stem(foldDiacritics(w), 'lv'))).size).toBe(1);
  });

  it('keeps words apart that only share a short beginning', () => {
    expect(stem('pase', 'lv')).not.toBe(stem('pasts', 'lv'));
    expect(stem('pase', 'lv')).not.toBe(stem('pasakums', 'lv'));
  });

  it('never cuts a word below three letters, and leaves numbers whole', () => {
    expect(stem('ass', 'lv')).toBe('ass');
    expect(stem('eds', 'lv')).toBe('eds');
    expect(stem('2025', 'lv')).toBe('2025');
  });

  it('drops question words, pronouns and greetings, with or without diacritics', () => {
    expect(termsOf('Labdien! Kā es varu saņemt bezdarbnieka pabalstu?')).toEqual(['sanem', 'bezdarbniek', 'pabalst']);
    expect(termsOf('ka es varu sanemt bezdarbnieka pabalstu')).toEqual(termsOf('Kā es varu saņemt bezdarbnieka pabalstu?'));
    expect(termsOf('Labdien, paldies!')).toEqual([]);
  });

  it('stems Russian and English questions with their own endings', () => {
    expect(searchTerms('Как получить пособие по безработице?', 'ru').sort()).toEqual(
      searchTerms('пособия безработица получить', 'ru').sort(),
    );
    expect(searchTerms('How do I renew my passport?', 'en')).toEqual(['renew', 'passport']);
    expect(searchTerms('passports renewing', 'en')).toEqual(['passport', 'renew']);
  });

  it('detects Cyrillic text as Russian when no language is given', () => {
    expect(searchTerms('пособие')).toEqual(searchTerms('пособия', 'ru'));
  });
});

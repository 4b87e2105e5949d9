/**
 * Search terms for the knowledge base, for Latvian first, and Russian and English.
 *
 * Why this exists: PostgreSQL ships no Latvian snowball stemmer, and the 'simple' configuration matches whole
 * words only, so "pabalsts", "pabalstu" and "pabalsta" would be three different words, and "izzinas" (typed
 * without diacritics) would never meet "izziņas". Latvian inflects by endings on a stem, and most consonant
 * alternations of its stems are palatalisations (l/ļ, n/ņ, k/c/č, s/š, z/ž, g/ģ) that disappear once the
 * diacritics are folded. So: fold diacritics, lower-case, then strip the longest known inflectional ending that
 * leaves a stem of at least MIN_STEM letters. The same function builds the terms of an article and the terms of
 * a query, so both sides always agree; PostgreSQL stores them in a 'simple' tsvector (no further stemming) and
 * matches them exactly, or by prefix for long stems. Trigram similarity in PostgreSQL (pg_trgm over the unaccented
 * text) covers what stemming cannot: typos, compounds and irregular forms.
 *
 * This is a light stemmer on purpose: it conflates a few unrelated words of the same stem and leaves some
 * irregular forms apart, which the trigram score and the ranking absorb. Changing its rules changes the stored
 * terms: bump TERMS_VERSION so stored articles are re-indexed.
 */

export type TermsLanguage = 'lv' | 'ru' | 'en';

/** Stored terms computed with another version are recomputed by the application at start. */
export const TERMS_VERSION = 1;

const MIN_STEM = 3;

// Endings after diacritics are folded, longest first within each list. Nouns (all declensions and cases),
// adjectives (indefinite and definite), and the verb forms people type in questions (infinitive, reflexive,
// present, past, participles that end in a noun-like ending are covered by the noun endings).
const LATVIAN_ENDINGS = [
  'ajiem',
  'ajam',
  'ajai',
  'ajos',
  'ajas',
  'ajam',
  'ajiem',
  'amies',
  'aties',
  'eties',
  'ities',
  'oties',
  'ties',
  'iem',
  'ies',
  'ais',
  'aja',
  'ajo',
  'ajs',
  'iem',
  'am',
  'as',
  'ai',
  'em',
  'es',
  'ei',
  'im',
  'is',
  'os',
  'um',
  'us',
  'ij',
  'ot',
  'a',
  'e',
  'i',
  'o',
  'u',
  's',
  't',
].sort((a, b) => b.length - a.length);

const RUSSIAN_ENDINGS = [
  'иями',
  'ями',
  'ами',
  'ого',
  'его',
  'ому',
  'ему',
  'ыми',
  'ими',
  'иях',
  'ться',
  'тся',
  'ий',
  'ый',
  'ой',
  'ая',
  'яя',
  'ое',
  'ее',
  'ые',
  'ие',
  'ых',
  'их',
  'ам',
  'ям',
  'ах',
  'ях',
  'ом',
  'ем',
  'ию',
  'ия',
  'ии',
  'ие',
  'ть',
  'ет',
  'ит',
  'ют',
  'ут',
  'ат',
  'ят',
  'а',
  'я',
  'о',
  'е',
  'ы',
  'и',
  'у',
  'ю',
  'ь',
  'й',
].sort((a, b) => b.length - a.length);

const ENGLISH_ENDINGS = ['ations', 'ation', 'ings', 'ing', 'ies', 'ied', 'ed', 'es', 's'].sort((a, b) => b.length - a.length);

const ENDINGS: Record<TermsLanguage, string[]> = { lv: LATVIAN_ENDINGS, ru: RUSSIAN_ENDINGS, en: ENGLISH_ENDINGS };

/** Words that carry no subject in a question: greetings, pronouns, question words, prepositions (diacritics folded). */
const STOP_WORDS: Record<TermsLanguage, Set<string>> = {
  lv: new Set(
    (
      'un vai ir ka ko kur kad kas kapec cik kurs kura kuru kuri kuras kadu kads kada kadi kadas es man mans mana mani manu manas ' +
      'mes mums musu jus jums jusu tu tev tavs tava vins vina vinam vinai vini vinu vinas vinai to ta tas tie tam tai sis si so sie sim ' +
      'par uz no ar pie pec lai ja bet ari jau vel ne nav nevar var varu var varam varetu ir bus bija biju esmu esam lidz tikai sev savu sava savs savas ' +
      'gan nu labdien sveiki ludzu paldies ludzam vajag vajadzetu gribu gribetu velos velamies zinat pateikt pastastit ' +
      'kuriem kurai kura kurs ka kam kadel cau lab labi vai'
    ).split(' '),
  ),
  ru: new Set(
    (
      'и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было вот от меня еще нет о из ему ' +
      'теперь когда даже ну ли если уже или ни быть был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть ' +
      'надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой ' +
      'здравствуйте пожалуйста спасибо можно хочу нужно мой моя мою мои как какие каким'
    ).split(' '),
  ),
  en: new Set(
    (
      'a an the and or of to in on at for from by with about is are was were be been am i me my we our you your he she it they them ' +
      'this that these those what which who whom how when where why can could do does did should would will have has had not no ' +
      'please hello hi thanks thank want need get'
    ).split(' '),
  ),
};

/** Lower-case with diacritics removed, as PostgreSQL's unaccent does for Latvian (ā→a, ņ→n, š→s) and ё→е. */
export function foldDiacritics(text: string): string {
  // Most words of a search or a snippet are plain ASCII: lower-casing is all they need, and normalizing costs.
  if (/^[\x00-\x7f]*$/.test(text)) return text.toLowerCase();
  return text
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/й/g, '\u0000')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/\u0000/g, 'й') // й is a letter of its own in Russian, not и with a mark
    .normalize('NFC');
}

/** Words of letters and digits, diacritics folded. */
export function words(text: string): string[] {
  return foldDiacritics(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

export function detectLanguage(text: string): TermsLanguage {
  return /[\u0400-\u04FF]/.test(text) ? 'ru' : 'lv';
}

/** The stem of one folded word: the longest known ending removed, if a stem of MIN_STEM letters remains. */
export function stem(word: string, language: TermsLanguage): string {
  if (/^\p{N}+$/u.test(word)) return word;
  // A word written in another alphabet than the article's is left whole.
  const cyrillic = /[\u0400-\u04FF]/.test(word);
  const lang: TermsLanguage = cyrillic ? 'ru' : language === 'ru' ? 'lv' : language;
  for (const ending of ENDINGS[lang]) {
    if (word.length - ending.length >= MIN_STEM && word.endsWith(ending)) return word.slice(0, -ending.length);
  }
  return word;
}

/**
 * The distinct search terms of a text: folded words, stop words and single letters dropped, stemmed. Words that
 * are all stop words (a greeting alone) give no terms.
 */
export function searchTerms(text: string, language: TermsLanguage = detectLanguage(text)): string[] {
  const out = new Set<string>();
  for (const word of words(text)) {
    if (word.length < 2) continue;
    const lang: TermsLanguage = /[\u0400-\u04FF]/.test(word) ? 'ru' : language === 'ru' ? 'lv' : language;
    if (STOP_WORDS[lang].has(word)) continue;
    out.add(stem(word, lang));
  }
  return [...out];
}

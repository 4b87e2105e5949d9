export type GuessedLanguage = 'lv' | 'ru' | 'en';

/**
 * Frequent Latvian words, with the spellings people use on a keyboard without Latvian letters. None of
 * them is also a frequent English word ("no", "to", "man" and "es" are left out for that reason).
 */
const LATVIAN_WORDS = new Set([
  'un',
  'ir',
  'ka',
  'kā',
  'par',
  'lai',
  'uz',
  'ar',
  'vai',
  'bet',
  'arī',
  'ari',
  'nav',
  'kas',
  'ko',
  'jau',
  'tiek',
  'var',
  'būtu',
  'butu',
  'varētu',
  'varetu',
  'vēlos',
  'velos',
  'lūdzu',
  'ludzu',
  'paldies',
  'labdien',
  'sveiki',
  'jūs',
  'jus',
  'jums',
  'jūsu',
  'jusu',
  'mans',
  'mana',
  'manu',
  'mani',
  'mūsu',
  'musu',
  'šo',
  'so',
  'tas',
  'tā',
  'šis',
  'kad',
  'kur',
  'kāpēc',
  'kapec',
  'cieņu',
  'cienu',
  'iesniegums',
  'iesniegumu',
  'pabalsts',
  'pabalstu',
  'pabalstam',
  'dokumentu',
  'dokumenti',
  'jautājums',
  'jautajums',
  'atbildi',
  'gada',
  'līdz',
  'lidz',
  'pēc',
  'pec',
  'vēl',
  'vel',
  'tikai',
  'kopā',
  'kopa',
  'sākt',
  'lūgums',
  'lugums',
  'saņemt',
  'sanemt',
]);

const ENGLISH_WORDS = new Set([
  'the',
  'and',
  'is',
  'are',
  'was',
  'to',
  'of',
  'for',
  'you',
  'your',
  'please',
  'thank',
  'thanks',
  'hello',
  'dear',
  'would',
  'like',
  'my',
  'i',
  'have',
  'has',
  'with',
  'this',
  'that',
  'not',
  'can',
  'we',
  'be',
  'in',
  'on',
  'it',
  'me',
  'do',
  'does',
  'how',
  'what',
  'when',
  'where',
  'why',
  'from',
  'will',
  'regards',
  'could',
  'about',
  'an',
  'a',
  'am',
  'if',
  'or',
  'apply',
  'application',
  'help',
  'need',
  'want',
  'received',
]);

const LATVIAN_LETTER = /[āčēģīķļņšūž]/iu;
/**
 * Latin letters Latvian never uses. Lithuanian shares č, š, ž and ū with Latvian, so its words are told
 * apart by ą, ę, ė, į and ų; a word with one of these counts against Latvian, not for it.
 */
const NOT_LATVIAN_LETTER = /[ąęėįųõäöüßéèêàâåæøœçñóòôúùû]/iu;
const CYRILLIC = /\p{Script=Cyrillic}/u;
/** Letters Ukrainian and Belarusian have and Russian lacks: answering those in Russian would be wrong. */
const NOT_RUSSIAN_CYRILLIC = /[іїєґў]/iu;
const WORD = /\p{L}+/gu;

/** Below this share of known words among all words a Latin-script text is not called English or Latvian. */
const MIN_KNOWN_SHARE = 0.15;

/**
 * A cheap guess at the language of what a citizen wrote, to pick the language of the acknowledgement and
 * the queue. Russian is recognised by its script; Latvian by its letters (ā, č, ē…) and frequent words,
 * also typed without diacritics; English by frequent words in an otherwise plain-ASCII text. undefined
 * when unsure: too little text, another language (Lithuanian; Ukrainian when it shows і, ї, є or ґ), or a
 * tie. A Latvian name in an English sentence does not make it Latvian: words are counted, not letters.
 */
export function detectLanguage(text: string): GuessedLanguage | undefined {
  const words = text.toLowerCase().match(WORD) ?? [];
  if (words.length === 0) return undefined;

  const cyrillicWords = words.filter((word) => CYRILLIC.test(word));
  if (cyrillicWords.length * 2 > words.length) {
    return cyrillicWords.some((word) => NOT_RUSSIAN_CYRILLIC.test(word)) ? undefined : 'ru';
  }

  let latvian = 0;
  let english = 0;
  let foreign = 0;
  let nonAsciiWords = 0;
  for (const word of words) {
    if (!/^[a-z]+$/.test(word)) nonAsciiWords++;
    if (NOT_LATVIAN_LETTER.test(word)) foreign++;
    else if (LATVIAN_WORDS.has(word) || LATVIAN_LETTER.test(word)) latvian++;
    else if (ENGLISH_WORDS.has(word)) english++;
  }

  const minKnown = Math.max(1, words.length * MIN_KNOWN_SHARE);
  if (latvian > english && latvian > foreign && latvian >= minKnown) return 'lv';
  // "Mostly ASCII": some non-ASCII words (names, a quoted Latvian term) are fine, a foreign text is not.
  if (english > latvian && english >= minKnown && nonAsciiWords * 4 <= words.length) return 'en';
  return undefined;
}

import { foldDiacritics, searchTerms, stem } from '@lib/search-terms';

/**
 * What an inbox search (`GET /v1/tickets?q=`) looks for. A word matches the words of the same stem (Latvian and
 * Russian endings stripped, diacritics folded, as the knowledge search does): "pabalstu" finds "pabalsts" and
 * "pabalsta", "izzinas" finds "izziņas". A word written with a star at its end is a beginning: "stip*" finds
 * "stipendija". A query that is an e-mail address, a phone number (in any format) or a ticket reference is matched
 * exactly against the tickets' contacts, the customers' identifiers and the references.
 *
 * The search documents hold each word's stem as a lexeme of its own (migration SearchDocumentStems), so a word is one
 * exact entry of the GIN index. A prefix costs the index a pass over every match of every word it begins before it
 * can intersect anything (at a million tickets a specialist's two words took 57 ms as prefixes, 12 ms as stems); the
 * stem with each of its forty endings as exact words was tried before and cost ten times more in every check of one
 * document (an OR of eighty words).
 */
export interface SearchTerm {
  /** A stem, or the folded beginning of a word written with a star. */
  text: string;
  prefix: boolean;
}

export interface TicketSearch {
  /** The terms, all required, for the index (`to_tsquery('simple', …)`), or null when the text has none. */
  tsquery: string | null;
  /**
   * The same terms as beginnings of words, for ts_rank over the words alone: the stems stand in the documents
   * without a position, so only the words tell where they stood (subject, message, note) and how near each other.
   */
  rankTsquery: string | null;
  terms: SearchTerm[];
  email: string | null;
  /** E.164. */
  phone: string | null;
  reference: string | null;
  /** A number alone (up to 7 digits) may be the running number of a reference: `123` finds VP-2026-000123. */
  referenceNumber: string | null;
}

export function parseTicketSearch(raw: string): TicketSearch {
  // Control characters carry no meaning in a search and PostgreSQL refuses NUL.
  const q = raw.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  const email = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(q) ? q.toLowerCase() : null;
  // As formatReference writes them: a prefix of 1-5 letters, the year, and at least six digits (more past 999,999).
  const reference = /^[A-Z]{1,5}-\d{4}-\d{6,15}$/i.test(q) ? q.toUpperCase() : null;
  const phone = email || reference || /^\d{1,7}$/.test(q) ? null : phoneNumber(q);
  // A reference is not looked for as words: PostgreSQL's parser cuts VP-2026-000123 into 'vp', '-2026' and
  // '-000123', which its stems would never meet, and asking the index for every word beginning "vp" costs.
  const terms = email || phone || reference ? [] : searchWords(q);
  const referenceNumber = /^\d{1,7}$/.test(q) && /[1-9]/.test(q) ? q.replace(/^0+/, '') : null;
  const query = (asPrefix: (t: SearchTerm) => boolean) =>
    terms.length > 0 ? terms.map((t) => (asPrefix(t) ? `${t.text}:*` : t.text)).join(' & ') : null;
  return {
    tsquery: query((t) => t.prefix),
    rankTsquery: query(() => true),
    terms,
    email,
    phone,
    reference,
    referenceNumber,
  };
}

/** A word of letters and digits with a star at its end. */
const BEGINNING = /([\p{L}\p{N}]+)\*/gu;

/**
 * The terms of a search's words: stems, and the beginnings written with a star, folded but not stemmed (a
 * beginning is what it is). A beginning of one letter would ask the index for most of its words and is left out.
 */
function searchWords(q: string): SearchTerm[] {
  const beginnings = [...foldDiacritics(q).matchAll(BEGINNING)].map((m) => m[1]).filter((w) => w.length >= 2);
  const terms: SearchTerm[] = searchTerms(q.replace(BEGINNING, ' ')).map((text) => ({ text, prefix: false }));
  for (const text of new Set(beginnings)) if (!terms.some((t) => t.text === text)) terms.push({ text, prefix: true });
  return terms;
}

/** A phone number as customer identifiers store it (E.164); a Latvian number may be written without +371. */
export function phoneNumber(q: string): string | null {
  if (!/^[+\d\s().-]+$/.test(q) || (q.match(/\+/g) ?? []).length > 1) return null;
  let digits = q.replace(/\D/g, '');
  if (q.trim().startsWith('00')) digits = digits.slice(2);
  else if (!q.includes('+') && digits.length === 8) digits = `371${digits}`;
  return digits.length >= 8 && digits.length <= 15 ? `+${digits}` : null;
}

export interface Snippet {
  text: string;
  /** [start, end) of each matching word in `text`. */
  highlights: Array<[number, number]>;
}

/**
 * The part of a text around its first match, with the matching words marked by offsets (not HTML: whoever shows
 * it escapes the text and marks the ranges, so a message can never inject markup through a search).
 */
export function snippet(text: string, terms: SearchTerm[], width = 200): Snippet | null {
  if (terms.length === 0) return null;
  const ranges = matchingWords(text, terms);
  if (ranges.length === 0) return null;
  const start = Math.max(0, Math.min(ranges[0][0] - Math.floor(width / 3), text.length - width));
  const end = Math.min(text.length, start + width);
  const prefix = start > 0 ? '…' : '';
  const suffix = end < text.length ? '…' : '';
  return {
    text: `${prefix}${text.slice(start, end)}${suffix}`,
    highlights: ranges.filter(([a, b]) => a >= start && b <= end).map(([a, b]) => [a - start + prefix.length, b - start + prefix.length]),
  };
}

/** A word: letters and digits, with any combining marks written after its letters. */
const WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu;

/**
 * Whether a folded word is one a term finds: of the term's stem (or the term itself, as the index has it), or
 * beginning with it. A word of a stem begins with it, so the stem is computed only for the words that do.
 */
function isFound(word: string, terms: SearchTerm[]): boolean {
  return terms.some((t) => word.startsWith(t.text) && (t.prefix || word === t.text || stem(word, 'lv') === t.text));
}

/**
 * Where the words that a term finds stand in `text`. The text is folded once, not word by word (a page of
 * snippets spent most of its time normalizing single words); that needs every character to fold to exactly one,
 * which holds for precomposed text such as ours. Text where it does not (a letter written with a combining mark)
 * is folded word by word.
 */
function matchingWords(text: string, terms: SearchTerm[]): Array<[number, number]> {
  const folded = foldDiacritics(text);
  if (folded.length === text.length) {
    const ranges: Array<[number, number]> = [];
    for (const m of folded.matchAll(WORD)) {
      if (!isFound(m[0], terms)) continue;
      const end = m.index + m[0].length;
      // Equal lengths may still hide a letter that grew beside one that shrank: each match is checked.
      if (foldDiacritics(text.slice(m.index, end)) !== m[0]) return matchingWordsOneByOne(text, terms);
      ranges.push([m.index, end]);
    }
    return ranges;
  }
  return matchingWordsOneByOne(text, terms);
}

function matchingWordsOneByOne(text: string, terms: SearchTerm[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const m of text.matchAll(WORD)) {
    const folded = foldDiacritics(m[0]);
    if (isFound(folded, terms)) ranges.push([m.index, m.index + m[0].length]);
  }
  return ranges;
}

// Each ticket's words (subject A, messages B, notes C, customer's name and file names D) are one search document,
// kept by triggers (migration TicketSearchDocuments) and indexed once. Messages keep their own in a stored column
// (search_vector), from which the snippet of the message that matched is found.
export const MESSAGE_TEXT_VECTOR = (a: string) => `${a}.search_vector`;
export const REFERENCE_NUMBER = (a: string) => `ltrim(split_part(${a}.reference, '-', 3), '0')`;
/**
 * How much a word counts by where it stands, for ts_rank's {D, C, B, A}: a subject most, then a message, a note, and
 * a customer's name or a file name least.
 */
const WEIGHTS = `'{0.25, 0.65, 0.85, 1.0}'::float4[]`;

/**
 * Whether the ticket row `t` is one a search finds: a condition the planner may answer either way, from the GIN
 * indexes (all matching rows, when they are few) or ticket by ticket along the list's own order (when the words are
 * common and the first page fills at once).
 */
export function ticketSearchCondition(s: TicketSearch, p: (v: unknown) => string, t = 't'): string {
  const any: string[] = [];
  if (s.reference) any.push(`${t}.reference = ${p(s.reference)}`);
  if (s.referenceNumber) any.push(`${REFERENCE_NUMBER(t)} = ${p(s.referenceNumber)}`);
  const identifier = s.email ? { kind: 'email', value: s.email } : s.phone ? { kind: 'phone', value: s.phone } : null;
  if (identifier) {
    const kind = p(identifier.kind);
    const value = p(identifier.value);
    any.push(`EXISTS (SELECT 1 FROM ticket_contacts tc WHERE tc.ticket_id = ${t}.id AND tc.kind = ${kind} AND tc.value = ${value})`);
    any.push(
      `EXISTS (SELECT 1 FROM customer_identifiers ci WHERE ci.customer_id = ${t}.customer_id AND ci.kind = ${kind} AND ci.value = ${value})`,
    );
  }
  if (s.tsquery)
    any.push(
      `EXISTS (SELECT 1 FROM ticket_search_documents sd WHERE sd.ticket_id = ${t}.id AND sd.document @@ to_tsquery('simple', ${p(s.tsquery)}))`,
    );
  return any.length === 0 ? 'false' : `(${any.join(' OR ')})`;
}

/**
 * Whether the ticket row `t` matches, checked on that ticket alone: each part a scalar subquery over its own rows,
 * which PostgreSQL never turns into a hash of every match in the database (as it may an EXISTS, on an estimate far
 * below the 400,000 tickets a common word has). For a window of tickets only.
 */
export function ticketMatchesSearch(s: TicketSearch, p: (v: unknown) => string, t = 't', institutions?: string): string {
  const any: string[] = [];
  const found = (sql: string) => `coalesce((${sql} LIMIT 1), false)`;
  if (s.reference) any.push(`${t}.reference = ${p(s.reference)}`);
  if (s.referenceNumber) any.push(`${REFERENCE_NUMBER(t)} = ${p(s.referenceNumber)}`);
  const identifier = s.email ? { kind: 'email', value: s.email } : s.phone ? { kind: 'phone', value: s.phone } : null;
  if (identifier) {
    const kind = p(identifier.kind);
    const value = p(identifier.value);
    any.push(found(`SELECT true FROM ticket_contacts tc WHERE tc.ticket_id = ${t}.id AND tc.kind = ${kind} AND tc.value = ${value}`));
    any.push(
      found(
        `SELECT true FROM customer_identifiers ci WHERE ci.customer_id = ${t}.customer_id AND ci.kind = ${kind} AND ci.value = ${value}`,
      ),
    );
  }
  if (s.tsquery) {
    const words = `to_tsquery('simple', ${p(s.tsquery)})`;
    const query = institutions ? `(${words} && ${institutions}::tsquery)` : words;
    any.push(found(`SELECT sd.document @@ ${query} FROM ticket_search_documents sd WHERE sd.ticket_id = ${t}.id`));
  }
  return any.length === 0 ? 'false' : `(${any.join(' OR ')})`;
}

/**
 * Whether the ticket row `t` is one of every ticket a search finds, taken from the indexes first: one UNION ALL of
 * index scans (duplicates left in) collected into an array, whose tickets are then fetched by id. Each scan is small
 * for a rare word, a reference or a contact, so the list joins the few found tickets instead of walking the whole
 * inbox and asking each ticket whether it matches. The array keeps that order whatever PostgreSQL estimates: words
 * found together are estimated as independent, and where the estimate is far above the matches, `t.id IN (…)` let
 * the planner walk the list instead (seen at a million tickets: 0.9 s, not 30 ms).
 */
export function ticketFoundBySearch(
  s: TicketSearch,
  p: (v: unknown) => string,
  facets: { contactedSince?: string; institutions?: string } = {},
  t = 't',
): string {
  const parts: string[] = [];
  if (s.reference) parts.push(`SELECT rt.id FROM tickets rt WHERE rt.reference = ${p(s.reference)}`);
  if (s.referenceNumber) parts.push(`SELECT rn.id FROM tickets rn WHERE ${REFERENCE_NUMBER('rn')} = ${p(s.referenceNumber)}`);
  const identifier = s.email ? { kind: 'email', value: s.email } : s.phone ? { kind: 'phone', value: s.phone } : null;
  if (identifier) {
    const kind = p(identifier.kind);
    const value = p(identifier.value);
    parts.push(`SELECT tc.ticket_id FROM ticket_contacts tc WHERE tc.kind = ${kind} AND tc.value = ${value}`);
    parts.push(
      `SELECT it.id FROM customer_identifiers ci JOIN tickets it ON it.customer_id = ci.customer_id WHERE ci.kind = ${kind} AND ci.value = ${value}`,
    );
  }
  // A period (contactedSinceQuery) and the searcher's institutions (institutionsQuery) are asked of the index with
  // the words, so it never hands over the matches the list's conditions would then drop.
  if (s.tsquery) {
    const words = `to_tsquery('simple', ${p(s.tsquery)})`;
    const query = `(${[words, ...[facets.contactedSince, facets.institutions].filter(Boolean).map((f) => `${f}::tsquery`)].join(' && ')})`;
    parts.push(`SELECT sd.ticket_id FROM ticket_search_documents sd WHERE sd.document @@ ${query}`);
  }
  return parts.length === 0 ? 'false' : `${t}.id = ANY(ARRAY(${parts.join(' UNION ALL ')}))`;
}

/**
 * The score of one found ticket `t`, as a scalar subquery: the best of its matches, an exact reference or contact
 * weighing most, then its words ranked by where they stand (WEIGHTS). Computed for the tickets of one ranking only,
 * each from its own document, never for every match in the database.
 */
export function ticketSearchScore(s: TicketSearch, p: (v: unknown) => string, t = 't'): string {
  const parts: string[] = [];
  if (s.reference) parts.push(`SELECT 10.0::float8 WHERE ${t}.reference = ${p(s.reference)}`);
  if (s.referenceNumber) parts.push(`SELECT 8.0::float8 WHERE ${REFERENCE_NUMBER(t)} = ${p(s.referenceNumber)}`);
  const identifier = s.email ? { kind: 'email', value: s.email } : s.phone ? { kind: 'phone', value: s.phone } : null;
  if (identifier) {
    const kind = p(identifier.kind);
    const value = p(identifier.value);
    parts.push(`SELECT 5.0::float8 FROM ticket_contacts tc WHERE tc.ticket_id = ${t}.id AND tc.kind = ${kind} AND tc.value = ${value}`);
    parts.push(
      `SELECT 4.0::float8 FROM customer_identifiers ci WHERE ci.customer_id = ${t}.customer_id AND ci.kind = ${kind} AND ci.value = ${value}`,
    );
  }
  if (s.tsquery && s.rankTsquery) {
    const found = `to_tsquery('simple', ${p(s.tsquery)})`;
    const ranked = `to_tsquery('simple', ${p(s.rankTsquery)})`;
    // ts_filter keeps the words: the stems and the facets have no position, so no weight either.
    parts.push(
      `SELECT ts_rank(${WEIGHTS}, ts_filter(sd.document, '{a,b,c,d}'), ${ranked})::float8 FROM ticket_search_documents sd WHERE sd.ticket_id = ${t}.id AND sd.document @@ ${found}`,
    );
  }
  if (parts.length === 0) return 'NULL::numeric';
  // Rounded, so the score survives a round trip through the page cursor exactly.
  return `(SELECT round(max(score)::numeric, 6) FROM (${parts.join(' UNION ALL ')}) found(score))`;
}

/**
 * Each search document also holds the day its ticket was contacted (UTC) as one lexeme, `~d` and YYYYMMDD, which
 * no search of words can produce (those are letters and digits only). A search can then ask the GIN index for the
 * matches of a recent period alone: a word in 3 % of a million tickets has 30,000 matches, and fetching each one's
 * row to find the newest page costs hundreds of milliseconds, where the last weeks hold a few thousand.
 */
export const CONTACT_DAY_PREFIX = '~d';

/** The lexeme of a ticket contacted on this day, as the documents hold it. */
export function contactDayLexeme(at: Date): string {
  return `${CONTACT_DAY_PREFIX}${dayNumber(at)}`;
}

const dayNumber = (at: Date) => at.toISOString().slice(0, 10).replace(/-/g, '');
const DAY_MS = 86_400_000;

/**
 * The documents of an institution's tickets hold `~i` and its id, so a specialist's search asks the index for the
 * matches of their institutions alone: those of the whole centre are six times as many, each a row fetched for
 * nothing.
 */
export const INSTITUTION_PREFIX = '~i';

/** A tsquery (for a `::tsquery` cast) matching the documents of these institutions' tickets. */
export function institutionsQuery(institutionIds: string[]): string {
  return institutionIds.length === 0
    ? `'${INSTITUTION_PREFIX}none'`
    : institutionIds.map((id) => `'${INSTITUTION_PREFIX}${id}'`).join(' | ');
}

/** The most days a period's query names one by one (contactedSinceQuery). */
export const PERIOD_MAX_DAYS = 92;

/**
 * A tsquery (for a `::tsquery` cast, not to_tsquery, which would parse the lexemes as words) that matches the
 * documents of tickets contacted from the day of `from` through the day of `through`, each day as its own exact
 * lexeme: a prefix (a month as `~d202611:*`) would cost the index a pass over every ticket of that month. With
 * `after`, also every later day, by the fewest decimal prefixes of YYYYMMDD up to the end of the tenth year after
 * (days that have no tickets yet cost a lookup that finds nothing).
 */
export function contactedSinceQuery(from: Date, through: Date, after = false): string {
  const terms: string[] = [];
  const first = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  for (let day = first; day <= through.getTime(); day += DAY_MS) terms.push(`'${contactDayLexeme(new Date(day))}'`);
  if (!after) return terms.join(' | ');
  let at = Number(dayNumber(new Date(Math.max(first, through.getTime()) + DAY_MS)));
  // Day 00 and month 00 are no date, so a block may start there: the 1st of a month is "its days", 1 January "its year".
  if (at % 100 === 1) at -= 1;
  if (at % 10_000 === 100) at -= 100;
  const last = (Math.floor(at / 10_000) + 10) * 10_000 + 9_999;
  while (at <= last) {
    if (at % 100 > 31) at = Math.floor(at / 100) * 100 + 100; // past day 31: the next month
    if (Math.floor(at / 100) % 100 > 12) at = Math.floor(at / 10_000) * 10_000 + 10_000; // past month 12: the next year
    if (at > last) break;
    // The widest block of 10^k numbers that starts here and stays within the range.
    let size = 1;
    while (at % (size * 10) === 0 && at + size * 10 - 1 <= last) size *= 10;
    const digits = String(size).length - 1;
    const prefix = `${CONTACT_DAY_PREFIX}${String(at).slice(0, 8 - digits)}`;
    terms.push(digits === 0 ? `'${prefix}'` : `'${prefix}':*`);
    at += size;
  }
  return terms.join(' | ');
}

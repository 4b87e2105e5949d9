export interface SplitReply {
  /** What the sender wrote this time, signature included; the whole text when nothing looks quoted. */
  newText: string;
  /** The earlier conversation the sender's client quoted below it; '' when there is none. */
  quoted: string;
}

/** An attribution is one sentence; anything longer that happens to end in "wrote:" is prose. */
const MAX_ATTRIBUTION_LENGTH = 400;
/** Gmail and Apple Mail wrap a long attribution (name plus address) over two or three lines. */
const MAX_ATTRIBUTION_LINES = 3;
/** How far below "From:" Outlook's other header lines may be (Cc and a wrapped address push them down). */
const OUTLOOK_HEADER_WINDOW = 8;
/** A signature left below a quote is the new message's only if it is signature-sized. */
const MAX_SIGNATURE_LINES = 10;

const QUOTE_LINE = /^[ \t]*>/;
const SIGNATURE_SEPARATOR = /^--[ \t]?$/;

/** "-----Original Message-----" as Outlook writes it in English, Latvian and Russian. */
const ORIGINAL_MESSAGE_NAMES = [
  'original message',
  'sākotnējais ziņojums',
  'sākotnējā ziņa',
  'oriģinālais ziņojums',
  'oriģinālā ziņa',
  'исходное сообщение',
  'оригинальное сообщение',
];
const ORIGINAL_MESSAGE_SEPARATOR = new RegExp(`^[ \\t]*-{2,}[ \\t]*(?:${ORIGINAL_MESSAGE_NAMES.join('|')})[ \\t]*-{2,}[ \\t]*$`, 'iu');

/**
 * Gmail's, Thunderbird's, Apple Mail's and Russian clients' forward separators. Below one is a forwarded mail,
 * and its header block is no quote. Outlook forwards with the same header block as it replies, so those do
 * count as a quote.
 */
const FORWARDED_MESSAGE_NAMES = [
  'forwarded message',
  'original message follows',
  'pārsūtīts ziņojums',
  'pārsūtītā ziņa',
  'пересылаемое сообщение',
  'перенаправленное сообщение',
];
const FORWARD_SEPARATOR = new RegExp(
  `^[ \\t]*(?:-{2,}[ \\t]*(?:${FORWARDED_MESSAGE_NAMES.join('|')})[ \\t]*-*|begin forwarded message:)[ \\t]*$`,
  'iu',
);

/** Outlook Web's rule above its header block. */
const UNDERSCORE_RULE = /^[ \t]*_{10,}[ \t]*$/;

// Outlook's header block, in English, Latvian and Russian. The optional asterisks are Gmail's rendering of
// Outlook's bold field names in a text/plain part ("*From:* Jānis").
const OUTLOOK_FROM = /^[ \t]*\*?(?:from|no|от)[ \t]*:\*?[ \t]*\S/iu;
const OUTLOOK_SENT = /^[ \t]*\*?(?:sent|date|nosūtīts|datums|отправлено|дата)[ \t]*:/iu;
const OUTLOOK_SUBJECT = /^[ \t]*\*?(?:subject|tēma|temats|тема)[ \t]*:/iu;

const ENGLISH_ATTRIBUTION = /^on\s.{4,}\swrote\s*:$/iu;
const LATVIAN_ATTRIBUTION = /\srakst[īi]ja\s*:$/iu;
const RUSSIAN_ATTRIBUTION = /\s(?:написал\(а\)|написала|написал|пишет)\s*:$/iu;
/** A date or an address: what separates "Jānis rakstīja:" in an attribution from the same words in prose. */
const DATE_OR_ADDRESS = /\d|@/;
const ADDRESS = /[^\s@<>()]+@[^\s@<>()]+\.[^\s@<>()]+/;
const TIME = /\b\d{1,2}:\d{2}\b/;
/** How a wrapped attribution's first line starts: "On …", a date, or a weekday before a date. */
const ATTRIBUTION_START = /^[ \t]*(?:on\s|\d|\p{L}{2,12}\.?,?\s+\d)/iu;

/**
 * Separates the new text of a reply from the earlier conversation quoted below it, so that a ticket shows
 * each message once instead of the whole thread again with every answer.
 *
 * The quote starts at the first of:
 * - an attribution line: English ("On Mon, 3 Mar 2026 at 10:00, Jānis <j@x.lv> wrote:"), Latvian
 *   ("2026. gada 3. martā Jānis rakstīja:"), Russian ("… написал(а):", "… пишет:"), or any line ending in
 *   ":" with an address and a time that is followed by "> " lines (Gmail in Russian: "пн, 3 мар. 2026 г. в
 *   10:00, Иван <i@x.ru>:");
 * - Outlook's "-----Original Message-----" rule or its "From/Sent/To/Subject" block (also "No/Nosūtīts/Kam/
 *   Tēma" and "От/Отправлено/Кому/Тема"), with Outlook Web's underscore rule above it;
 * - a run of "> " lines that nothing but blank lines (or a short signature) follows.
 *
 * Everything from there to the end is quoted. "> " lines with new text after them are an answer written
 * between the quoted questions, so they stay in newText where the answers make sense. The signature of the
 * new message ("-- " and below) stays in newText, also when the client put it below the quote; a signature
 * inside the quoted message stays in quoted. A forwarded message ("---------- Forwarded message ---------",
 * "Begin forwarded message:") is not a quote: it is usually what the sender wants us to read, so nothing
 * below such a separator is cut. Outlook forwards look exactly like its replies and are cut.
 *
 * If everything looks quoted, the whole text is returned as newText, so that a message is never empty.
 */
export function splitQuotedReply(text: string): SplitReply {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const whole = trimBlock(lines.join('\n'));
  const cut = findQuote(lines);
  if (!cut) return { newText: whole, quoted: '' };

  const before = trimBlock(lines.slice(0, cut.start).join('\n'));
  // A signature alone is no new text either.
  if (before === '') return { newText: whole, quoted: '' };
  const signature = trimBlock(lines.slice(cut.end).join('\n'));
  return {
    newText: signature === '' ? before : `${before}\n\n${signature}`,
    quoted: trimBlock(lines.slice(cut.start, cut.end).join('\n')),
  };
}

/** The quoted lines are [start, end); lines from end on (a trailing signature) belong to the new text. */
interface QuoteRange {
  start: number;
  end: number;
}

function findQuote(lines: string[]): QuoteRange | null {
  for (let i = 0; i < lines.length; i++) {
    if (isBlank(lines[i])) continue;
    if (FORWARD_SEPARATOR.test(lines[i])) return null;

    if (startsHeaderBlock(lines, i)) return { start: i, end: lines.length };

    const attributionStart = attributionEndingAt(lines, i);
    if (attributionStart !== null) return { start: attributionStart, end: lines.length };

    if (QUOTE_LINE.test(lines[i])) {
      let after = i;
      while (after < lines.length && (QUOTE_LINE.test(lines[after]) || isBlank(lines[after]))) after++;
      const end = after === lines.length ? after : signatureStart(lines, after);
      if (end !== null) return { start: introductionAbove(lines, i), end };
      // New text follows: an interleaved answer. Keep looking for a quote below it.
      i = after - 1;
    }
  }
  return null;
}

function startsHeaderBlock(lines: string[], i: number): boolean {
  const line = lines[i];
  if (ORIGINAL_MESSAGE_SEPARATOR.test(line)) return true;
  if (UNDERSCORE_RULE.test(line)) {
    const next = nextNonBlank(lines, i + 1);
    return next !== null && isOutlookHeader(lines, next);
  }
  return isOutlookHeader(lines, i);
}

/** "From:" followed closely by a date field and a subject field: one of the three alone is ordinary text. */
function isOutlookHeader(lines: string[], i: number): boolean {
  if (!OUTLOOK_FROM.test(lines[i])) return false;
  const window = lines.slice(i + 1, i + 1 + OUTLOOK_HEADER_WINDOW);
  return window.some((line) => OUTLOOK_SENT.test(line)) && window.some((line) => OUTLOOK_SUBJECT.test(line));
}

/**
 * When line `end` closes an attribution, the line it starts on. Shorter blocks are tried first, so that
 * the line above a one-line attribution ("Paldies!") never joins it.
 */
function attributionEndingAt(lines: string[], end: number): number | null {
  if (!lines[end].trimEnd().endsWith(':')) return null;
  for (let start = end; start > end - MAX_ATTRIBUTION_LINES && start >= 0; start--) {
    if (isBlank(lines[start]) || QUOTE_LINE.test(lines[start])) return null;
    if (start < end && !ATTRIBUTION_START.test(lines[start])) continue;
    const block = lines
      .slice(start, end + 1)
      .map((line) => line.trim())
      .join(' ');
    if (block.length > MAX_ATTRIBUTION_LENGTH) return null;
    if (isAttribution(block, lines, end)) return start;
  }
  return null;
}

function isAttribution(block: string, lines: string[], end: number): boolean {
  if (ENGLISH_ATTRIBUTION.test(block)) return true;
  if ((LATVIAN_ATTRIBUTION.test(block) || RUSSIAN_ATTRIBUTION.test(block)) && DATE_OR_ADDRESS.test(block)) return true;
  // Clients in other languages and Gmail in Russian: only trusted when quoted lines really follow.
  const next = nextNonBlank(lines, end + 1);
  return ADDRESS.test(block) && TIME.test(block) && next !== null && QUOTE_LINE.test(lines[next]);
}

/**
 * A trailing "> " block is introduced by a line of its own ("Anna wrote:" in a language we do not know):
 * a short line ending in ":" right above the quote goes with it.
 */
function introductionAbove(lines: string[], quoteStart: number): number {
  const above = quoteStart - 1;
  if (above < 0 || isBlank(lines[above])) return quoteStart;
  const line = lines[above].trim();
  return line.endsWith(':') && line.length <= 200 ? above : quoteStart;
}

/** Where a short signature starts at `from` (blank lines allowed before it), or null if something else does. */
function signatureStart(lines: string[], from: number): number | null {
  const start = nextNonBlank(lines, from);
  if (start === null || !SIGNATURE_SEPARATOR.test(lines[start])) return null;
  const signatureLines = lines.slice(start).filter((line) => !isBlank(line)).length;
  return signatureLines <= MAX_SIGNATURE_LINES ? start : null;
}

function nextNonBlank(lines: string[], from: number): number | null {
  for (let i = from; i < lines.length; i++) if (!isBlank(lines[i])) return i;
  return null;
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}

/** Drops blank lines before and whitespace after, keeping the first line's indentation. */
function trimBlock(text: string): string {
  return text.replace(/^(?:[ \t]*\n)+/, '').trimEnd();
}

import { createHash } from 'node:crypto';
import { simpleParser } from 'mailparser';
import type { AddressObject, Attachment, EmailAddress, HeaderLines, ParsedMail, StructuredHeader } from 'mailparser';
import { detectLanguage, type GuessedLanguage } from './detect-language';
import { normalizeMessageId, parseMessageIdList } from './message-id';
import { htmlToRoughText, sanitizeEmailHtml } from './sanitize-email-html';
import { splitQuotedReply } from './split-quoted-reply';

/** The same limits as the portal's (libs/attachments), so that an e-mail can carry what a web form can. */
export const DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_ATTACHMENTS = 10;

/**
 * html-to-text is the slowest step of parsing: longer HTML is not converted, and its text is taken from the
 * sanitiser with all tags removed instead (line breaks are lost, the words are not).
 */
export const MAX_HTML_TO_TEXT_CHARS = 2_000_000;

/** Only the header section of a returned message is kept: it is all a bounce is read for. */
const MAX_RETURNED_HEADER_BYTES = 64 * 1024;

export interface EmailAddressEntry {
  /** Lower-cased. Mailboxes are case-insensitive in practice, and we look customers up by address. */
  address: string;
  /** The display name; '' when the header gave none. */
  name: string;
}

export interface EmailAttachment {
  /**
   * As the sender named it (decoded, not sanitised: see sanitizeFilename in libs/attachments). A part
   * without a name gets "attachment" with an extension for its type, e.g. "attachment.png".
   */
  filename: string;
  contentType: string;
  /** Decoded bytes. */
  size: number;
  content: Buffer;
  /**
   * Part of the HTML body (an embedded image: in multipart/related, or referenced as cid: by the HTML),
   * not something the sender attached. Content-Disposition is not trusted for this: Apple Mail sends
   * attached PDFs as "inline".
   */
  inline: boolean;
  /** Content-ID without angle brackets, to match the cid: sources that sanitised HTML keeps. */
  contentId: string | null;
}

export type DroppedAttachmentReason = 'too-large' | 'too-many';

export interface DroppedAttachment {
  filename: string;
  contentType: string;
  size: number;
  reason: DroppedAttachmentReason;
}

/**
 * A machine-readable part of a report (RFC 6522 multipart/report): the delivery-status or disposition
 * fields, and the returned message. Kept apart from attachments: it is not something a person sent, and it
 * must survive the attachment limits for parseDeliveryReport to work. For message/rfc822 and message/global
 * only the header section of the returned message is kept.
 */
export interface ReportPart {
  contentType: string;
  content: Buffer;
}

/** Headers the channel decides by; raw values (unfolded, trimmed), null when the header is missing. */
export interface EmailHeaders {
  autoSubmitted: string | null;
  precedence: string | null;
  listId: string | null;
  listUnsubscribe: string | null;
  xAutoResponseSuppress: string | null;
  /** Presence counts, whatever the value ("X-Autoreply: yes"). */
  xAutoreply: boolean;
  xAutorespond: boolean;
  /** The topmost Return-Path, lower-cased and without brackets; '' for the null sender "<>". */
  returnPath: string | null;
  /** The top-level type, lower-cased, with parameters keyed by lower-cased name. */
  contentType: { value: string; params: Record<string, string> } | null;
}

export interface ParsedEmail {
  /** Without brackets; for a message without one, a synthetic id derived from its bytes (see parseEmail). */
  messageId: string;
  /** Without brackets, deduplicated, in header order. */
  inReplyTo: string[];
  references: string[];
  /** Decoded; null when missing or blank. */
  subject: string | null;
  /** The first mailbox of From; null when there is none with an address. */
  from: EmailAddressEntry | null;
  /** Groups are flattened into their members. */
  to: EmailAddressEntry[];
  cc: EmailAddressEntry[];
  replyTo: EmailAddressEntry[];
  /** null when missing or unreadable (mailparser would say "now" instead). */
  date: Date | null;
  /** The plain-text body; for an HTML-only mail, text derived from the HTML. Line ends are "\n". */
  text: string;
  /** The HTML body, always sanitised (sanitizeEmailHtml); null when the mail has none. */
  html: string | null;
  /** `text` without the quoted earlier conversation (splitQuotedReply). */
  newText: string;
  attachments: EmailAttachment[];
  droppedAttachments: DroppedAttachment[];
  reportParts: ReportPart[];
  headers: EmailHeaders;
  /** Guessed from newText, so that a quoted reply of ours in Latvian does not decide it. */
  language?: GuessedLanguage;
}

export interface ParseEmailOptions {
  /** Larger attachments are dropped. Default DEFAULT_MAX_ATTACHMENT_BYTES. */
  maxAttachmentBytes?: number;
  /** Attachments beyond this many are dropped. Default DEFAULT_MAX_ATTACHMENTS. */
  maxAttachments?: number;
}

const STATUS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
/** Machine-readable report parts, kept as report parts wherever they are. */
const REPORT_FIELD_TYPES = new Set([
  'message/delivery-status',
  'message/global-delivery-status',
  'message/disposition-notification',
  'message/global-disposition-notification',
  'text/rfc822-headers',
  'message/global-headers',
]);
/**
 * A returned message is a report part only inside a report (multipart/report, or any mail with a delivery
 * status part); elsewhere it is a forwarded mail.
 */
const RETURNED_MESSAGE_TYPES = new Set(['message/rfc822', 'message/global']);

/**
 * Parses a raw RFC 822 message as fetched over IMAP. MIME structure, transfer encodings, charsets
 * (through iconv-lite) and RFC 2047 encoded words are mailparser's; this decides what the channel keeps.
 *
 * A message without a Message-ID gets `generated-<first 32 hex digits of the SHA-256 of raw>@vpppd.invalid`,
 * so fetching the same mail again gives the same id and is recognised as a duplicate.
 *
 * Rejects only when mailparser gives up (more than 1000 MIME parts, a header section over 1 MB) or the
 * options are not sensible numbers.
 */
export async function parseEmail(raw: Buffer, options: ParseEmailOptions = {}): Promise<ParsedEmail> {
  const maxAttachmentBytes = options.maxAttachmentBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES;
  const maxAttachments = options.maxAttachments ?? DEFAULT_MAX_ATTACHMENTS;
  if (!Number.isFinite(maxAttachmentBytes) || maxAttachmentBytes < 0) {
    throw new RangeError(`maxAttachmentBytes must be a non-negative number, got ${maxAttachmentBytes}`);
  }
  if (!Number.isInteger(maxAttachments) || maxAttachments < 0) {
    throw new RangeError(`maxAttachments must be a non-negative integer, got ${maxAttachments}`);
  }

  let mail = await parse(raw, false);
  const contentType = structuredHeader(mail.headers.get('content-type'));
  // OpenSMTPD sends its reports as multipart/mixed: the status part is what makes a report.
  const hasStatusPart = mail.attachments.some((attachment) => STATUS_TYPES.has(attachment.contentType.toLowerCase()));
  const isReport = contentType?.value === 'multipart/report' || hasStatusPart;
  // mailparser folds a message/rfc822 part marked "inline" into the body text, and the returned message's
  // Message-ID with it. A report is small and rare enough to parse again with embedded messages kept whole.
  if (isReport) mail = await parse(raw, true);

  const lines = mail.headerLines;
  const rawHtml = typeof mail.html === 'string' ? mail.html : null;
  const text = bodyText(mail, rawHtml);
  const newText = splitQuotedReply(text).newText;

  const reportParts: ReportPart[] = [];
  const candidates: Attachment[] = [];
  for (const attachment of mail.attachments) {
    const type = attachment.contentType.toLowerCase();
    if (REPORT_FIELD_TYPES.has(type)) {
      reportParts.push({ contentType: type, content: attachment.content });
    } else if (isReport && RETURNED_MESSAGE_TYPES.has(type)) {
      reportParts.push({ contentType: type, content: headerSectionOf(attachment.content) });
    } else {
      candidates.push(attachment);
    }
  }
  const { attachments, droppedAttachments } = applyLimits(
    candidates.map((attachment) => toEmailAttachment(attachment, rawHtml)),
    maxAttachmentBytes,
    maxAttachments,
  );

  const sanitizedHtml = rawHtml === null ? '' : sanitizeEmailHtml(rawHtml);
  const messageIdValue = headerValue(lines, 'message-id') ?? '';
  const messageId = parseMessageIdList(messageIdValue)[0] ?? normalizeMessageId(messageIdValue);
  const subject = mail.subject?.trim() ?? '';
  const language = detectLanguage(newText);

  return {
    messageId: messageId === '' ? syntheticMessageId(raw) : messageId,
    inReplyTo: parseMessageIdList(headerValues(lines, 'in-reply-to').join(' ')),
    references: parseMessageIdList(headerValues(lines, 'references').join(' ')),
    subject: subject === '' ? null : subject,
    from: addresses(mail.from)[0] ?? null,
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    replyTo: addresses(mail.replyTo),
    date: parseDate(headerValue(lines, 'date')),
    text,
    html: sanitizedHtml === '' ? null : sanitizedHtml,
    newText,
    attachments,
    droppedAttachments,
    reportParts,
    headers: {
      autoSubmitted: headerValue(lines, 'auto-submitted'),
      precedence: headerValue(lines, 'precedence'),
      listId: headerValue(lines, 'list-id'),
      listUnsubscribe: headerValue(lines, 'list-unsubscribe'),
      xAutoResponseSuppress: headerValue(lines, 'x-auto-response-suppress'),
      xAutoreply: headerValue(lines, 'x-autoreply') !== null,
      xAutorespond: headerValue(lines, 'x-autorespond') !== null,
      returnPath: returnPath(headerValue(lines, 'return-path')),
      contentType,
    },
    ...(language === undefined ? {} : { language }),
  };
}

function parse(raw: Buffer, ignoreEmbedded: boolean): Promise<ParsedMail> {
  return simpleParser(raw, {
    // Report fields as parts we can read, not pasted into the body text.
    keepDeliveryStatus: true,
    // cid: links stay as they are: sanitised HTML keeps cid: images only, never data: URLs.
    keepCidLinks: true,
    skipTextToHtml: true,
    skipTextLinks: true,
    // Checksums are not used; skipping them also keeps MD5 out of a FIPS-mode process.
    checksumAlgo: false,
    maxHtmlLengthToParse: MAX_HTML_TO_TEXT_CHARS,
    ignoreEmbedded,
  });
}

/** Exported so that a caller can still name, and deduplicate, a message that parseEmail rejected. */
export function syntheticMessageId(raw: Buffer): string {
  return `generated-${createHash('sha256').update(raw).digest('hex').slice(0, 32)}@vpppd.invalid`;
}

function bodyText(mail: ParsedMail, rawHtml: string | null): string {
  let text = mail.text ?? '';
  if (text.trim() === '' && rawHtml !== null && mail.textConversionError) {
    // Too long for html-to-text: the words without the markup are still better than no text at all.
    text = htmlToRoughText(rawHtml);
  }
  return text.replace(/\r\n?/g, '\n');
}

function toEmailAttachment(attachment: Attachment, rawHtml: string | null): EmailAttachment {
  const contentType = attachment.contentType.toLowerCase();
  const contentId = attachment.cid ? normalizeMessageId(attachment.cid) : null;
  const referenced = contentId !== null && rawHtml !== null && rawHtml.includes(`cid:${contentId}`);
  return {
    filename: attachment.filename?.trim() || fallbackFilename(contentType),
    contentType,
    size: attachment.size ?? attachment.content.length,
    content: attachment.content,
    inline: attachment.related === true || referenced,
    contentId,
  };
}

/** Unnamed parts are mostly embedded images, calendar invitations and forwarded mails. */
const FALLBACK_EXTENSIONS: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
  'message/rfc822': 'eml',
  'text/calendar': 'ics',
  'text/plain': 'txt',
  'text/html': 'html',
};

function fallbackFilename(contentType: string): string {
  const extension = FALLBACK_EXTENSIONS[contentType];
  return extension ? `attachment.${extension}` : 'attachment';
}

/**
 * Oversized attachments go first; then the count limit is filled with what the sender attached before
 * embedded images, because a signature's logos usually come first in the message and must not push a
 * citizen's documents out. The attachments kept stay in message order.
 */
function applyLimits(
  all: EmailAttachment[],
  maxBytes: number,
  maxCount: number,
): { attachments: EmailAttachment[]; droppedAttachments: DroppedAttachment[] } {
  const reasons = new Map<EmailAttachment, DroppedAttachmentReason>();
  let slots = maxCount;
  for (const attachment of [...all.filter((a) => !a.inline), ...all.filter((a) => a.inline)]) {
    if (attachment.size > maxBytes) reasons.set(attachment, 'too-large');
    else if (slots === 0) reasons.set(attachment, 'too-many');
    else slots--;
  }
  return {
    attachments: all.filter((attachment) => !reasons.has(attachment)),
    droppedAttachments: all.flatMap((attachment) => {
      const reason = reasons.get(attachment);
      if (!reason) return [];
      return [{ filename: attachment.filename, contentType: attachment.contentType, size: attachment.size, reason }];
    }),
  };
}

function headerSectionOf(message: Buffer): Buffer {
  const head = message.subarray(0, MAX_RETURNED_HEADER_BYTES);
  const text = head.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  return end === -1 ? head : head.subarray(0, end);
}

/**
 * Header values from the raw lines, not from mailparser's map: the map turns In-Reply-To "<a@x> (comment)"
 * into "<a@x> (comment)>", reads Return-Path "<>" as an address, folds List-* headers into an object, and
 * replaces an unreadable Date with the current time. The lines are bytes in a binary string; headers are
 * ASCII or, with RFC 6532, UTF-8.
 */
function headerValues(lines: HeaderLines, name: string): string[] {
  return lines
    .filter((line) => line.key === name)
    .map((line) => {
      const text = Buffer.from(line.line, 'latin1').toString('utf8');
      return text
        .slice(text.indexOf(':') + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim();
    });
}

/** The first, i.e. topmost, occurrence: for trace headers such as Return-Path that is the newest. */
function headerValue(lines: HeaderLines, name: string): string | null {
  return headerValues(lines, name)[0] ?? null;
}

function returnPath(value: string | null): string | null {
  if (value === null) return null;
  const bracketed = /<([^<>]*)>/.exec(value);
  return (bracketed ? bracketed[1] : value).trim().toLowerCase();
}

function parseDate(value: string | null): Date | null {
  if (value === null) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function structuredHeader(value: unknown): EmailHeaders['contentType'] {
  if (!value || typeof value !== 'object' || !('value' in value)) return null;
  const header = value as StructuredHeader;
  return { value: header.value.toLowerCase(), params: { ...header.params } };
}

function addresses(value: AddressObject | AddressObject[] | undefined): EmailAddressEntry[] {
  if (!value) return [];
  const objects = Array.isArray(value) ? value : [value];
  return objects.flatMap((object) => object.value.flatMap(flattenGroup));
}

function flattenGroup(entry: EmailAddress): EmailAddressEntry[] {
  if (entry.group) return entry.group.flatMap(flattenGroup);
  const address = entry.address?.trim().toLowerCase() ?? '';
  if (address === '') return [];
  return [{ address, name: entry.name.trim() }];
}

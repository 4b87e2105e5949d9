/**
 * Message-IDs are compared as opaque strings across IMAP fetches, our own outgoing mail and the
 * In-Reply-To/References of replies, so every id is stored in one form: without angle brackets.
 */

/** Everything a Message-ID may not contain once normalised: it would break the header it is written into. */
const UNSAFE_IN_HEADER = /[\s<>\u0000-\u001f\u007f]/;

/**
 * "<abc@example.lv>" → "abc@example.lv". Whitespace inside is removed as well: a msg-id has no room for
 * it, and it is only ever there because a sending client folded a long header in the middle of an id.
 */
export function normalizeMessageId(id: string): string {
  return id
    .trim()
    .replace(/^<+|>+$/g, '')
    .replace(/\s+/g, '');
}

/** "abc@example.lv" → "<abc@example.lv>", for Message-ID, In-Reply-To and References headers we write. */
export function formatMessageIdHeader(id: string): string {
  const normalized = normalizeMessageId(id);
  // A CR/LF here would let an id taken from an incoming mail inject headers into our reply.
  if (normalized === '' || UNSAFE_IN_HEADER.test(normalized)) {
    throw new RangeError(`not a usable Message-ID: ${JSON.stringify(id)}`);
  }
  return `<${normalized}>`;
}

/**
 * Reads the ids of an In-Reply-To or References header: deduplicated, in order, without brackets.
 * Bracketed ids win; comments and phrases around them ("<a@x> (Jānis's message)") are ignored, which
 * mailparser's own splitting on whitespace does not do. Only when a broken client wrote the ids without
 * brackets do whitespace- or comma-separated tokens that look like addresses count.
 */
export function parseMessageIdList(value: string | null | undefined): string[] {
  if (!value) return [];
  const bracketed = [...value.matchAll(/<([^<>]*)>/g)].map((m) => m[1]);
  const candidates = bracketed.length > 0 ? bracketed : value.split(/[\s,]+/).filter((token) => token.includes('@'));
  const ids: string[] = [];
  for (const candidate of candidates) {
    const id = normalizeMessageId(candidate);
    if (id !== '' && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

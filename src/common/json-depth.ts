/**
 * Deeper than any body this API takes (a web form is 4 levels, a Meta webhook about 8). Parsing costs little per
 * level, but everything after JSON.parse that walks the tree recursively (the validation pipe, class-transformer)
 * would run out of stack or stall the event loop on a body of 0.9 MB of `[`.
 */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Counts `[` and `{` outside strings over raw JSON bytes as they arrive, so a hostile nesting is refused before a
 * tree is built. Bytes of multi-byte UTF-8 characters are all ≥ 0x80, so a byte scan cannot mistake them for
 * brackets. Malformed JSON is left to the parser: this only answers "too deep or not".
 */
export class JsonDepthScanner {
  private depth = 0;
  private inString = false;
  /** A backslash ended the previous chunk inside a string: the first byte of the next one is escaped. */
  private escapePending = false;
  private exceeded = false;

  constructor(private readonly maxDepth = MAX_JSON_DEPTH) {}

  /** Feeds the next chunk; false once the nesting went deeper than allowed (and for ever after). */
  write(chunk: Buffer): boolean {
    if (this.exceeded) return false;
    let i = 0;
    const n = chunk.length;
    if (this.escapePending && n > 0) {
      this.escapePending = false;
      i = 1;
    }
    // Next quote and backslash at or after i, searched again only once passed: a long string full of escapes
    // must not be searched to its end for every escape.
    let quote = -1;
    let backslash = -1;
    while (i < n) {
      if (this.inString) {
        // Strings are most of a large body (base64 files): jump over them with the native search.
        if (quote < i) quote = indexOrEnd(chunk, QUOTE, i);
        if (backslash < i) backslash = indexOrEnd(chunk, BACKSLASH, i);
        if (backslash < quote) {
          if (backslash + 1 >= n) {
            this.escapePending = true;
            return true;
          }
          i = backslash + 2;
          continue;
        }
        if (quote === n) return true;
        this.inString = false;
        i = quote + 1;
        continue;
      }
      const byte = chunk[i++];
      if (byte === QUOTE) this.inString = true;
      else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
        if (++this.depth > this.maxDepth) {
          this.exceeded = true;
          return false;
        }
      } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
        this.depth = Math.max(0, this.depth - 1);
      }
    }
    return true;
  }
}

function indexOrEnd(chunk: Buffer, byte: number, from: number): number {
  const at = chunk.indexOf(byte, from);
  return at === -1 ? chunk.length : at;
}

/** Whether a whole body nests deeper than allowed. */
export function jsonTooDeep(body: Buffer, maxDepth = MAX_JSON_DEPTH): boolean {
  return !new JsonDepthScanner(maxDepth).write(body);
}

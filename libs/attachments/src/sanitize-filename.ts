export const MAX_FILENAME_LENGTH = 200;
export const FALLBACK_FILENAME = 'attachment';

/** C0/C1 controls and DEL: invisible, and break headers, logs and some filesystems. */
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g;
/**
 * Bidi overrides let "invoice\u202Efdp.exe" render as "invoiceexe.pdf"; the BOM and
 * directional marks are invisible too. None belong in a file name.
 */
const INVISIBLE_FORMATTING = /[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const WINDOWS_ILLEGAL = /[<>:"/\\|?*]/g;
/** Windows still maps these to devices, with or without an extension. */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;
/** Only a short, space-free tail counts as an extension worth preserving on truncation. */
const EXTENSION = /\.([^.\s]{1,16})$/;

/**
 * Makes a client-supplied name safe to store, serve in Content-Disposition and
 * open on Windows, while keeping Latvian and Cyrillic letters readable.
 */
export function sanitizeFilename(name: string): string {
  if (typeof name !== 'string') return FALLBACK_FILENAME;

  // NFC first: macOS and some browsers send decomposed "ā" (a + U+0304), which
  // would otherwise count double towards the length limit and compare unequal.
  let result = name.normalize('NFC');

  // Both separators, because a Windows client's full path arrives with backslashes.
  result = result.slice(Math.max(result.lastIndexOf('/'), result.lastIndexOf('\\')) + 1);

  result = result
    .replace(CONTROL_CHARS, '')
    .replace(INVISIBLE_FORMATTING, '')
    .replace(WINDOWS_ILLEGAL, '')
    // Leading dots hide files on Unix (and "..", "." are not names at all);
    // Windows silently drops trailing dots and spaces, which would change the extension.
    .replace(/^[\s.]+/, '')
    .replace(/[\s.]+$/, '');

  if (WINDOWS_RESERVED.test(result)) result = `_${result}`;

  result = truncateKeepingExtension(result, MAX_FILENAME_LENGTH);
  return result === '' ? FALLBACK_FILENAME : result;
}

/** Counts code points, not UTF-16 units, so an emoji or rare letter is never split in half. */
function truncateKeepingExtension(name: string, max: number): string {
  const chars = Array.from(name);
  if (chars.length <= max) return name;

  const ext = EXTENSION.exec(name)?.[0] ?? '';
  const extChars = Array.from(ext).length;
  const base = chars.slice(0, chars.length - extChars);
  const kept = base
    .slice(0, max - extChars)
    .join('')
    .replace(/[\s.]+$/, '');
  return kept + ext;
}

/**
 * MIME body encodings for the benchmark's raw messages, written byte for byte rather than by nodemailer so
 * that the service parses bytes like those real mail clients send.
 *
 * quotedPrintable is the same algorithm as libs/mime/src/testing/raw-email.ts, whose copy cannot be imported
 * from here: libs/**\/testing/** is excluded from the build (tsconfig.build.json), and importing it would
 * compile the specs' helpers into dist/ after all.
 */

export const CRLF = '\r\n';
export const crlf = (text: string) => text.replace(/\r?\n/g, CRLF);
/** Base64 in lines of 76 characters (RFC 2045), without a line end after the last. */
export const base64Lines = (bytes: Buffer) => (bytes.toString('base64').match(/.{1,76}/g) ?? []).join(CRLF);

/** Quoted-printable (RFC 2045 §6.7), lines of at most 76 characters. */
export function quotedPrintable(bytes: Buffer): string {
  const out: string[] = [];
  let start = 0;
  const lines: Buffer[] = [];
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      lines.push(bytes.subarray(start, i > start && bytes[i - 1] === 0x0d ? i - 1 : i));
      start = i + 1;
    }
  }
  for (const line of lines) {
    let text = '';
    let current = '';
    line.forEach((byte, index) => {
      const last = index === line.length - 1;
      const literal = (byte >= 33 && byte <= 126 && byte !== 61) || ((byte === 32 || byte === 9) && !last);
      const token = literal ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      if (current.length + token.length > 75) {
        text += `${current}=${CRLF}`;
        current = '';
      }
      current += token;
    });
    out.push(text + current);
  }
  return out.join(CRLF);
}

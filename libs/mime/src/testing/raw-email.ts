/**
 * Builds raw RFC 822 messages for specs, byte for byte: CRLF line ends, bodies in any charset and transfer
 * encoding. Deliberately independent of mailparser and nodemailer, so that a spec tests the parser against
 * bytes it did not produce itself.
 */

export interface RawPart {
  /** Header lines without line ends, e.g. 'Content-Type: text/plain; charset=utf-8'. */
  headers: string[];
  /** A string is written as UTF-8 with "\n" turned into CRLF; a Buffer is written as it is. */
  body: string | Buffer;
}

const CRLF = '\r\n';

function toBytes(body: string | Buffer): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(body.replace(/\r?\n/g, CRLF), 'utf8');
}

/** A whole message or one MIME part: headers, a blank line, the body. */
export function rawEmail(headers: string[], body: string | Buffer = ''): Buffer {
  const head = headers.map((line) => line.replace(/\r?\n/g, CRLF)).join(CRLF) + CRLF + CRLF;
  return Buffer.concat([Buffer.from(head, 'utf8'), toBytes(body)]);
}

/** The body of a multipart entity: each part between boundary lines, then the closing boundary. */
export function multipartBody(boundary: string, parts: RawPart[], preamble = ''): Buffer {
  const chunks: Buffer[] = [];
  if (preamble !== '') chunks.push(toBytes(`${preamble}\n`));
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}${CRLF}`), rawEmail(part.headers, part.body), Buffer.from(CRLF));
  }
  chunks.push(Buffer.from(`--${boundary}--${CRLF}`));
  return Buffer.concat(chunks);
}

/** Base64 in lines of 76 characters, as RFC 2045 requires. */
export function base64Body(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join(CRLF) + CRLF;
}

/**
 * Quoted-printable (RFC 2045 §6.7): bytes outside printable ASCII and "=" as =XX, line ends kept as hard
 * line breaks, soft breaks ("=" CRLF) so that no line exceeds 76 characters, trailing blanks encoded.
 */
export function quotedPrintable(bytes: Buffer): string {
  const lines: string[] = [];
  for (const line of splitLines(bytes)) {
    let out = '';
    let current = '';
    line.forEach((byte, index) => {
      const last = index === line.length - 1;
      const literal = (byte >= 33 && byte <= 126 && byte !== 61) || ((byte === 32 || byte === 9) && !last);
      const token = literal ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      if (current.length + token.length > 75) {
        out += `${current}=${CRLF}`;
        current = '';
      }
      current += token;
    });
    lines.push(out + current);
  }
  return lines.join(CRLF);
}

function splitLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a) {
      const end = i > start && bytes[i - 1] === 0x0d ? i - 1 : i;
      lines.push(bytes.subarray(start, end));
      start = i + 1;
    }
  }
  lines.push(bytes.subarray(start));
  return lines;
}

/**
 * An RFC 2047 encoded word of bytes already in `charset`. B is base64; Q writes "_" for a space and =XX
 * for anything but letters and digits.
 */
export function encodedWord(bytes: Buffer, charset: string, encoding: 'B' | 'Q'): string {
  if (encoding === 'B') return `=?${charset}?B?${bytes.toString('base64')}?=`;
  let text = '';
  for (const byte of bytes) {
    if (byte === 0x20) text += '_';
    else if (/[A-Za-z0-9]/.test(String.fromCharCode(byte))) text += String.fromCharCode(byte);
    else text += `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `=?${charset}?Q?${text}?=`;
}

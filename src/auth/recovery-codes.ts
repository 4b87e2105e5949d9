import { createHash, randomInt } from 'node:crypto';

/** No 0/O, 1/I/L: the codes are read off paper and typed by hand. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const LENGTH = 16;

/**
 * Ten codes of 16 characters from a 31-letter alphabet: about 79 bits each, so a plain SHA-256 of the code is
 * enough to store (a leaked table cannot be searched), and no slow hash is needed on the sign-in path.
 */
export function newRecoveryCodes(count = 10): string[] {
  return Array.from({ length: count }, () => {
    const chars = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return chars.match(/.{4}/g)!.join('-');
  });
}

/** As typed: case, spaces and dashes do not matter. Null when it cannot be a recovery code at all. */
export function normalizeRecoveryCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  return code.length === LENGTH && [...code].every((c) => ALPHABET.includes(c)) ? code : null;
}

export function hashRecoveryCode(normalized: string): string {
  return createHash('sha256').update(normalized).digest('hex');
}

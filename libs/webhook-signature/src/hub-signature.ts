import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Meta's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`, over the exact
 * bytes sent (Meta escapes non-ASCII as \uXXXX; re-serialising a parsed body would not give them back).
 */
export function signHubSignature256(appSecret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

export type HubSignatureCheck = { ok: true } | { ok: false; reason: 'unconfigured' | 'missing' | 'malformed' | 'mismatch' };

export function verifyHubSignature256(appSecret: string | undefined, header: string | undefined, rawBody: Buffer): HubSignatureCheck {
  if (!appSecret) return { ok: false, reason: 'unconfigured' };
  if (!header) return { ok: false, reason: 'missing' };
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!match) return { ok: false, reason: 'malformed' };
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(match[1], 'hex')) ? { ok: true } : { ok: false, reason: 'mismatch' };
}

/**
 * Compares a shared secret (Telegram's X-Telegram-Bot-Api-Secret-Token, Meta's verify token) in constant time.
 * Both sides are hashed first so that neither the length nor a common prefix leaks; an unset secret never matches.
 */
export function secretsEqual(expected: string | undefined, given: string | undefined): boolean {
  if (!expected || given === undefined) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

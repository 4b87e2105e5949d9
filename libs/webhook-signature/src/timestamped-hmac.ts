import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signatures of the form `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, as the Latvija.lv
 * web forms send them (the scheme Stripe made common). The timestamp is signed too, so a captured request
 * cannot be replayed outside the allowed clock skew.
 */
export function signTimestampedHmac(secret: string, rawBody: Buffer | string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.`).update(rawBody).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

export type SignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

export function verifyTimestampedHmac(
  secret: string,
  header: string | undefined,
  rawBody: Buffer | string,
  options: { nowSeconds?: number; maxSkewSeconds: number },
): SignatureCheck {
  if (!header || header.trim() === '') return { ok: false, reason: 'missing' };
  let timestamp: number | null = null;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return { ok: false, reason: 'malformed' };
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === 't') {
      if (!/^\d{1,12}$/.test(value) || timestamp !== null) return { ok: false, reason: 'malformed' };
      timestamp = Number(value);
    } else if (name === 'v1') {
      if (!/^[0-9a-f]{64}$/i.test(value)) return { ok: false, reason: 'malformed' };
      candidates.push(value.toLowerCase());
    }
    // Other schemes (v0, future versions) are ignored, so the sender can roll a new one out gradually.
  }
  if (timestamp === null || candidates.length === 0) return { ok: false, reason: 'malformed' };

  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > options.maxSkewSeconds) return { ok: false, reason: 'stale' };

  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
  // Several v1 values are allowed while a secret is being rotated; any one matching is enough.
  const match = candidates.some((hex) => timingSafeEqual(Buffer.from(hex, 'hex'), expected));
  return match ? { ok: true, timestamp } : { ok: false, reason: 'mismatch' };
}

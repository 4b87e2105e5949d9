import { createHmac, Hmac, timingSafeEqual } from 'node:crypto';

/**
 * Signatures of the form `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, as the Latvija.lv
 * web forms send them (the scheme Stripe made common). The timestamp is signed too, so a captured request
 * cannot be replayed outside the allowed clock skew.
 */
export function signTimestampedHmac(secret: string, rawBody: Buffer | string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.`).update(rawBody).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

export function verifyTimestampedHmac(
  secret: string,
  header: string | undefined,
  rawBody: Buffer | string,
  options: { nowSeconds?: number; maxSkewSeconds: number },
): SignatureCheck {
  const started = startTimestampedHmac(secret, header, options);
  return started.ok ? started.verifier.update(rawBody).verify() : started;
}

/**
 * The header is checked before a byte of the body is read: a missing, malformed or stale signature is refused at
 * once, and a plausible one hashes the body as it streams in, so a forged one is known without parsing anything.
 */
export function startTimestampedHmac(
  secret: string,
  header: string | undefined,
  options: { nowSeconds?: number; maxSkewSeconds: number },
): { ok: true; verifier: TimestampedHmacVerifier } | { ok: false; reason: 'missing' | 'malformed' | 'stale' } {
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
  return { ok: true, verifier: new TimestampedHmacVerifier(secret, timestamp, candidates) };
}

export class TimestampedHmacVerifier {
  private readonly hmac: Hmac;

  constructor(
    secret: string,
    readonly timestamp: number,
    private readonly candidates: string[],
  ) {
    this.hmac = createHmac('sha256', secret).update(`${timestamp}.`);
  }

  update(chunk: Buffer | string): this {
    this.hmac.update(chunk);
    return this;
  }

  /** Once, after the last chunk. */
  verify(): SignatureCheck {
    const expected = this.hmac.digest();
    // Several v1 values are allowed while a secret is being rotated; any one matching is enough.
    const match = this.candidates.some((hex) => timingSafeEqual(Buffer.from(hex, 'hex'), expected));
    return match ? { ok: true, timestamp: this.timestamp } : { ok: false, reason: 'mismatch' };
  }
}

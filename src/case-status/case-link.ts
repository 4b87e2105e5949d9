import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The token of a case-status link sent with an acknowledgement: the public reference and an expiry, signed with a
 * key derived from the server secret for this purpose only (it can pass neither as a survey link nor as a session
 * token). Holding the link is the proof of being the person who wrote, as holding the acknowledgement is.
 */
export function signCaseLink(secret: string, reference: string, expiresAt: Date): string {
  const payload = Buffer.from(JSON.stringify({ r: reference, e: Math.floor(expiresAt.getTime() / 1000) })).toString('base64url');
  return `${payload}.${mac(secret, payload)}`;
}

export type CaseLinkCheck = { ok: true; reference: string; expiresAt: Date } | { ok: false; reason: 'malformed' | 'signature' | 'expired' };

export function verifyCaseLink(secret: string, token: string, now = new Date()): CaseLinkCheck {
  if (token.length > 512) return { ok: false, reason: 'malformed' };
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined || !/^[A-Za-z0-9_-]+$/.test(payload + signature))
    return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(mac(secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'signature' };
  try {
    const { r, e } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof r !== 'string' || typeof e !== 'number') return { ok: false, reason: 'malformed' };
    if (e * 1000 < now.getTime()) return { ok: false, reason: 'expired' };
    return { ok: true, reference: r, expiresAt: new Date(e * 1000) };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}

/** The address of the status page for one case, as the acknowledgement gives it. */
export function caseLinkUrl(publicBaseUrl: string, secret: string, reference: string, ttlDays: number, now = Date.now()): string {
  const token = signCaseLink(secret, reference, new Date(now + ttlDays * 86_400_000));
  return `${publicBaseUrl.replace(/\/+$/, '')}/case?t=${token}`;
}

function mac(secret: string, payload: string): string {
  const key = createHmac('sha256', secret).update('case-status-link').digest();
  return createHmac('sha256', key).update(payload).digest('base64url');
}

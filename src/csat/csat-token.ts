import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A survey link's token: the ticket and an expiry, signed with a key derived from the server secret (so no new
 * secret to manage, and a token can never pass as a session token or the other way round).
 */
export function signCsatToken(secret: string, ticketId: string, expiresAt: Date): string {
  const payload = Buffer.from(JSON.stringify({ t: ticketId, e: Math.floor(expiresAt.getTime() / 1000) })).toString('base64url');
  return `${payload}.${mac(secret, payload)}`;
}

export type CsatTokenCheck = { ok: true; ticketId: string; expiresAt: Date } | { ok: false; reason: 'malformed' | 'signature' | 'expired' };

export function verifyCsatToken(secret: string, token: string, now = new Date()): CsatTokenCheck {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined || !/^[A-Za-z0-9_-]+$/.test(payload + signature))
    return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(mac(secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'signature' };
  try {
    const { t, e } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof t !== 'string' || typeof e !== 'number') return { ok: false, reason: 'malformed' };
    if (e * 1000 < now.getTime()) return { ok: false, reason: 'expired' };
    return { ok: true, ticketId: t, expiresAt: new Date(e * 1000) };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}

function mac(secret: string, payload: string): string {
  const key = createHmac('sha256', secret).update('csat-survey-link').digest();
  return createHmac('sha256', key).update(payload).digest('base64url');
}

import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A subject-access download link's token: the download row's id, signed with a key derived from the server secret
 * (no new secret to manage; the derivation keeps it from ever passing as a session or survey token). Whether the
 * link is still unused and unexpired is the row's to say, so a token alone never opens an archive twice.
 */
export function signDownloadToken(secret: string, downloadId: string): string {
  return `${downloadId}.${mac(secret, downloadId)}`;
}

/** The download id the token names, or null when it is not one this server signed. */
export function verifyDownloadToken(secret: string, token: string): string | null {
  const [id, signature, extra] = token.split('.');
  if (!id || !signature || extra !== undefined || !/^[0-9a-f-]{36}$/.test(id)) return null;
  const expected = Buffer.from(mac(secret, id));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? id : null;
}

function mac(secret: string, id: string): string {
  const key = createHmac('sha256', secret).update('subject-access-download').digest();
  return createHmac('sha256', key).update(id).digest('base64url');
}

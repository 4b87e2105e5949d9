import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Secrets the service must be able to use again (a mailbox's IMAP password, a webhook's signing secret), kept in
 * PostgreSQL as AES-256-GCM ciphertext under a key from configuration:
 *
 *   enc:v1:<key id>:<iv>:<tag>:<ciphertext>      (base64url parts; the key id is 8 hex digits of SHA-256 of the key)
 *
 * The key id says which key a value was written under, so that during a rotation values under the previous key
 * still open and the re-encryption command knows which ones to rewrite. `context` (e.g. "mailboxes.password") is
 * authenticated with the value, so a ciphertext copied into another column does not open there.
 */
export const SECRET_PREFIX = 'enc:v1:';

export interface SecretKey {
  id: string;
  key: Buffer;
}

export class SecretBoxError extends Error {}

/** A 32-byte key given as 64 hex digits or as base64 / base64url (44 or 43 characters). Null when it is neither. */
export function parseSecretKey(value: string): SecretKey | null {
  const v = value.trim();
  let key: Buffer | null = null;
  if (/^[0-9a-fA-F]{64}$/.test(v)) key = Buffer.from(v, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(v)) key = Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (!key || key.length !== 32) return null;
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 8), key };
}

export function isEncryptedSecret(value: string): boolean {
  return value.startsWith(SECRET_PREFIX);
}

/** The id of the key a stored value was written under, or null for a plaintext value. */
export function secretKeyIdOf(value: string): string | null {
  if (!isEncryptedSecret(value)) return null;
  return value.slice(SECRET_PREFIX.length).split(':')[0] ?? null;
}

export function encryptSecret(plain: string, key: SecretKey, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${SECRET_PREFIX}${key.id}:${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${body.toString('base64url')}`;
}

/** Opens a value with whichever of `keys` wrote it. Throws when no key fits or the value was tampered with. */
export function decryptSecret(stored: string, keys: readonly SecretKey[], context: string): string {
  if (!isEncryptedSecret(stored)) throw new SecretBoxError('the value is not encrypted');
  const parts = stored.slice(SECRET_PREFIX.length).split(':');
  if (parts.length !== 4) throw new SecretBoxError('the encrypted value is malformed');
  const [keyId, iv, tag, body] = parts;
  const key = keys.find((k) => k.id === keyId);
  if (!key) throw new SecretBoxError(`the value was encrypted under key ${keyId}, which is not configured`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretBoxError(`the value under key ${keyId} does not open (altered, or stored for another field)`);
  }
}

import { randomBytes } from 'node:crypto';
import { decryptSecret, encryptSecret, isEncryptedSecret, parseSecretKey, secretKeyIdOf, SecretBoxError } from './secret-box';

const key = parseSecretKey(randomBytes(32).toString('base64'))!;
const other = parseSecretKey(randomBytes(32).toString('hex'))!;

describe('secret box', () => {
  it('reads a 32-byte key as hex, base64 or base64url, and refuses anything else', () => {
    const raw = randomBytes(32);
    const ids = [raw.toString('hex'), raw.toString('base64'), raw.toString('base64url')].map((v) => parseSecretKey(v)!.id);
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}$/);
    for (const bad of ['', 'short', randomBytes(16).toString('hex'), randomBytes(31).toString('base64'), 'z'.repeat(64)])
      expect(parseSecretKey(bad)).toBeNull();
  });

  it('round-trips a secret, with a fresh IV each time, naming its key', () => {
    const a = encryptSecret('imap pāroļu frāze', key, 'mailboxes.password');
    const b = encryptSecret('imap pāroļu frāze', key, 'mailboxes.password');
    expect(a).not.toBe(b);
    expect(a).not.toContain('imap');
    expect(isEncryptedSecret(a)).toBe(true);
    expect(secretKeyIdOf(a)).toBe(key.id);
    expect(decryptSecret(a, [other, key], 'mailboxes.password')).toBe('imap pāroļu frāze');
  });

  it('refuses a value under a key that is not configured, for another field, or altered', () => {
    const sealed = encryptSecret('s3cret', key, 'mailboxes.password');
    expect(() => decryptSecret(sealed, [other], 'mailboxes.password')).toThrow(SecretBoxError);
    expect(() => decryptSecret(sealed, [key], 'webhook_subscriptions.secret')).toThrow(/does not open/);
    const parts = sealed.split(':');
    parts[5] = Buffer.from('t4mpered').toString('base64url');
    expect(() => decryptSecret(parts.join(':'), [key], 'mailboxes.password')).toThrow(/does not open/);
    expect(() => decryptSecret('plain', [key], 'mailboxes.password')).toThrow(/not encrypted/);
    expect(secretKeyIdOf('plain')).toBeNull();
  });
});

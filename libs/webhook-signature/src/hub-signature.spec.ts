import { createHmac } from 'node:crypto';
import { secretsEqual, signHubSignature256, verifyHubSignature256 } from './hub-signature';

describe("Meta's X-Hub-Signature-256", () => {
  const secret = 'meta-app-secret-for-tests';
  const body = Buffer.from('{"object":"page","entry":[{"id":"1","messaging":[{"message":{"text":"Sveiki \\u0161eit"}}]}]}');

  it('is the hex HMAC-SHA256 of the raw body with the app secret', () => {
    expect(signHubSignature256(secret, body)).toBe(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
    expect(verifyHubSignature256(secret, signHubSignature256(secret, body), body)).toEqual({ ok: true });
    expect(verifyHubSignature256(secret, signHubSignature256(secret, body).toUpperCase().replace('SHA256', 'sha256'), body)).toEqual({
      ok: true,
    });
  });

  it('refuses another body, another secret, a missing, malformed or unconfigured signature', () => {
    const good = signHubSignature256(secret, body);
    expect(verifyHubSignature256(secret, good, Buffer.from(body.toString() + ' '))).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyHubSignature256('another-secret-entirely', good, body)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyHubSignature256(secret, undefined, body)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyHubSignature256(secret, 'sha1=abcd', body)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyHubSignature256(secret, `${good}00`, body)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyHubSignature256(undefined, good, body)).toEqual({ ok: false, reason: 'unconfigured' });
  });
});

describe('shared secret comparison', () => {
  it('matches only the same secret, and never an unset one', () => {
    expect(secretsEqual('telegram_secret-123', 'telegram_secret-123')).toBe(true);
    expect(secretsEqual('telegram_secret-123', 'telegram_secret-124')).toBe(false);
    expect(secretsEqual('telegram_secret-123', 'telegram')).toBe(false);
    expect(secretsEqual(undefined, '')).toBe(false);
    expect(secretsEqual('', '')).toBe(false);
    expect(secretsEqual('x', undefined)).toBe(false);
  });
});

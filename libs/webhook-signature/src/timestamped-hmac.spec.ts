import { createHmac } from 'node:crypto';
import { signTimestampedHmac, startTimestampedHmac, verifyTimestampedHmac } from './timestamped-hmac';

const secret = 'a-shared-secret-of-at-least-32-characters';
const body = Buffer.from('{"submissionId":"abc","message":"Labdien, kā pieteikties pabalstam?"}');
const now = 1_795_600_000;
const opts = { nowSeconds: now, maxSkewSeconds: 300 };

describe('timestamped HMAC signatures', () => {
  it('signs exactly HMAC_SHA256(secret, "<t>.<raw body>") in hex', () => {
    const expected = createHmac('sha256', secret).update(`${now}.${body.toString()}`).digest('hex');
    expect(signTimestampedHmac(secret, body, now)).toBe(`t=${now},v1=${expected}`);
  });

  it('accepts its own signature and reports the timestamp', () => {
    expect(verifyTimestampedHmac(secret, signTimestampedHmac(secret, body, now), body, opts)).toEqual({ ok: true, timestamp: now });
  });

  it('accepts up to the allowed skew either way, and no further', () => {
    expect(verifyTimestampedHmac(secret, signTimestampedHmac(secret, body, now - 300), body, opts).ok).toBe(true);
    expect(verifyTimestampedHmac(secret, signTimestampedHmac(secret, body, now + 300), body, opts).ok).toBe(true);
    expect(verifyTimestampedHmac(secret, signTimestampedHmac(secret, body, now - 301), body, opts)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyTimestampedHmac(secret, signTimestampedHmac(secret, body, now + 301), body, opts)).toEqual({ ok: false, reason: 'stale' });
  });

  it('refuses a changed body, a wrong secret, and a timestamp swapped into a valid signature', () => {
    const header = signTimestampedHmac(secret, body, now);
    expect(verifyTimestampedHmac(secret, header, Buffer.concat([body, Buffer.from(' ')]), opts).ok).toBe(false);
    expect(verifyTimestampedHmac('another-secret-of-at-least-32-characters', header, body, opts)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    const swapped = header.replace(`t=${now}`, `t=${now - 1}`);
    expect(verifyTimestampedHmac(secret, swapped, body, opts)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('accepts any one of several v1 values (secret rotation) and ignores unknown schemes', () => {
    const good = signTimestampedHmac(secret, body, now).split(',')[1];
    const header = `t=${now},v0=whatever,v1=${'0'.repeat(64)},${good}`;
    expect(verifyTimestampedHmac(secret, header, body, opts).ok).toBe(true);
  });

  it.each([
    [undefined, 'missing'],
    ['', 'missing'],
    ['garbage', 'malformed'],
    [`t=${now}`, 'malformed'],
    [`v1=${'a'.repeat(64)}`, 'malformed'],
    [`t=abc,v1=${'a'.repeat(64)}`, 'malformed'],
    [`t=${now},v1=xyz`, 'malformed'],
    [`t=${now},t=${now},v1=${'a'.repeat(64)}`, 'malformed'],
  ])('refuses header %p as %s', (header, reason) => {
    expect(verifyTimestampedHmac(secret, header, body, opts)).toEqual({ ok: false, reason });
  });
});

describe('timestamped HMAC over a streamed body', () => {
  it('refuses a bad header before any byte is read, and gives the same answer chunk by chunk as over the whole body', () => {
    expect(startTimestampedHmac(secret, undefined, opts)).toEqual({ ok: false, reason: 'missing' });
    expect(startTimestampedHmac(secret, 'sha256=abc', opts)).toEqual({ ok: false, reason: 'malformed' });
    expect(startTimestampedHmac(secret, signTimestampedHmac(secret, body, now - 301), opts)).toEqual({ ok: false, reason: 'stale' });

    const good = startTimestampedHmac(secret, signTimestampedHmac(secret, body, now), opts);
    if (!good.ok) throw new Error('expected a plausible signature');
    for (let i = 0; i < body.length; i += 7) good.verifier.update(body.subarray(i, i + 7));
    expect(good.verifier.verify()).toEqual({ ok: true, timestamp: now });

    const forged = startTimestampedHmac(secret, signTimestampedHmac('another-secret-of-at-least-32-characters', body, now), opts);
    if (!forged.ok) throw new Error('expected a plausible signature');
    expect(forged.verifier.update(body).verify()).toEqual({ ok: false, reason: 'mismatch' });
  });
});

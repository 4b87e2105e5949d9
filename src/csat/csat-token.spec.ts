import { signCsatToken, verifyCsatToken } from './csat-token';

describe('CSAT survey tokens', () => {
  const secret = 'a-server-secret-of-enough-length';
  const ticketId = '0b6a1c2e-1111-4222-8333-444455556666';

  it('round-trips the ticket until it expires', () => {
    const token = signCsatToken(secret, ticketId, new Date(Date.now() + 60_000));
    expect(verifyCsatToken(secret, token)).toMatchObject({ ok: true, ticketId });
    expect(verifyCsatToken(secret, token, new Date(Date.now() + 120_000))).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token signed with another secret, altered, or malformed', () => {
    const token = signCsatToken(secret, ticketId, new Date(Date.now() + 60_000));
    expect(verifyCsatToken('another-secret', token)).toEqual({ ok: false, reason: 'signature' });
    const [payload, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ t: 'ffffffff-1111-4222-8333-444455556666', e: 9999999999 })).toString('base64url');
    expect(verifyCsatToken(secret, `${forged}.${signature}`)).toEqual({ ok: false, reason: 'signature' });
    expect(verifyCsatToken(secret, payload)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyCsatToken(secret, 'a.b.c')).toEqual({ ok: false, reason: 'malformed' });
  });
});

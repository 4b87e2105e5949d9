import { signCsatToken } from '../csat/csat-token';
import { caseLinkUrl, signCaseLink, verifyCaseLink } from './case-link';

const SECRET = 'a-secret-of-at-least-thirty-two-characters';

describe('case-status links', () => {
  it('carries the reference until it expires', () => {
    const token = signCaseLink(SECRET, 'VP-2026-000123', new Date(Date.now() + 60_000));
    expect(verifyCaseLink(SECRET, token)).toMatchObject({ ok: true, reference: 'VP-2026-000123' });
    expect(verifyCaseLink(SECRET, token, new Date(Date.now() + 120_000))).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses another key, a changed reference and a survey token', () => {
    const token = signCaseLink(SECRET, 'VP-2026-000123', new Date(Date.now() + 60_000));
    expect(verifyCaseLink('another-secret-of-thirty-two-characters!', token)).toEqual({ ok: false, reason: 'signature' });
    const [, signature] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify({ r: 'VP-2026-000124', e: 9_999_999_999 })).toString('base64url')}.${signature}`;
    expect(verifyCaseLink(SECRET, forged)).toEqual({ ok: false, reason: 'signature' });
    expect(verifyCaseLink(SECRET, signCsatToken(SECRET, 'VP-2026-000123', new Date(Date.now() + 60_000)))).toEqual({
      ok: false,
      reason: 'signature',
    });
    expect(verifyCaseLink(SECRET, 'x.y.z')).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyCaseLink(SECRET, '<script>')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('builds the page address from the public base URL', () => {
    const url = caseLinkUrl('https://kontakti.example.lv/', SECRET, 'VP-2026-000123', 30);
    expect(url).toMatch(/^https:\/\/kontakti\.example\.lv\/case\?t=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyCaseLink(SECRET, url.split('t=')[1])).toMatchObject({ ok: true, reference: 'VP-2026-000123' });
  });
});

import { isFetchedKind, mayCarryMetaToken, mayFetchPublicMedia } from './social-media-fetcher';
import { socialAttachmentId, socialMediaFilename } from './social-media';

const GRAPH = 'https://graph.facebook.com';

describe('mayCarryMetaToken', () => {
  it("sends the token to the Graph API and Meta's media hosts over https", () => {
    for (const url of [
      'https://graph.facebook.com/v21.0/123456',
      'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1&ext=2&hash=x',
      'https://mmg.whatsapp.net/v/t62/abc',
      'https://scontent.xx.facebook.com/v/x.jpg',
    ]) {
      expect([url, mayCarryMetaToken(url, GRAPH)]).toEqual([url, true]);
    }
  });

  it('sends it nowhere else: look-alike hosts, http, other ports, user info, other hosts', () => {
    for (const url of [
      'https://lookaside.fbsbx.com.evil.example/x',
      'https://evilfbsbx.com/x',
      'https://facebook.com.evil.example/x',
      'https://notwhatsapp.net/x',
      'http://lookaside.fbsbx.com/x',
      'https://lookaside.fbsbx.com:8443/x',
      'https://user:pw@lookaside.fbsbx.com/x',
      'https://scontent.cdninstagram.com/x.jpg',
      'https://evil.example/?graph.facebook.com',
      'http://127.0.0.1:8080/x',
      'not a url',
    ]) {
      expect([url, mayCarryMetaToken(url, GRAPH)]).toEqual([url, false]);
    }
  });

  it('trusts the configured Graph origin exactly, so a stand-in (or a test server) works and nothing beside it', () => {
    expect(mayCarryMetaToken('http://127.0.0.1:8080/media/1', 'http://127.0.0.1:8080')).toBe(true);
    expect(mayCarryMetaToken('http://127.0.0.1:8081/media/1', 'http://127.0.0.1:8080')).toBe(false);
    expect(mayCarryMetaToken('https://127.0.0.1:8080/media/1', 'http://127.0.0.1:8080')).toBe(false);
  });
});

describe('mayFetchPublicMedia', () => {
  it('fetches https URLs of named hosts, or the Graph origin', () => {
    expect(mayFetchPublicMedia('https://scontent.xx.fbcdn.net/v/t1/x.jpg?oh=1', GRAPH)).toBe(true);
    expect(mayFetchPublicMedia('http://127.0.0.1:8080/cdn/x.jpg', 'http://127.0.0.1:8080')).toBe(true);
  });

  it('refuses http, IP literals, localhost and user info', () => {
    for (const url of [
      'http://scontent.xx.fbcdn.net/x.jpg',
      'https://127.0.0.1/x',
      'https://[::1]/x',
      'https://localhost/x',
      'https://u:p@cdn.example/x',
      'file:///etc/passwd',
      'nonsense',
    ]) {
      expect([url, mayFetchPublicMedia(url, GRAPH)]).toEqual([url, false]);
    }
  });
});

describe('socialMediaFilename', () => {
  const pdf = { ext: 'pdf', mime: 'application/pdf' };
  const jpg = { ext: 'jpg', mime: 'image/jpeg' };

  it('keeps a given name, made safe, ending in the real type', () => {
    expect(socialMediaFilename('whatsapp', { type: 'document', filename: 'izziņa.pdf' }, 0, pdf)).toBe('izziņa.pdf');
    expect(socialMediaFilename('telegram', { type: 'document', filename: '../../etc/ziņa\u202Efdp.exe' }, 0, pdf)).toBe('ziņafdp.exe.pdf');
    expect(socialMediaFilename('telegram', { type: 'document', filename: 'scan.JPEG' }, 0, jpg)).toBe('scan.JPEG');
  });

  it('names an unnamed file by platform, kind and place', () => {
    expect(socialMediaFilename('telegram', { type: 'image', mediaId: 'x' }, 0, jpg)).toBe('telegram-image-1.jpg');
    expect(socialMediaFilename('messenger', { type: 'image', url: 'https://x' }, 2, jpg)).toBe('messenger-image-3.jpg');
    expect(socialMediaFilename('telegram', { type: 'video_note', mediaId: 'x' }, 0, { ext: 'mp4', mime: 'video/mp4' })).toBe(
      'telegram-video-note-1.mp4',
    );
    expect(socialMediaFilename('messenger', { type: '<script>', url: 'https://x' }, 0, jpg)).toBe('messenger-file-1.jpg');
  });
});

describe('socialAttachmentId', () => {
  it('is the same for the same event and place, different otherwise, and a UUID', () => {
    const a = socialAttachmentId('6f1c2a40-0000-4000-8000-000000000001', 0);
    expect(a).toBe(socialAttachmentId('6f1c2a40-0000-4000-8000-000000000001', 0));
    expect(a).not.toBe(socialAttachmentId('6f1c2a40-0000-4000-8000-000000000001', 1));
    expect(a).not.toBe(socialAttachmentId('6f1c2a40-0000-4000-8000-000000000002', 0));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('isFetchedKind', () => {
  it('fetches files, not the web pages a Messenger or Instagram customer shared', () => {
    expect(
      ['image', 'video', 'audio', 'file', 'story_mention'].every((k) => isFetchedKind('messenger', k) && isFetchedKind('instagram', k)),
    ).toBe(true);
    expect(['fallback', 'share', 'template', 'location'].some((k) => isFetchedKind('messenger', k) || isFetchedKind('instagram', k))).toBe(
      false,
    );
    expect(isFetchedKind('whatsapp', 'sticker')).toBe(true);
    expect(isFetchedKind('telegram', 'voice')).toBe(true);
  });
});

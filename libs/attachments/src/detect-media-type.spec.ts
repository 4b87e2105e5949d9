import { detectMediaType } from '@lib/attachments';
import { fixtures } from './testing/zip-builder';

const ftyp = (brand: string) => Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from(`ftyp${brand}\0\0\0\0isommp41`, 'latin1')]);

describe('detectMediaType', () => {
  it.each([
    ['a PDF, as detectFileType knows it', fixtures.pdf(), { ext: 'pdf', mime: 'application/pdf' }],
    ['a JPEG photo', fixtures.jpeg(), { ext: 'jpg', mime: 'image/jpeg' }],
    ['a PNG', fixtures.png(), { ext: 'png', mime: 'image/png' }],
    ['an OGG voice note', Buffer.from('OggS\0\x02\0\0\0\0\0\0\0\0', 'latin1'), { ext: 'ogg', mime: 'audio/ogg' }],
    ['an MP4 video', ftyp('isom'), { ext: 'mp4', mime: 'video/mp4' }],
    ['an MP4 video of brand mp42', ftyp('mp42'), { ext: 'mp4', mime: 'video/mp4' }],
    ['an M4A voice memo', ftyp('M4A '), { ext: 'm4a', mime: 'audio/mp4' }],
    ['a QuickTime movie', ftyp('qt  '), { ext: 'mov', mime: 'video/quicktime' }],
    ['a 3GP clip', ftyp('3gp4'), { ext: '3gp', mime: 'video/3gpp' }],
    ['an MP3 with an ID3 tag', Buffer.from('ID3\x04\0\0\0\0\0\0', 'latin1'), { ext: 'mp3', mime: 'audio/mpeg' }],
    ['a bare MPEG-1 layer III frame', Buffer.from([0xff, 0xfb, 0x90, 0x64]), { ext: 'mp3', mime: 'audio/mpeg' }],
    ['an ADTS AAC frame', Buffer.from([0xff, 0xf1, 0x50, 0x80, 0x02, 0x1f, 0xfc]), { ext: 'aac', mime: 'audio/aac' }],
    ['a WebP sticker', Buffer.from('RIFF\x24\0\0\0WEBPVP8 ', 'latin1'), { ext: 'webp', mime: 'image/webp' }],
  ])('recognises %s', (_label, buf, expected) => {
    expect(detectMediaType(buf)).toEqual(expected);
  });

  it.each([
    ['an empty buffer', Buffer.alloc(0)],
    ['a Windows executable', fixtures.exe()],
    ['an HTML error page', Buffer.from('<!DOCTYPE html><html><body>Not found</body></html>')],
    ['plain text', Buffer.from('hello, world')],
    ['a WAV (RIFF but not WebP)', Buffer.from('RIFF\x24\0\0\0WAVEfmt ', 'latin1')],
    ['an ftyp of an unknown brand (a HEIF image)', ftyp('heic')],
    ['a truncated ftyp box', Buffer.from('\0\0\0\x20ftyp', 'latin1')],
    ['sync bits with a reserved layer and an invalid AAC rate', Buffer.from([0xff, 0xf1, 0xfc, 0x80, 0, 0, 0])],
    ['an MPEG frame with the "bad" bitrate', Buffer.from([0xff, 0xfb, 0xf0, 0x64])],
    ['a lone 0xFF', Buffer.from([0xff])],
  ])('returns null for %s', (_label, buf) => {
    expect(detectMediaType(buf)).toBeNull();
  });

  it('returns null for non-Buffer input from untyped callers', () => {
    expect(detectMediaType('OggS' as unknown as Buffer)).toBeNull();
  });
});

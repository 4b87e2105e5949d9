import { detectFileType, DetectedFileType } from './detect-file-type';

/**
 * What people send on messaging apps besides documents and photos: voice notes (OGG/Opus on Telegram and
 * WhatsApp, M4A or AAC from phones), video (MP4, MOV), MP3, and WebP stickers and images.
 */
export const MEDIA_MIME = {
  ogg: 'audio/ogg',
  mp4: 'video/mp4',
  m4a: 'audio/mp4',
  mov: 'video/quicktime',
  '3gp': 'video/3gpp',
  mp3: 'audio/mpeg',
  aac: 'audio/aac',
  webp: 'image/webp',
} as const;

/** ISO base media files name their family in the `ftyp` box's major brand (ISO/IEC 14496-12). */
const FTYP_BRANDS: Readonly<Record<string, DetectedFileType>> = {
  'qt  ': { ext: 'mov', mime: MEDIA_MIME.mov },
  'M4A ': { ext: 'm4a', mime: MEDIA_MIME.m4a },
  'M4B ': { ext: 'm4a', mime: MEDIA_MIME.m4a },
  '3gp4': { ext: '3gp', mime: MEDIA_MIME['3gp'] },
  '3gp5': { ext: '3gp', mime: MEDIA_MIME['3gp'] },
  '3gp6': { ext: '3gp', mime: MEDIA_MIME['3gp'] },
};
/** Brands of plain MP4 video; an unknown brand is not guessed at (HEIF images share the box). */
const MP4_BRANDS = new Set(['isom', 'iso2', 'iso4', 'iso5', 'iso6', 'mp41', 'mp42', 'avc1', 'dash', 'M4V ', 'MSNV']);

/**
 * Identifies a file a citizen sent on a social channel by its bytes only: the documents and images the portal
 * accepts (detectFileType), and the common audio, video and image formats of messaging apps. Null for anything
 * else, so that what cannot be named is not stored under a type it does not have.
 */
export function detectMediaType(buf: Buffer): DetectedFileType | null {
  if (!Buffer.isBuffer(buf)) return null;
  const document = detectFileType(buf);
  if (document) return document;
  if (ascii(buf, 0, 4) === 'OggS') return { ext: 'ogg', mime: MEDIA_MIME.ogg };
  if (ascii(buf, 0, 4) === 'RIFF' && ascii(buf, 8, 12) === 'WEBP') return { ext: 'webp', mime: MEDIA_MIME.webp };
  if (ascii(buf, 4, 8) === 'ftyp' && buf.length >= 12) {
    const brand = ascii(buf, 8, 12);
    if (FTYP_BRANDS[brand]) return { ...FTYP_BRANDS[brand] };
    if (MP4_BRANDS.has(brand)) return { ext: 'mp4', mime: MEDIA_MIME.mp4 };
    return null;
  }
  if (ascii(buf, 0, 3) === 'ID3' || isMpegAudioFrame(buf)) return { ext: 'mp3', mime: MEDIA_MIME.mp3 };
  if (isAdtsFrame(buf)) return { ext: 'aac', mime: MEDIA_MIME.aac };
  return null;
}

function ascii(buf: Buffer, start: number, end: number): string {
  return buf.length >= end ? buf.toString('latin1', start, end) : '';
}

/**
 * An MPEG audio frame header: 11 sync bits, then a version and layer that are not "reserved", and a bitrate and
 * sample rate that are not "bad"/"reserved". Layer 00 is ADTS's sync, not MP3's, so the two cannot be confused.
 */
function isMpegAudioFrame(buf: Buffer): boolean {
  if (buf.length < 4 || buf[0] !== 0xff || (buf[1] & 0xe0) !== 0xe0) return false;
  const version = (buf[1] >> 3) & 0x03;
  const layer = (buf[1] >> 1) & 0x03;
  const bitrate = buf[2] >> 4;
  const sampleRate = (buf[2] >> 2) & 0x03;
  return version !== 0x01 && layer !== 0x00 && bitrate !== 0x0f && sampleRate !== 0x03;
}

/** An ADTS header (AAC): 12 sync bits, layer always 00, and a sampling-frequency index below the reserved 13. */
function isAdtsFrame(buf: Buffer): boolean {
  if (buf.length < 7 || buf[0] !== 0xff || (buf[1] & 0xf6) !== 0xf0) return false;
  return ((buf[2] >> 2) & 0x0f) < 13;
}

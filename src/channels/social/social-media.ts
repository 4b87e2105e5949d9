import { sanitizeFilename, type DetectedFileType } from '@lib/attachments';
import { createHash } from 'node:crypto';
import type { JobsOptions } from 'bullmq';
import type { SocialAttachment, SocialPlatform } from './social-event';

/** One accepted social message whose files are to be fetched once the pipeline has stored it. */
export interface SocialMediaJobData {
  eventId: string;
  platform: SocialPlatform;
  attachments: SocialAttachment[];
}

/**
 * The job waits for the `inbound` pipeline by failing until the message is there, so the backoff starts short;
 * ten attempts reach about half an hour, longer than the pipeline is ever behind short of an outage.
 */
export const SOCIAL_MEDIA_JOB_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 2000 },
  // The inbound job is queued at the same moment and nearly always done within this.
  delay: 500,
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 14 * 24 * 3600 },
};

/** One job per accepted event: the id cannot clash with another event's, and adding it again is a no-op. */
export const socialMediaJobId = (eventId: string) => `media-${eventId}`;

/**
 * The stored file's id follows from the event and the file's place in it, so a retried job (or two workers on
 * one job after a stall) inserts the same row, which exists already, instead of a second copy.
 */
export function socialAttachmentId(eventId: string, index: number): string {
  const h = createHash('sha256').update(`social-media\n${eventId}\n${index}`).digest('hex');
  // Shaped as a UUID of version 8 (custom) so the uuid column takes it.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const SAME_EXTENSION: Record<string, string[]> = { jpg: ['jpg', 'jpeg'], tif: ['tif', 'tiff'], m4a: ['m4a', 'mp4'], mp4: ['mp4', 'm4v'] };

/**
 * The name the file is stored under: the one the citizen gave it (WhatsApp and Telegram documents), made safe and
 * ending in the extension of its real type; otherwise `<platform>-<kind>-<n>.<ext>` (photos and voice notes have
 * no name, Messenger gives none).
 */
export function socialMediaFilename(platform: SocialPlatform, attachment: SocialAttachment, index: number, type: DetectedFileType): string {
  if (attachment.filename) {
    const safe = sanitizeFilename(attachment.filename);
    const ext = /\.([^.]+)$/.exec(safe)?.[1]?.toLowerCase();
    if (ext && (SAME_EXTENSION[type.ext] ?? [type.ext]).includes(ext)) return safe;
    return sanitizeFilename(`${safe}.${type.ext}`);
  }
  const kind = /^[a-z_]{1,24}$/.test(attachment.type) ? attachment.type.replace(/_/g, '-') : 'file';
  return `${platform}-${kind}-${index + 1}.${type.ext}`;
}

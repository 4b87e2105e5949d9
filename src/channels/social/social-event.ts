import type { Language } from '../../tickets/entities/ticket.entity';

export const SOCIAL_PLATFORMS = ['messenger', 'instagram', 'whatsapp', 'telegram'] as const;
export type SocialPlatform = (typeof SOCIAL_PLATFORMS)[number];

/**
 * A file the customer sent, as the platform's reference (URL or media id). Never downloaded at the door: the
 * worker fetches it after the message is in (social-media.processor.ts).
 */
export interface SocialAttachment {
  type: string;
  url?: string;
  mediaId?: string;
  filename?: string;
  mimeType?: string;
}

/** One customer message from any social platform, before it becomes an InboundMessage. */
export interface SocialMessage {
  platform: SocialPlatform;
  /** The platform's id for this event (mid, wamid, update_id), unique on that platform. */
  id: string;
  /** Where the customer is: PSID, IGSID, WhatsApp phone number in E.164, Telegram chat id. */
  senderId: string;
  /** Our side: page id, Instagram account id, WhatsApp phone-number id, Telegram bot. */
  recipientId: string;
  sentAt?: string;
  text: string;
  attachments: SocialAttachment[];
  firstName?: string;
  lastName?: string;
  language?: Language;
  /** A phone number the customer shared of their own (Telegram contact), E.164. */
  phone?: string;
  /** The platform id of the message this one answers, if the customer quoted one. */
  replyTo?: string;
  /** Platform fields worth keeping on the message (never secrets). */
  meta: Record<string, unknown>;
}

/**
 * The platform telling us a reply we sent did not reach the customer (a WhatsApp status `failed`). It names our
 * message by the external id we attached when sending (WhatsApp's biz_opaque_callback_data comes back on statuses).
 */
export interface SocialDeliveryFailure {
  platform: SocialPlatform;
  /** The platform's id of this status event, unique with its status. */
  id: string;
  /** Our external id of the outbound message. */
  messageExternalId: string;
  recipient: string | null;
  code: string | null;
  reason: string;
}

/** What a webhook delivery held: messages to accept, events deliberately ignored, and parts we did not understand. */
export interface ParsedDelivery {
  messages: SocialMessage[];
  failures: SocialDeliveryFailure[];
  /** Deliberately skipped, by reason: echo of our own message, delivery/read status, edit, reaction... */
  ignored: Record<string, number>;
  /** Parts of unknown shape, by what was unknown; logged and counted, never fatal. */
  unrecognised: Record<string, number>;
}

export const emptyDelivery = (): ParsedDelivery => ({ messages: [], failures: [], ignored: {}, unrecognised: {} });

export function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

export function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const isId = (value: unknown): value is string | number =>
  (typeof value === 'string' && /^[A-Za-z0-9_.:=+-]{1,256}$/.test(value)) || (typeof value === 'number' && Number.isSafeInteger(value));

/** Platform timestamps are milliseconds (Messenger, Instagram) or seconds (WhatsApp, Telegram). */
export function isoTime(value: unknown, unit: 'ms' | 's'): string | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) return undefined;
  const date = new Date(unit === 'ms' ? n : n * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

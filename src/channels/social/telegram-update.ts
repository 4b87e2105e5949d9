import { LANGUAGES, type Language } from '../../tickets/entities/ticket.entity';
import { bump, emptyDelivery, isId, isoTime, isRecord, ParsedDelivery, SocialAttachment } from './social-event';

const FILE_KINDS = ['document', 'audio', 'video', 'voice', 'video_note', 'sticker', 'animation'] as const;

/**
 * Reads one Telegram Bot API Update. Private chats only: the bot serves people one to one, and a group's
 * messages are not one customer's. The update_id is the event's identity (retried deliveries repeat it).
 * message and callback_query (a button pressed) become customer messages; an edited_message is ignored, since the
 * operator already has the first wording and a silent change to it would rewrite the case.
 */
export function parseTelegramUpdate(update: unknown, botId: string): ParsedDelivery {
  const out = emptyDelivery();
  if (!isRecord(update) || !isId(update.update_id)) {
    bump(out.unrecognised, 'no_update_id');
    return out;
  }
  const id = String(update.update_id);
  if (isRecord(update.message)) {
    const m = update.message;
    if (!isRecord(m.chat) || !isId(m.chat.id) || !isRecord(m.from) || !isId(m.from.id)) {
      bump(out.unrecognised, 'message_shape');
      return out;
    }
    if (m.chat.type !== 'private') return (bump(out.ignored, 'group_chat'), out);
    if (m.from.is_bot) return (bump(out.ignored, 'from_bot'), out);
    const attachments: SocialAttachment[] = [];
    if (Array.isArray(m.photo) && m.photo.length > 0) {
      const largest = m.photo.filter(isRecord).sort((a, b) => (b.file_size ?? b.width ?? 0) - (a.file_size ?? a.width ?? 0))[0];
      if (largest && isId(largest.file_id)) attachments.push({ type: 'image', mediaId: String(largest.file_id) });
    }
    for (const kind of FILE_KINDS) {
      const f = m[kind];
      if (isRecord(f) && isId(f.file_id)) {
        attachments.push({
          type: kind,
          mediaId: String(f.file_id),
          ...(typeof f.file_name === 'string' ? { filename: f.file_name } : {}),
          ...(typeof f.mime_type === 'string' ? { mimeType: f.mime_type } : {}),
        });
      }
    }
    let text = typeof m.text === 'string' ? m.text : typeof m.caption === 'string' ? m.caption : '';
    let phone: string | undefined;
    if (isRecord(m.contact) && typeof m.contact.phone_number === 'string') {
      const digits = m.contact.phone_number.replace(/[^\d]/g, '');
      // Only a number the customer shared of their own identifies them; someone else's is just text.
      if (/^\d{8,15}$/.test(digits) && String(m.contact.user_id) === String(m.from.id)) phone = `+${digits}`;
      text = text || `+${digits}`;
    }
    if (isRecord(m.location) && typeof m.location.latitude === 'number') text = text || `(${m.location.latitude}, ${m.location.longitude})`;
    if (!text && attachments.length === 0) {
      bump(out.ignored, 'service_message'); // joins, pins, chat photo changes...
      return out;
    }
    out.messages.push({
      platform: 'telegram',
      id,
      senderId: String(m.chat.id),
      recipientId: botId,
      sentAt: isoTime(m.date, 's'),
      text,
      attachments,
      firstName: typeof m.from.first_name === 'string' ? m.from.first_name : undefined,
      lastName: typeof m.from.last_name === 'string' ? m.from.last_name : undefined,
      language: telegramLanguage(m.from.language_code),
      phone,
      meta: {
        telegramMessageId: m.message_id ?? null,
        ...(typeof m.from.username === 'string' ? { username: m.from.username } : {}),
        ...(attachments.length ? { attachments } : {}),
      },
    });
    return out;
  }
  if (isRecord(update.callback_query)) {
    const q = update.callback_query;
    const chat = isRecord(q.message) && isRecord(q.message.chat) ? q.message.chat : null;
    if (!isRecord(q.from) || !isId(q.from.id) || typeof q.data !== 'string') return (bump(out.unrecognised, 'callback_query_shape'), out);
    if (chat && chat.type !== 'private') return (bump(out.ignored, 'group_chat'), out);
    out.messages.push({
      platform: 'telegram',
      id,
      senderId: String(chat?.id ?? q.from.id),
      recipientId: botId,
      text: q.data,
      attachments: [],
      firstName: typeof q.from.first_name === 'string' ? q.from.first_name : undefined,
      lastName: typeof q.from.last_name === 'string' ? q.from.last_name : undefined,
      language: telegramLanguage(q.from.language_code),
      meta: { callbackQuery: q.id ?? null },
    });
    return out;
  }
  const kind = [
    'edited_message',
    'channel_post',
    'edited_channel_post',
    'my_chat_member',
    'chat_member',
    'message_reaction',
    'inline_query',
    'poll',
    'poll_answer',
    'chat_join_request',
  ].find((k) => k in update);
  if (kind) bump(out.ignored, kind);
  else bump(out.unrecognised, 'update_kind');
  return out;
}

function telegramLanguage(code: unknown): Language | undefined {
  const base = typeof code === 'string' ? code.slice(0, 2).toLowerCase() : '';
  return (LANGUAGES as readonly string[]).includes(base) ? (base as Language) : undefined;
}

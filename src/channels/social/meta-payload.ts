import { bump, emptyDelivery, isId, isoTime, isRecord, ParsedDelivery, SocialAttachment } from './social-event';

/**
 * Reads a Meta webhook delivery in the shapes Meta documents:
 * - Messenger (`object: 'page'`) and Instagram (`object: 'instagram'`): entry[].messaging[] with sender, recipient,
 *   timestamp (ms) and message {mid, text, attachments[{type, payload.url}], is_echo, reply_to} or postback;
 * - WhatsApp Cloud API (`object: 'whatsapp_business_account'`): entry[].changes[{field: 'messages', value}] with
 *   value.metadata.phone_number_id, value.contacts[{wa_id, profile.name}], value.messages[{from, id, timestamp (s),
 *   type, text.body | image/document/audio/video/sticker {id, caption} | location | interactive | button}] and
 *   value.statuses[] about messages we sent.
 * One delivery may batch many entries and many messages. Nothing here throws on a strange payload: what is not
 * understood is counted under `unrecognised` for the caller to log.
 */
export function parseMetaDelivery(body: unknown): ParsedDelivery {
  const out = emptyDelivery();
  if (!isRecord(body) || !Array.isArray(body.entry)) {
    bump(out.unrecognised, 'no_entries');
    return out;
  }
  const object = body.object;
  if (object !== 'page' && object !== 'instagram' && object !== 'whatsapp_business_account') {
    bump(out.unrecognised, `object_${typeof object === 'string' ? object.replace(/[^a-z_]/g, '').slice(0, 32) || 'empty' : 'missing'}`);
    return out;
  }
  for (const entry of body.entry) {
    if (!isRecord(entry)) {
      bump(out.unrecognised, 'entry_not_object');
      continue;
    }
    if (object === 'whatsapp_business_account') readWhatsAppEntry(entry, out);
    else readMessagingEntry(object === 'page' ? 'messenger' : 'instagram', entry, out);
  }
  return out;
}

function readMessagingEntry(platform: 'messenger' | 'instagram', entry: Record<string, any>, out: ParsedDelivery): void {
  if (!Array.isArray(entry.messaging)) {
    // Page feed changes (comments, mentions) come as entry.changes: not a conversation we answer here.
    bump(
      Array.isArray(entry.changes) ? out.ignored : out.unrecognised,
      Array.isArray(entry.changes) ? 'feed_change' : 'entry_without_messaging',
    );
    return;
  }
  for (const event of entry.messaging) {
    if (!isRecord(event) || !isRecord(event.sender) || !isId(event.sender.id) || !isRecord(event.recipient) || !isId(event.recipient.id)) {
      bump(out.unrecognised, 'messaging_event_shape');
      continue;
    }
    const senderId = String(event.sender.id);
    const recipientId = String(event.recipient.id);
    const sentAt = isoTime(event.timestamp, 'ms');
    if (isRecord(event.message)) {
      const m = event.message;
      if (m.is_echo) {
        bump(out.ignored, 'echo'); // our own reply, sent through the page
        continue;
      }
      if (m.is_deleted || m.is_unsupported) {
        bump(out.ignored, m.is_deleted ? 'deleted' : 'unsupported');
        continue;
      }
      if (!isId(m.mid)) {
        bump(out.unrecognised, 'message_without_mid');
        continue;
      }
      const attachments: SocialAttachment[] = Array.isArray(m.attachments)
        ? m.attachments.filter(isRecord).map((a) => ({
            type: typeof a.type === 'string' ? a.type : 'file',
            ...(isRecord(a.payload) && typeof a.payload.url === 'string' ? { url: a.payload.url } : {}),
          }))
        : [];
      const text = typeof m.text === 'string' ? m.text : '';
      if (!text && attachments.length === 0) {
        bump(out.unrecognised, 'message_without_content');
        continue;
      }
      out.messages.push({
        platform,
        id: String(m.mid),
        senderId,
        recipientId,
        sentAt,
        text,
        attachments,
        replyTo: isRecord(m.reply_to) && isId(m.reply_to.mid) ? String(m.reply_to.mid) : undefined,
        meta: {
          ...(isRecord(m.quick_reply) && typeof m.quick_reply.payload === 'string' ? { quickReply: m.quick_reply.payload } : {}),
          ...(attachments.length ? { attachments } : {}),
        },
      });
    } else if (isRecord(event.postback)) {
      // A button the customer pressed: its title is what they "said".
      const p = event.postback;
      const id = isId(p.mid) ? String(p.mid) : `postback-${senderId}-${event.timestamp}`;
      out.messages.push({
        platform,
        id,
        senderId,
        recipientId,
        sentAt,
        text: typeof p.title === 'string' ? p.title : String(p.payload ?? ''),
        attachments: [],
        meta: { postback: typeof p.payload === 'string' ? p.payload : null },
      });
    } else if (event.delivery || event.read) {
      bump(out.ignored, 'status');
    } else if (event.reaction || event.message_edit || event.referral || event.optin || event.account_linking || event.policy_enforcement) {
      bump(out.ignored, Object.keys(event).find((k) => !['sender', 'recipient', 'timestamp'].includes(k)) ?? 'other');
    } else {
      bump(out.unrecognised, 'messaging_event_kind');
    }
  }
}

const WHATSAPP_MEDIA = ['image', 'document', 'audio', 'video', 'sticker'] as const;

function readWhatsAppEntry(entry: Record<string, any>, out: ParsedDelivery): void {
  if (!Array.isArray(entry.changes)) {
    bump(out.unrecognised, 'entry_without_changes');
    return;
  }
  for (const change of entry.changes) {
    if (!isRecord(change) || !isRecord(change.value)) {
      bump(out.unrecognised, 'change_shape');
      continue;
    }
    if (change.field !== 'messages') {
      bump(out.ignored, 'account_change'); // templates, quality, account updates: not a customer writing
      continue;
    }
    const value = change.value;
    const phoneNumberId = isRecord(value.metadata) && isId(value.metadata.phone_number_id) ? String(value.metadata.phone_number_id) : null;
    const names = new Map<string, string>();
    for (const c of Array.isArray(value.contacts) ? value.contacts : []) {
      if (isRecord(c) && isId(c.wa_id) && isRecord(c.profile) && typeof c.profile.name === 'string')
        names.set(String(c.wa_id), c.profile.name);
    }
    for (const status of Array.isArray(value.statuses) ? value.statuses : []) {
      // sent / delivered / read change nothing for the operator; failed means the customer never got our reply.
      if (isRecord(status) && status.status === 'failed' && isId(status.id) && typeof status.biz_opaque_callback_data === 'string') {
        const error = Array.isArray(status.errors) && isRecord(status.errors[0]) ? status.errors[0] : {};
        const detail = isRecord(error.error_data) && typeof error.error_data.details === 'string' ? error.error_data.details : null;
        out.failures.push({
          platform: 'whatsapp',
          id: String(status.id),
          messageExternalId: status.biz_opaque_callback_data,
          recipient: isId(status.recipient_id) ? `+${status.recipient_id}` : null,
          code: error.code !== undefined ? String(error.code) : null,
          reason:
            [error.title ?? error.message, detail].filter((x) => typeof x === 'string').join(': ') ||
            'WhatsApp reported the message failed',
        });
      } else {
        bump(out.ignored, 'status');
      }
    }
    if (Array.isArray(value.errors) && !Array.isArray(value.messages)) bump(out.ignored, 'error_notice');
    for (const m of Array.isArray(value.messages) ? value.messages : []) {
      if (!isRecord(m) || !isId(m.id) || typeof m.from !== 'string' || !/^\d{6,15}$/.test(m.from) || !phoneNumberId) {
        bump(out.unrecognised, 'whatsapp_message_shape');
        continue;
      }
      const content = whatsAppContent(m);
      if (!content) {
        bump(
          m.type === 'reaction' || m.type === 'unsupported' || m.type === 'system' ? out.ignored : out.unrecognised,
          `whatsapp_${String(m.type).slice(0, 24)}`,
        );
        continue;
      }
      const [firstName, ...rest] = (names.get(m.from) ?? '').split(' ').filter(Boolean);
      out.messages.push({
        platform: 'whatsapp',
        id: String(m.id),
        senderId: `+${m.from}`, // wa_id is the number in international form without '+': E.164 once it has one
        recipientId: phoneNumberId,
        sentAt: isoTime(m.timestamp, 's'),
        text: content.text,
        attachments: content.attachments,
        firstName,
        lastName: rest.length ? rest.join(' ') : undefined,
        replyTo: isRecord(m.context) && isId(m.context.id) ? String(m.context.id) : undefined,
        meta: { whatsappType: m.type, ...(content.attachments.length ? { attachments: content.attachments } : {}), ...content.meta },
      });
    }
  }
}

function whatsAppContent(m: Record<string, any>): { text: string; attachments: SocialAttachment[]; meta: Record<string, unknown> } | null {
  const none = { attachments: [] as SocialAttachment[], meta: {} };
  switch (m.type) {
    case 'text':
      return isRecord(m.text) && typeof m.text.body === 'string' ? { text: m.text.body, ...none } : null;
    case 'button':
      return isRecord(m.button) && typeof m.button.text === 'string'
        ? { text: m.button.text, attachments: [], meta: { button: m.button.payload ?? null } }
        : null;
    case 'interactive': {
      const reply = isRecord(m.interactive) ? (m.interactive.button_reply ?? m.interactive.list_reply) : null;
      return isRecord(reply) && typeof reply.title === 'string'
        ? { text: reply.title, attachments: [], meta: { interactive: reply.id ?? null } }
        : null;
    }
    case 'location': {
      const l = m.location;
      if (!isRecord(l) || typeof l.latitude !== 'number' || typeof l.longitude !== 'number') return null;
      const label = [l.name, l.address].filter((x) => typeof x === 'string').join(', ');
      return {
        text: `${label ? `${label} ` : ''}(${l.latitude}, ${l.longitude})`,
        attachments: [],
        meta: { location: { latitude: l.latitude, longitude: l.longitude } },
      };
    }
    default: {
      if (!(WHATSAPP_MEDIA as readonly string[]).includes(m.type)) return null;
      const media = m[m.type];
      if (!isRecord(media) || !isId(media.id)) return null;
      // Media is fetched by id from the Graph API by the worker once the message is in, never at the webhook.
      const attachment: SocialAttachment = {
        type: m.type,
        mediaId: String(media.id),
        ...(typeof media.mime_type === 'string' ? { mimeType: media.mime_type } : {}),
        ...(typeof media.filename === 'string' ? { filename: media.filename } : {}),
      };
      return { text: typeof media.caption === 'string' ? media.caption : '', attachments: [attachment], meta: {} };
    }
  }
}

/**
 * A citizen's text message as each social platform delivers it to the webhook: WhatsApp Cloud API and Messenger
 * (both Meta's, one signed endpoint) and Telegram's Bot API update. The simulator and the soak send the same shapes.
 */

export interface SocialMessage {
  /** Unique per message: the platform's message id is made from it, and the service keeps each id once. */
  id: string;
  text: string;
  firstName: string;
  /** When the citizen sent it, ms since the epoch. */
  at: number;
}

/** A WhatsApp Cloud API `messages` change; `waId` is the sender's number without the plus. */
export function whatsappWebhook(m: SocialMessage, waId: string): object {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'WABA1',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '37167000000', phone_number_id: 'PNID1' },
              contacts: [{ profile: { name: m.firstName }, wa_id: waId }],
              messages: [
                { from: waId, id: `wamid.${m.id}`, timestamp: String(Math.floor(m.at / 1000)), type: 'text', text: { body: m.text } },
              ],
            },
          },
        ],
      },
    ],
  };
}

/** A Messenger page event; `psid` is the sender's page-scoped id. */
export function messengerWebhook(m: SocialMessage, psid: string): object {
  return {
    object: 'page',
    entry: [
      {
        id: 'PAGE1',
        time: m.at,
        messaging: [{ sender: { id: psid }, recipient: { id: 'PAGE1' }, timestamp: m.at, message: { mid: `m_${m.id}`, text: m.text } }],
      },
    ],
  };
}

/** A Telegram private-chat update; `updateId` must grow from update to update, as Telegram's do. */
export function telegramUpdate(m: SocialMessage, updateId: number, chatId: number, messageId: number): object {
  return {
    update_id: updateId,
    message: {
      message_id: messageId,
      from: { id: chatId, is_bot: false, first_name: m.firstName },
      chat: { id: chatId, type: 'private' },
      date: Math.floor(m.at / 1000),
      text: m.text,
    },
  };
}

export type SocialPlatform = 'whatsapp' | 'messenger' | 'telegram';

/** Which platform a citizen writes on: Meta's (WhatsApp and Messenger alike) 60 %, Telegram 40 %, among those configured. */
export function socialPlatform(random: () => number, configured: { meta: boolean; telegram: boolean }): SocialPlatform {
  const meta = configured.meta && (!configured.telegram || random() < 0.6);
  if (!meta) return 'telegram';
  return random() < 0.5 ? 'whatsapp' : 'messenger';
}

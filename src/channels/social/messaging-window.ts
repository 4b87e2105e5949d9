/**
 * How long after a customer's last message a business may still answer them with free text, by platform.
 * Meta allows 24 hours on Messenger, Instagram and WhatsApp (later, WhatsApp needs a pre-approved template, which an
 * operator's free text is not). A Page whose app holds Meta's Human Agent permission may answer Messenger and
 * Instagram for 7 days when the message carries the HUMAN_AGENT tag: META_HUMAN_AGENT_TAG turns both on. Telegram
 * has no window. The rule lives here, beside the platforms, and the tickets module asks it before storing a reply.
 */
export interface MessagingWindow {
  platform: string;
  hours: number;
}

const LABELS: Record<string, string> = { messenger: 'Messenger', instagram: 'Instagram', whatsapp: 'WhatsApp' };

export function messagingWindow(address: string, options: { humanAgentTag: boolean }): MessagingWindow | null {
  const platform = address.split(':')[0];
  if (!LABELS[platform]) return null;
  const hours = options.humanAgentTag && platform !== 'whatsapp' ? 7 * 24 : 24;
  return { platform: LABELS[platform], hours };
}

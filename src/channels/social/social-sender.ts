import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { ChannelSender, OutboundEnvelope, PermanentDeliveryError, SendResult } from '../../outbound/channel-sender';
import { parseSocialAddress } from './social-inbound.service';

const REQUEST_TIMEOUT_MS = 15_000;
/** Longest text each platform takes in one message; a longer reply goes as several, in order. */
const TEXT_LIMIT = { messenger: 2000, instagram: 1000, whatsapp: 4096, telegram: 4096 } as const;

/** Splits at paragraph, then line, then word boundaries, so no piece ends mid-word when it can be helped. */
export function splitText(text: string, limit: number): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    const cut = Math.max(window.lastIndexOf('\n\n'), window.lastIndexOf('\n'), window.lastIndexOf(' '));
    const at = cut > limit / 2 ? cut : limit;
    parts.push(rest.slice(0, at).trim());
    rest = rest.slice(at).trim();
  }
  if (rest) parts.push(rest);
  return parts;
}

type OutboundFile = OutboundEnvelope['attachments'][number];
const isImage = (file: OutboundFile) => file.contentType === 'image/jpeg' || file.contentType === 'image/png';
const asBlob = (file: OutboundFile) => new Blob([file.content], { type: file.contentType });

class PlatformError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/**
 * Sends operators' replies on social tickets: Messenger and Instagram through the Graph API Send API
 * (POST /{version}/me/messages), WhatsApp through the Cloud API (POST /{version}/{phone-number-id}/messages) and
 * Telegram through the Bot API (POST /bot<token>/sendMessage). Base URLs come from the configuration, so tests
 * (and a proxy) can stand in for the platforms. Refusals that retrying cannot fix (bad recipient, window closed,
 * bot blocked) are permanent; rate limits and server errors are retried by the outbound queue.
 */
@Injectable()
export class SocialSender implements ChannelSender {
  readonly channel = 'social';
  private readonly logger = new Logger(SocialSender.name);

  constructor(private readonly config: AppConfig) {}

  async send(envelope: OutboundEnvelope): Promise<SendResult> {
    const to = parseSocialAddress(envelope.to);
    if (!to) throw new PermanentDeliveryError(`"${envelope.to}" is not a social address`);
    // The Instagram API takes files only as links to them, and a citizen's reply must not be left on a public URL.
    if (envelope.attachments.length > 0 && to.platform === 'instagram')
      throw new PermanentDeliveryError('files cannot be sent on Instagram: send the text alone, or answer by e-mail');
    const ids: string[] = [];
    try {
      if (envelope.choices?.length) return { response: `${to.platform} ${await this.withChoices(envelope, to, envelope.choices)}` };
      for (const text of splitText(envelope.text, TEXT_LIMIT[to.platform])) {
        if (to.platform === 'telegram') ids.push(await this.telegram(to.id, text));
        else if (to.platform === 'whatsapp')
          ids.push(await this.whatsapp(envelope, to.id, { type: 'text', text: { preview_url: false, body: text } }));
        else ids.push(await this.messenger(to.id, { text }));
      }
      // Files follow the text, each as a message of its own, as every platform shows them.
      for (const file of envelope.attachments) {
        if (to.platform === 'telegram') ids.push(await this.telegramFile(to.id, file));
        else if (to.platform === 'whatsapp') ids.push(await this.whatsappFile(envelope, to.id, file));
        else ids.push(await this.messengerFile(to.id, file));
      }
    } catch (error) {
      if (error instanceof PlatformError && error.permanent) throw new PermanentDeliveryError(error.message);
      throw error;
    }
    return { response: `${to.platform} ${ids.join(',')}` };
  }

  private get graph(): string {
    return `${this.config.META_GRAPH_BASE_URL}/${this.config.META_GRAPH_API_VERSION}`;
  }

  private messengerEnvelope(recipientId: string) {
    return this.config.META_HUMAN_AGENT_TAG
      ? { recipient: { id: recipientId }, messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }
      : { recipient: { id: recipientId }, messaging_type: 'RESPONSE' };
  }

  private async messenger(recipientId: string, message: Record<string, unknown>): Promise<string> {
    const body = await this.post(
      `${this.graph}/me/messages`,
      { ...this.messengerEnvelope(recipientId), message },
      this.requireMeta(),
      'Graph API',
    );
    return String(body.message_id ?? '');
  }

  /** The Send API takes the file with the message (multipart `filedata`): nothing of it stays on Meta's side to reuse. */
  private async messengerFile(recipientId: string, file: OutboundFile): Promise<string> {
    const form = new FormData();
    for (const [key, value] of Object.entries(this.messengerEnvelope(recipientId)))
      form.append(key, typeof value === 'string' ? value : JSON.stringify(value));
    form.append('message', JSON.stringify({ attachment: { type: isImage(file) ? 'image' : 'file', payload: { is_reusable: false } } }));
    form.append('filedata', asBlob(file), file.filename);
    const body = await this.post(`${this.graph}/me/messages`, form, this.requireMeta(), 'Graph API');
    return String(body.message_id ?? '');
  }

  private whatsappSender(envelope: OutboundEnvelope): string {
    const from = parseSocialAddress(envelope.originAddress);
    if (from?.platform !== 'whatsapp') throw new PermanentDeliveryError('the ticket does not say which WhatsApp number it came in on');
    return encodeURIComponent(from.id);
  }

  private async whatsapp(envelope: OutboundEnvelope, phone: string, content: Record<string, unknown>): Promise<string> {
    const token = this.requireMeta();
    const body = await this.post(
      `${this.graph}/${this.whatsappSender(envelope)}/messages`,
      {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: phone.replace(/^\+/, ''),
        ...content,
        // Comes back on this message's status webhooks, so a later `failed` finds the reply it is about.
        ...(envelope.externalId ? { biz_opaque_callback_data: envelope.externalId } : {}),
      },
      token,
      'WhatsApp Cloud API',
    );
    return String(body.messages?.[0]?.id ?? '');
  }

  /** The Cloud API sends media by id: the file is uploaded to the business number first, then sent. */
  private async whatsappFile(envelope: OutboundEnvelope, phone: string, file: OutboundFile): Promise<string> {
    const token = this.requireMeta();
    const form = new FormData();
    form.append('messaging_product', 'whatsapp');
    form.append('type', file.contentType);
    form.append('file', asBlob(file), file.filename);
    const uploaded = await this.post(`${this.graph}/${this.whatsappSender(envelope)}/media`, form, token, 'WhatsApp Cloud API');
    const id = String(uploaded.id ?? '');
    if (!id) throw new PlatformError('WhatsApp Cloud API gave no media id for the upload', false);
    return this.whatsapp(
      envelope,
      phone,
      isImage(file) ? { type: 'image', image: { id } } : { type: 'document', document: { id, filename: file.filename } },
    );
  }

  /**
   * A short text with buttons under it (a survey's 1–5), each platform's own way: Telegram's inline keyboard (the
   * press comes back as a callback_query with the id), Messenger's and Instagram's quick replies (a message with
   * quick_reply.payload), and a WhatsApp list message (up to ten rows; reply buttons take only three), answered by
   * an interactive list_reply with the id.
   */
  private async withChoices(
    envelope: OutboundEnvelope,
    to: { platform: keyof typeof TEXT_LIMIT; id: string },
    choices: Array<{ id: string; title: string }>,
  ): Promise<string> {
    const text = envelope.text.slice(0, TEXT_LIMIT[to.platform]);
    if (to.platform === 'telegram') {
      const body = await this.post(
        `${this.telegramBot()}/sendMessage`,
        { chat_id: to.id, text, reply_markup: { inline_keyboard: [choices.map((c) => ({ text: c.title, callback_data: c.id }))] } },
        null,
        'Telegram Bot API',
      );
      return String(body.result?.message_id ?? '');
    }
    if (to.platform === 'whatsapp') {
      return this.whatsapp(envelope, to.id, {
        type: 'interactive',
        interactive: {
          type: 'list',
          body: { text: text.slice(0, 1024) },
          action: { button: '1–5', sections: [{ title: '1–5', rows: choices.slice(0, 10).map((c) => ({ id: c.id, title: c.title })) }] },
        },
      });
    }
    return this.messenger(to.id, {
      text,
      quick_replies: choices.slice(0, 13).map((c) => ({ content_type: 'text', title: c.title, payload: c.id })),
    });
  }

  private telegramBot(): string {
    if (!this.config.TELEGRAM_BOT_TOKEN) throw new PermanentDeliveryError('Telegram is not configured (TELEGRAM_BOT_TOKEN is unset)');
    return `${this.config.TELEGRAM_API_BASE_URL}/bot${this.config.TELEGRAM_BOT_TOKEN}`;
  }

  private async telegram(chatId: string, text: string): Promise<string> {
    const body = await this.post(`${this.telegramBot()}/sendMessage`, { chat_id: chatId, text }, null, 'Telegram Bot API');
    return String(body.result?.message_id ?? '');
  }

  /** As a document, whatever its type: a photo would be recompressed, and a scanned form must stay legible. */
  private async telegramFile(chatId: string, file: OutboundFile): Promise<string> {
    const form = new FormData();
    form.append('chat_id', chatId);
    form.append('document', asBlob(file), file.filename);
    const body = await this.post(`${this.telegramBot()}/sendDocument`, form, null, 'Telegram Bot API');
    return String(body.result?.message_id ?? '');
  }

  private requireMeta(): string {
    if (!this.config.META_ACCESS_TOKEN) throw new PermanentDeliveryError('Meta is not configured (META_ACCESS_TOKEN is unset)');
    return this.config.META_ACCESS_TOKEN;
  }

  /** JSON, or a multipart form (fetch sets its content type and boundary). */
  private async post(
    url: string,
    payload: FormData | Record<string, unknown>,
    bearer: string | null,
    platform: string,
  ): Promise<Record<string, any>> {
    const form = payload instanceof FormData;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { ...(form ? {} : { 'Content-Type': 'application/json' }), ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}) },
        body: form ? payload : JSON.stringify(payload),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      // Never echo the URL: the Telegram one holds the bot token.
      throw new PlatformError(
        `${platform} unreachable: ${(error as Error).name === 'TimeoutError' ? 'timed out' : (error as Error).message}`,
        false,
      );
    }
    const text = await res.text();
    let body: Record<string, any> = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = {};
    }
    if (res.ok && body.ok !== false) return body;
    const reason = body.error?.message ?? body.description ?? (text.slice(0, 200) || res.statusText);
    const code = body.error?.code ?? body.error_code;
    // 429 and 5xx pass; other 4xx are the platform refusing this message for good (window closed, user blocked us).
    const permanent = res.status >= 400 && res.status < 500 && res.status !== 429 && res.status !== 408;
    this.logger.warn({ platform, status: res.status, code, permanent }, 'social reply refused by the platform');
    throw new PlatformError(`${platform} ${res.status}${code ? ` (code ${code})` : ''}: ${reason}`, permanent);
  }
}

import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { OutboundService } from '../../outbound/outbound.service';
import { TicketMessagesService } from '../../tickets/ticket-messages.service';
import { ChatSession } from './chat-session';
import { ChatSessionsService } from './chat-sessions.service';
import { ChatAck, refusal } from './chat-staff.service';
import { transcriptEmail } from './chat-transcript-text';

/**
 * The transcript by e-mail the visitor asks for once the chat has ended: stored on the chat's ticket as an outbound
 * e-mail to the address given in this chat (the ticket's own contact) and sent by the outbound queue like any reply.
 * One per conversation: its Message-ID is derived from the session, so asking again answers with the first.
 */
@Injectable()
export class ChatTranscriptService {
  constructor(
    private readonly sessions: ChatSessionsService,
    private readonly messages: TicketMessagesService,
    private readonly outbound: OutboundService,
    private readonly config: AppConfig,
  ) {}

  async send(session: ChatSession): Promise<ChatAck<{ id: string; duplicate: boolean; deliveryStatus: string }>> {
    if (!session.email)
      return refusal(409, 'no-email', 'No e-mail address was given when this chat started, so there is nowhere to send the transcript.');
    if (session.mode !== 'closed') return refusal(409, 'chat-open', 'The transcript is sent once the chat has ended: end it first.');
    if (!session.reference) return refusal(409, 'nothing-said', 'Nothing was said in this chat, so there is no transcript to send.');
    const domain = /@([A-Za-z0-9.-]+)/.exec(this.config.MAIL_FROM ?? '')?.[1] ?? 'vpppd.invalid';
    const { subject, text } = transcriptEmail(session.language, session.reference, await this.sessions.history(session.id));
    const stored = await this.messages.storeAutomaticEmail(session.reference, {
      externalId: `transcript-${session.id}@${domain}`,
      subject,
      text,
      meta: { kind: 'chat-transcript', sessionId: session.id },
    });
    // The worker opens the ticket from the chat's first message: a moment after a very short chat ended.
    if (!stored) return refusal(409, 'not-saved', 'The conversation is still being saved; ask again in a moment.', { retryAfterMs: 1000 });
    if (!stored.id)
      return refusal(409, 'no-email', 'No e-mail address was given in this chat, so there is nowhere to send the transcript.');
    if (stored.deliveryStatus === 'queued') await this.outbound.enqueue([stored.id]);
    return { ok: true, id: stored.id, duplicate: stored.duplicate, deliveryStatus: stored.deliveryStatus! };
  }
}

import { Injectable } from '@nestjs/common';
import type { InboundAttachment, InboundMessage } from '../../inbound/inbound-message';
import { InboundService } from '../../inbound/inbound.service';
import { chatAddress, ChatSession } from './chat-session';
import { ChatSessionsService } from './chat-sessions.service';

export type ChatEvent = Pick<InboundMessage, 'text' | 'assistantReply' | 'handOver' | 'conversationEnded' | 'atLevelZero'> & {
  /** Unique within the session: the client message id, or a server-made id for events the server records. */
  key: string;
  attachments?: InboundAttachment[];
  meta?: Record<string, unknown>;
};

/**
 * Hands chat events to the shared inbound pipeline: ONE ticket per session. The session's first event opens it
 * (with its reference reserved at once, so the visitor can be told it), and every later one names the first as
 * its thread, so it lands on the same ticket whichever order the worker meets them in.
 */
@Injectable()
export class ChatPersistence {
  constructor(
    private readonly inbound: InboundService,
    private readonly sessions: ChatSessionsService,
  ) {}

  externalId(sessionId: string, key: string): string {
    return `${sessionId}:${key}`;
  }

  async persist(session: ChatSession, event: ChatEvent): Promise<{ reference: string | null; duplicate: boolean; session: ChatSession }> {
    const externalId = this.externalId(session.id, event.key);
    // Exactly one event of a session opens the ticket, even when two arrive at once on two instances.
    let opens = false;
    // Once a session has its first event (the common case) nothing needs to be claimed, nor read again.
    const current = session.firstExternalId
      ? session
      : ((await this.sessions.update(session.id, (s) => {
          if (s.firstExternalId) return null;
          opens = true;
          return { firstExternalId: externalId };
        })) ?? session);
    const message: InboundMessage = {
      channel: 'chat',
      externalId,
      sentAt: new Date().toISOString(),
      from: {
        firstName: current.name ?? undefined,
        address: chatAddress(current.id),
        // The session is the visitor's own; an e-mail they typed is only given, and joins them to nobody.
        identifiers: [
          { kind: 'chat_session', value: current.id, provenance: 'channel' },
          ...(current.email ? [{ kind: 'email' as const, value: current.email, provenance: 'citizen' as const }] : []),
        ],
      },
      threadHints:
        opens || !current.firstExternalId || current.firstExternalId === externalId
          ? undefined
          : { externalIds: [current.firstExternalId] },
      institutionCode: current.institution ?? undefined,
      topic: current.topic ?? undefined,
      kind: 'consultation',
      language: current.language,
      subject: undefined,
      text: event.text,
      attachments: event.attachments,
      atLevelZero: event.atLevelZero,
      assistantReply: event.assistantReply,
      handOver: event.handOver,
      conversationEnded: event.conversationEnded,
      // The consent the widget asked for is kept with the message that opened the ticket.
      meta: { sessionId: current.id, ...(opens && current.consentAt ? { consentAt: current.consentAt } : {}), ...(event.meta ?? {}) },
    };
    let result: Awaited<ReturnType<InboundService['accept']>>;
    try {
      result = await this.inbound.accept(message, { reserveReference: opens });
    } catch (error) {
      // Not stored: the session's next event must open the ticket instead of threading onto this one.
      if (opens)
        await this.sessions
          .update(current.id, (s) => (s.firstExternalId === externalId ? { firstExternalId: null } : null))
          .catch(() => undefined);
      throw error;
    }
    let after = current;
    if (opens && result.reference) {
      after = (await this.sessions.update(current.id, () => ({ reference: result.reference }))) ?? current;
    }
    return { reference: after.reference ?? result.reference, duplicate: result.duplicate, session: after };
  }
}

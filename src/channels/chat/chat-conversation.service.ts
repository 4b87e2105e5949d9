import { Injectable, Logger } from '@nestjs/common';
import { AssistantDecision, ChatLanguage, handOverSummary, HandOverReason, say } from '@lib/chat-assistant';
import { randomUUID } from 'node:crypto';
import type { InboundAttachment } from '../../inbound/inbound-message';
import { MetricsService } from '../../metrics/metrics.service';
import { ChatAssistantService } from './chat-assistant.service';
import { ChatEntry, ChatSession } from './chat-session';
import { ChatEvent, ChatPersistence } from './chat-persistence';
import { ChatRelay } from './chat-relay';
import { ChatSessionsService, MessageClaim } from './chat-sessions.service';
import { ChatAck, refusal } from './chat-staff.service';
import { surveyOf } from './chat-staff.service';

const now = () => new Date().toISOString();

type MessageInput = {
  clientMessageId: string;
  text: string;
  attachments: Array<InboundAttachment & { size: number }>;
  chosen?: { id: string; question: string; answer: string };
};

/**
 * How long a message may stay "being stored" before a resend takes it over: storing takes milliseconds, and a few
 * seconds while PostgreSQL restarts; a claim older than this was left by a process that died.
 */
export const STALE_CLAIM_MS = 15_000;
const CLAIM_POLL_MS = 250;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const rateLimited = (retryAfterMs: number) =>
  refusal(429, 'rate-limited', `Too many messages; wait ${Math.ceil(retryAfterMs / 1000)} s.`, { retryAfterMs });

/**
 * A visitor's conversation: the assistant while it holds the chat, the hand-over to people (or a message left out
 * of hours), the relay to staff, and the record on the ticket. Realtime never waits for the ticket: the visitor's
 * message reaches staff, and the assistant's answer reaches the visitor, before the event is even accepted; the
 * acknowledgement waits only until it is durably accepted by the inbound pipeline.
 */
@Injectable()
export class ChatConversationService {
  private readonly logger = new Logger(ChatConversationService.name);

  constructor(
    private readonly sessions: ChatSessionsService,
    private readonly relay: ChatRelay,
    private readonly persistence: ChatPersistence,
    private readonly assistant: ChatAssistantService,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * `leaveMessage`: the widget's out-of-hours form; when the centre is closed the session starts ready to take the
   * message (as after asking the assistant for a person), so its first message is handed over for the next working day.
   */
  async start(input: {
    language: ChatLanguage;
    name: string | null;
    email: string | null;
    institution: string | null;
    topic: string | null;
    consentAt: string | null;
    leaveMessage?: boolean;
  }) {
    const { leaveMessage, ...fields } = input;
    const opening = await this.assistant.opening(input.language);
    const takesMessage = !!leaveMessage && !opening.open;
    const { session, token } = await this.sessions.create({ ...fields, mode: takesMessage ? 'leave_message' : 'bot' });
    const greeting: ChatEntry = {
      id: randomUUID(),
      author: 'assistant',
      text: takesMessage
        ? say('leaveMessage', input.language, { opening: opening.nextText })
        : opening.open
          ? say('greeting', input.language)
          : say('closedGreeting', input.language, { opening: opening.nextText }),
      at: now(),
    };
    await this.sessions.append(session.id, greeting);
    return { session, token, history: [greeting], open: opening.open };
  }

  /**
   * A visitor's typed message (text, files). The session as it is now, the visitor's rate limit, the client
   * message id and the transcript are settled in one Redis round trip, and the message goes to staff right after it.
   */
  async receive(
    sessionId: string,
    input: MessageInput,
    limit: { burst: number; perMinute: number },
    exceptSocket: (event: string, payload: unknown) => void,
  ): Promise<ChatAck<{ id: string; duplicate: boolean; reference: string | null }>> {
    const entry = this.visitorEntry(input);
    const admitted = await this.sessions.admitMessage(sessionId, entry, limit.burst, limit.perMinute);
    switch (admitted.outcome) {
      case 'no-session':
        return refusal(409, 'no-session', 'Start or resume a session first.');
      case 'rate-limited':
        return rateLimited(admitted.retryAfterMs);
      case 'closed':
        return refusal(409, 'chat-closed', 'This chat has ended; start a new one.');
      case 'duplicate':
        return this.settleResend(sessionId, input.clientMessageId, admitted.claim, {
          stored: async (id) => ({
            ok: true,
            id,
            duplicate: true,
            // Waited for: the first copy may have opened the ticket meanwhile.
            reference:
              admitted.claim.pendingSince === null
                ? admitted.session.reference
                : ((await this.sessions.get(sessionId))?.reference ?? admitted.session.reference),
          }),
          takeOver: async (id) => {
            const session = await this.sessions.get(sessionId);
            if (!session) return refusal(409, 'no-session', 'Start or resume a session first.');
            return this.afterAdmitted(session, input, { ...entry, id }, exceptSocket);
          },
          asNew: () => this.receive(sessionId, input, limit, exceptSocket),
        });
    }
    return this.afterAdmitted(admitted.session, input, entry, exceptSocket);
  }

  /**
   * A resend of a message already claimed: answered "duplicate" once the first copy is stored. While it is being
   * stored the resend waits; if the first copy's process died before storing it (its claim went stale), exactly one
   * resend takes it over and stores it; if storing failed (the claim was released), the resend is taken as new.
   */
  private async settleResend<T>(
    sessionId: string,
    clientMessageId: string,
    first: MessageClaim,
    then: { stored: (messageId: string) => T | Promise<T>; takeOver: (messageId: string) => Promise<T>; asNew: () => Promise<T> },
  ): Promise<T> {
    let claim: MessageClaim | null = first;
    for (;;) {
      if (!claim) return then.asNew();
      if (claim.pendingSince === null) return then.stored(claim.messageId);
      if (Date.now() - claim.pendingSince >= STALE_CLAIM_MS) {
        if (await this.sessions.takeOverClaim(sessionId, clientMessageId, claim)) {
          this.logger.warn({ sessionId, clientMessageId }, 'a chat message left unstored by its first handler is stored from its resend');
          return then.takeOver(claim.messageId);
        }
      } else {
        await sleep(CLAIM_POLL_MS);
      }
      claim = await this.sessions.claimOf(sessionId, clientMessageId);
    }
  }

  /** A visitor's message (text, files), or the choice of a suggested article (`chosen`), from a session in hand. */
  async message(
    session: ChatSession,
    input: MessageInput,
    exceptSocket: (event: string, payload: unknown) => void,
  ): Promise<ChatAck<{ id: string; duplicate: boolean; reference: string | null }>> {
    if (session.mode === 'closed') return refusal(409, 'chat-closed', 'This chat has ended; start a new one.');
    const entry = this.visitorEntry(input);
    const earlier = await this.sessions.claimAndAppend(session.id, input.clientMessageId, entry);
    if (earlier)
      return this.settleResend(session.id, input.clientMessageId, earlier, {
        stored: (id) => ({ ok: true, id, duplicate: true, reference: session.reference }),
        takeOver: async (id) => {
          const current = await this.sessions.get(session.id);
          if (!current) return refusal(409, 'no-session', 'Start or resume a session first.');
          return this.afterAdmitted(current, input, { ...entry, id }, exceptSocket);
        },
        asNew: () => this.message(session, input, exceptSocket),
      });
    return this.afterAdmitted(session, input, entry, exceptSocket);
  }

  private visitorEntry(input: MessageInput): ChatEntry & { clientMessageId: string } {
    return {
      id: randomUUID(),
      author: 'visitor',
      text: input.chosen ? input.chosen.question : input.text,
      at: now(),
      clientMessageId: input.clientMessageId,
      attachments: input.attachments.length
        ? input.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size }))
        : undefined,
    };
  }

  /** The message is new and in the transcript: relayed at once, answered by the assistant if it holds the chat, stored. */
  private async afterAdmitted(
    session: ChatSession,
    input: MessageInput,
    entry: ChatEntry,
    exceptSocket: (event: string, payload: unknown) => void,
  ): Promise<ChatAck<{ id: string; duplicate: boolean; reference: string | null }>> {
    const id = entry.id;
    // At once, before anything is stored: to the visitor's other tabs and to staff in the chat.
    exceptSocket('message', entry);
    this.relay.toStaff(session, 'chat.message', { message: entry });

    const event: ChatEvent = {
      key: input.clientMessageId,
      text: entry.text,
      attachments: input.attachments.map(({ size: _size, ...a }) => a),
    };
    const replies: ChatEntry[] = [];
    let next = session;
    if (session.mode === 'bot') {
      const decision: AssistantDecision | { kind: 'chosen' } = input.chosen
        ? { kind: 'chosen' }
        : await this.assistant.think(session, input.text);
      this.metrics.chatAssistant.inc({ decision: decision.kind === 'hand-over' ? `hand-over-${decision.reason}` : decision.kind });
      if (decision.kind === 'hand-over') {
        const handed = await this.handOver(session, decision.reason, [...(await this.sessions.history(session.id))]);
        replies.push(handed.reply);
        Object.assign(event, handed.event);
        next = handed.session;
      } else {
        const answer =
          decision.kind === 'chosen'
            ? { text: `${input.chosen!.answer}\n\n${say('didThisHelp', session.language)}`, askFeedback: true, articleId: input.chosen!.id }
            : decision.kind === 'answer'
              ? { text: decision.text, askFeedback: true, articleId: decision.articleId }
              : { text: decision.text, askFeedback: false, articleId: null };
        const reply: ChatEntry = {
          id: randomUUID(),
          author: 'assistant',
          text: answer.text,
          at: now(),
          askFeedback: answer.askFeedback || undefined,
          choices:
            decision.kind === 'choices' ? decision.choices.map((c) => ({ articleId: c.articleId, question: c.question })) : undefined,
        };
        replies.push(reply);
        const sure = decision.kind === 'answer' || decision.kind === 'chosen';
        next =
          (await this.sessions.update(session.id, (s) => ({
            unsure: sure ? 0 : s.unsure + 1,
            helpful: false,
            awaitingFeedback: answer.askFeedback,
          }))) ?? session;
        event.atLevelZero = true;
        event.assistantReply = {
          text: reply.text,
          meta: { assistant: decision.kind, articleId: answer.articleId, choices: reply.choices?.map((c) => c.articleId) },
        };
      }
    } else if (session.mode === 'leave_message') {
      const opening = await this.assistant.opening(session.language);
      const reply: ChatEntry = {
        id: randomUUID(),
        author: 'assistant',
        text: say('messageTaken', session.language, { opening: opening.nextText }),
        at: now(),
      };
      replies.push(reply);
      event.handOver = {
        summary: `Message left out of hours: ${entry.text}`.slice(0, 1500),
        comment: 'out of hours: the visitor left a message for the next working day',
      };
      event.assistantReply = { text: reply.text, meta: { assistant: 'message-taken' } };
      next = (await this.sessions.update(session.id, () => ({ mode: 'waiting' }))) ?? session;
    }
    // In 'waiting' and 'operator' the message is only relayed and stored: a person answers.

    if (replies.length) {
      await this.sessions.append(session.id, ...replies);
      for (const r of replies) this.relay.toVisitor(session.id, 'message', r);
      for (const r of replies) this.relay.toStaff(next, 'chat.message', { message: r });
    }
    let stored: Awaited<ReturnType<ChatPersistence['persist']>>;
    try {
      stored = await this.persistence.persist(next, event);
    } catch (error) {
      // Not stored: the visitor's resend (same clientMessageId) must be taken as new, not as a duplicate.
      await this.sessions.releaseClientMessageId(session.id, input.clientMessageId).catch(() => undefined);
      throw error;
    }
    // Left pending (Redis not answering), a resend waits out STALE_CLAIM_MS and stores it again, which the
    // pipeline takes as the same message.
    await this.sessions.claimStored(session.id, input.clientMessageId, id).catch(() => undefined);
    if (next.mode !== session.mode || (stored.reference && stored.reference !== session.reference)) {
      this.relay.toVisitor(session.id, 'session', { mode: stored.session.mode, reference: stored.reference });
    }
    return { ok: true, id, duplicate: false, reference: stored.reference };
  }

  /**
   * To people: at once when the centre is open (the ticket goes to level 1 with a summary), or, out of hours, the
   * assistant asks the visitor to leave a message, which becomes the ticket for the next working day.
   */
  private async handOver(
    session: ChatSession,
    reason: HandOverReason,
    transcript: ChatEntry[],
  ): Promise<{ reply: ChatEntry; event: Partial<ChatEvent>; session: ChatSession }> {
    const opening = await this.assistant.opening(session.language);
    if (!opening.open) {
      const reply: ChatEntry = {
        id: randomUUID(),
        author: 'assistant',
        text: say('leaveMessage', session.language, { opening: opening.nextText }),
        at: now(),
      };
      const after =
        (await this.sessions.update(session.id, () => ({ mode: 'leave_message', awaitingFeedback: false, helpful: false }))) ?? session;
      return {
        reply,
        session: after,
        event: { atLevelZero: true, assistantReply: { text: reply.text, meta: { assistant: 'leave-message', reason } } },
      };
    }
    const reply: ChatEntry = { id: randomUUID(), author: 'assistant', text: say('handingOver', session.language), at: now() };
    const after = (await this.sessions.update(session.id, () => ({ mode: 'waiting', awaitingFeedback: false, helpful: false }))) ?? session;
    const summary = handOverSummary(reason, transcript);
    const comment = {
      asked: 'the visitor asked for a person',
      unsure: 'the assistant was unsure twice',
      topic: 'the topic is handled by people only',
    }[reason];
    return {
      reply,
      session: after,
      event: { handOver: { summary, comment }, assistantReply: { text: reply.text, meta: { assistant: 'hand-over', reason } } },
    };
  }

  /** "Did this help?" answered. Yes: a later close records the chat as resolved at level 0. No: counts as unsure. */
  async feedback(
    session: ChatSession,
    input: { clientMessageId: string; helpful: boolean },
  ): Promise<ChatAck<{ id: string; duplicate: boolean }>> {
    if (session.mode !== 'bot' || !session.awaitingFeedback)
      return refusal(409, 'no-question', 'The assistant has not asked whether an answer helped.');
    const claimed = randomUUID();
    const earlier = await this.sessions.claimClientMessageId(session.id, input.clientMessageId, claimed);
    if (earlier)
      return this.settleResend(session.id, input.clientMessageId, earlier, {
        stored: (id) => ({ ok: true, id, duplicate: true }),
        takeOver: async (id) => {
          const current = await this.sessions.get(session.id);
          if (!current) return refusal(409, 'no-session', 'Start or resume a session first.');
          return this.afterFeedbackClaimed(current, input, id);
        },
        asNew: () => this.feedback(session, input),
      });
    return this.afterFeedbackClaimed(session, input, claimed);
  }

  private async afterFeedbackClaimed(
    session: ChatSession,
    input: { clientMessageId: string; helpful: boolean },
    id: string,
  ): Promise<ChatAck<{ id: string; duplicate: boolean }>> {
    const entry: ChatEntry = {
      id,
      author: 'visitor',
      text: say(input.helpful ? 'feedbackYes' : 'feedbackNo', session.language),
      at: now(),
      clientMessageId: input.clientMessageId,
    };
    let next = (await this.sessions.update(session.id, (s) => ({
      helpful: input.helpful,
      awaitingFeedback: false,
      unsure: input.helpful ? 0 : s.unsure + 1,
    })))!;
    const event: ChatEvent = { key: input.clientMessageId, text: entry.text, atLevelZero: true, meta: { feedback: input.helpful } };
    let reply: ChatEntry;
    if (!input.helpful && next.unsure >= 2) {
      const handed = await this.handOver(next, 'unsure', [...(await this.sessions.history(session.id)), entry]);
      reply = handed.reply;
      Object.assign(event, handed.event);
      next = handed.session;
    } else {
      reply = {
        id: randomUUID(),
        author: 'assistant',
        text: say(input.helpful ? 'gladItHelped' : 'sorryNotHelped', session.language),
        at: now(),
      };
      event.assistantReply = { text: reply.text, meta: { assistant: 'feedback' } };
    }
    this.metrics.chatAssistant.inc({ decision: input.helpful ? 'helped' : 'not-helped' });
    await this.sessions.append(session.id, entry, reply);
    this.relay.toVisitor(session.id, 'message', entry);
    this.relay.toVisitor(session.id, 'message', reply);
    this.relay.toStaff(next, 'chat.message', { message: entry });
    // Not released when storing fails: the session already took the answer, so a resend takes the claim over once
    // it is stale and stores the answer then.
    const stored = await this.persistence.persist(next, event);
    await this.sessions.claimStored(session.id, input.clientMessageId, id).catch(() => undefined);
    if (next.mode !== session.mode) this.relay.toVisitor(session.id, 'session', { mode: next.mode, reference: stored.reference });
    return { ok: true, id, duplicate: false };
  }

  /** The visitor ends the chat. After a helpful answer from the assistant, its ticket is resolved at level 0. */
  async close(session: ChatSession): Promise<ChatAck<{ resolvedAtLevelZero: boolean; reference: string | null }>> {
    const after = await this.sessions.update(session.id, (s) => (s.mode === 'closed' ? null : { mode: 'closed' }));
    if (!after || session.mode === 'closed') return { ok: true, resolvedAtLevelZero: false, reference: session.reference };
    const resolvedAtLevelZero = session.mode === 'bot' && session.helpful;
    const entry: ChatEntry = { id: randomUUID(), author: 'system', text: say('visitorLeft', session.language), at: now() };
    await this.sessions.append(session.id, entry);
    this.relay.toVisitor(session.id, 'closed', { by: 'visitor', survey: surveyOf(after) });
    this.relay.toStaff(after, 'chat.closed', { by: 'visitor' });
    if (resolvedAtLevelZero) this.metrics.chatAssistant.inc({ decision: 'resolved-level-0' });
    // A session that never said anything has no ticket and needs none.
    if (after.firstExternalId) {
      await this.persistence.persist(after, {
        key: 'closed',
        text: entry.text,
        conversationEnded: { resolvedAtLevelZero },
        atLevelZero: session.mode === 'bot',
      });
    }
    return { ok: true, resolvedAtLevelZero, reference: after.reference };
  }
}

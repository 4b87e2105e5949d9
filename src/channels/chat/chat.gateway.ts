import { Logger } from '@nestjs/common';
import { ConnectedSocket, MessageBody, OnGatewayInit, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { ChatLanguage } from '@lib/chat-assistant';
import { validateAttachment } from '@lib/attachments';
import type { Namespace, Server, Socket } from 'socket.io';
import { clientAddress, compileTrustProxy, sourceKey, TrustFn } from '../../common/client-address';
import { AppConfig } from '../../config/app-config';
import type { InboundAttachment } from '../../inbound/inbound-message';
import { MetricsService } from '../../metrics/metrics.service';
import { ChatAssistantService } from './chat-assistant.service';
import { ChatConversationService, rateLimited } from './chat-conversation.service';
import { CHAT_NAMESPACE, ChatSession, visitorRoom } from './chat-session';
import { ChatRelay } from './chat-relay';
import { ChatSessionsService } from './chat-sessions.service';
import { ChatAck, refusal } from './chat-staff.service';
import { CsatService } from '../../csat/csat.service';
import { ChatQueueService } from './chat-queue.service';
import { ChatTranscriptService } from './chat-transcript.service';

const LANGUAGES: ChatLanguage[] = ['lv', 'ru', 'en'];
const MAX_TEXT = 4000;
const MAX_FILES = 3;
const CLIENT_MESSAGE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,}$/;

type Body = Record<string, unknown> | undefined;
const str = (v: unknown, max: number) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : null);

/**
 * The visitors' chat socket (namespace /chat, websocket transport). A visitor starts a session (or resumes one
 * with its token), then talks; everything answers through the acknowledgement callback, refusals included
 * (`{ ok: false, status, code, detail }`). Events are documented in docs/chat.md.
 */
@WebSocketGateway({ namespace: CHAT_NAMESPACE })
export class ChatGateway implements OnGatewayInit {
  private readonly logger = new Logger(ChatGateway.name);
  private readonly trustProxy: TrustFn;

  constructor(
    private readonly sessions: ChatSessionsService,
    private readonly conversation: ChatConversationService,
    private readonly assistant: ChatAssistantService,
    private readonly relay: ChatRelay,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly csat: CsatService,
    private readonly queues: ChatQueueService,
    private readonly transcripts: ChatTranscriptService,
  ) {
    this.trustProxy = compileTrustProxy(config.TRUST_PROXY);
  }

  afterInit(namespace: Namespace | Server): void {
    this.relay.useServer('server' in namespace ? namespace.server : namespace);
  }

  @SubscribeMessage('start')
  async start(@ConnectedSocket() socket: Socket, @MessageBody() body: Body) {
    return this.counted('start', async () => {
      const errors: Array<{ field: string; code: string; message: string }> = [];
      const language = (body?.language ?? 'lv') as ChatLanguage;
      if (!LANGUAGES.includes(language)) errors.push({ field: 'language', code: 'invalid', message: 'language must be lv, ru or en' });
      const email = str(body?.email, 254)?.toLowerCase() ?? null;
      if (email && !EMAIL.test(email)) errors.push({ field: 'email', code: 'invalid', message: 'not an e-mail address' });
      const institution = str(body?.institution, 16)?.toUpperCase() ?? null;
      if (institution && !/^[A-Z0-9_-]+$/.test(institution))
        errors.push({ field: 'institution', code: 'invalid', message: 'an institution code, e.g. VSAA' });
      if (body?.consent !== undefined && typeof body.consent !== 'boolean')
        errors.push({ field: 'consent', code: 'invalid', message: 'true when the visitor accepted the privacy notice' });
      if (body?.leaveMessage !== undefined && typeof body.leaveMessage !== 'boolean')
        errors.push({ field: 'leaveMessage', code: 'invalid', message: 'true or false' });
      if (errors.length) return refusal(422, 'validation', 'The session could not be started.', { errors });
      const limited = await this.limitAddress(socket);
      if (limited) return limited;
      const started = await this.conversation.start({
        language,
        name: str(body?.name, 100),
        email,
        institution,
        topic: str(body?.topic, 100),
        consentAt: body?.consent === true ? new Date().toISOString() : null,
        leaveMessage: body?.leaveMessage === true,
      });
      await this.attach(socket, started.session);
      return {
        ok: true as const,
        sessionId: started.session.id,
        resumeToken: started.token,
        mode: started.session.mode,
        open: started.open,
        emailGiven: !!started.session.email,
        history: started.history,
      };
    });
  }

  @SubscribeMessage('resume')
  async resume(@ConnectedSocket() socket: Socket, @MessageBody() body: Body) {
    return this.counted('resume', async () => {
      const limited = await this.limitAddress(socket);
      if (limited) return limited;
      const session = await this.sessions.resume(body?.sessionId, body?.resumeToken);
      // The same answer for an unknown session and a wrong token: neither tells a guesser anything.
      if (!session) return refusal(404, 'no-session', 'No chat session with this id and token (it may have expired).');
      await this.attach(socket, session);
      return {
        ok: true as const,
        sessionId: session.id,
        mode: session.mode,
        reference: session.reference,
        operator: session.operatorName,
        emailGiven: !!session.email,
        history: await this.sessions.history(session.id),
      };
    });
  }

  @SubscribeMessage('message')
  async message(@ConnectedSocket() socket: Socket, @MessageBody() body: Body) {
    return this.counted('message', async () => {
      const sessionId = socket.data?.sessionId;
      if (typeof sessionId !== 'string') return refusal(409, 'no-session', 'Start or resume a session first.');
      const clientMessageId = body?.clientMessageId;
      const errors: Array<{ field: string; code: string; message: string }> = [];
      if (typeof clientMessageId !== 'string' || !CLIENT_MESSAGE_ID.test(clientMessageId)) {
        errors.push({ field: 'clientMessageId', code: 'invalid', message: '1-64 characters of A-Z a-z 0-9 _ -, unique per message' });
      }
      const text = typeof body?.text === 'string' ? body.text.trim() : '';
      if (text.length > MAX_TEXT) errors.push({ field: 'text', code: 'tooLong', message: `at most ${MAX_TEXT} characters` });
      const files = this.files(body?.attachments, errors);
      if (!text && files.length === 0 && !errors.length)
        errors.push({ field: 'text', code: 'required', message: 'a message needs text or a file' });
      if (errors.length) {
        // Refused input still costs a token, and a session that is gone is said before what is wrong with the input.
        const [session] = await Promise.all([this.current(socket), this.limitVisitorById(sessionId)]);
        if (!session) return refusal(409, 'no-session', 'Start or resume a session first.');
        return refusal(422, 'validation', 'The message was not accepted.', { errors });
      }
      return this.conversation.receive(
        sessionId,
        { clientMessageId: clientMessageId as string, text, attachments: files },
        { burst: this.config.CHAT_RATE_BURST, perMinute: this.config.CHAT_RATE_PER_MINUTE },
        (event, payload) => socket.to(visitorRoom(sessionId)).emit(event, payload),
      );
    });
  }

  @SubscribeMessage('choose')
  async choose(@ConnectedSocket() socket: Socket, @MessageBody() body: Body) {
    return this.counted('choose', async () => {
      const session = await this.current(socket);
      if (!session) return refusal(409, 'no-session', 'Start or resume a session first.');
      if (typeof body?.clientMessageId !== 'string' || !CLIENT_MESSAGE_ID.test(body.clientMessageId)) {
        return refusal(422, 'validation', 'The choice was not accepted.', {
          errors: [{ field: 'clientMessageId', code: 'invalid', message: '1-64 characters of A-Z a-z 0-9 _ -' }],
        });
      }
      if (session.mode !== 'bot') return refusal(409, 'not-with-assistant', 'A person holds this chat now; write to them.');
      const article = await this.assistant.article(session, body.articleId);
      if (!article)
        return refusal(422, 'validation', 'The choice was not accepted.', {
          errors: [{ field: 'articleId', code: 'unknown', message: 'not one of the offered articles' }],
        });
      const limited = await this.limitVisitor(session);
      if (limited) return limited;
      return this.conversation.message(
        session,
        { clientMessageId: body.clientMessageId, text: article.question, attachments: [], chosen: article },
        (event, payload) => socket.to(visitorRoom(session.id)).emit(event, payload),
      );
    });
  }

  @SubscribeMessage('feedback')
  async feedback(@ConnectedSocket() socket: Socket, @MessageBody() body: Body) {
    return this.counted('feedback', async () => {
      const session = await this.current(socket);
      if (!session) return refusal(409, 'no-session', 'Start or resume a session first.');
      if (
        typeof body?.clientMessageId !== 'string' ||
        !CLIENT_MESSAGE_ID.test(body.clientMessageId) ||
        typeof body?.helpful !== 'boolean'
      ) {
        return refusal(422, 'validation', 'The answer was not accepted.', {
          errors: [{ field: 'helpful', code: 'invalid', message: 'clientMessageId and helpful (true or false) are required' }],
        });
      }
      const limited = await this.limitVisitor(session);
      if (limited) return limited;
      return this.conversation.feedback(session, { clientMessageId: body.clientMessageId, helpful: body.helpful });
    });
  }

  @SubscribeMessage('typing')
  async typing(@ConnectedSocket() socket: Socket, @MessageBody() body: Body) {
    const session = await this.current(socket);
    if (!session) return refusal(409, 'no-session', 'Start or resume a session first.');
    this.relay.toStaff(session, 'chat.typing', { typing: body?.typing !== false });
    return { ok: true };
  }

  /** The visitor's client saw (delivered) or showed (read) staff messages: staff see ticks. */
  @SubscribeMessage('receipt')
  async receipt(@ConnectedSocket() socket: Socket, @MessageBody() body: Body) {
    const session = await this.current(socket);
    if (!session) return refusal(409, 'no-session', 'Start or resume a session first.');
    const kind = body?.kind;
    const ids = Array.isArray(body?.ids) ? body.ids.filter((x): x is string => typeof x === 'string').slice(0, 100) : [];
    if ((kind !== 'delivered' && kind !== 'read') || ids.length === 0) {
      return refusal(422, 'validation', 'A receipt needs kind (delivered or read) and ids.', {
        errors: [{ field: 'kind', code: 'invalid', message: 'delivered or read, with ids' }],
      });
    }
    this.relay.toStaff(session, 'chat.receipt', { kind, ids });
    return { ok: true };
  }

  /**
   * Where the visitor's ticket stands in its queue while they wait for a person, and the honest expected wait
   * (see ChatQueueService); the widget asks every few seconds while the session is `waiting`.
   */
  @SubscribeMessage('queue')
  async queue(@ConnectedSocket() socket: Socket) {
    return this.counted('queue', async () => {
      const session = await this.current(socket);
      if (!session) return refusal(409, 'no-session', 'Start or resume a session first.');
      const place =
        session.mode === 'waiting' && session.reference
          ? await this.queues.place(session.reference)
          : { position: null, expectedWaitSeconds: null };
      return { ok: true as const, mode: session.mode, ...place };
    });
  }

  /** The survey after a conversation (offered in `closed`), with a person or the assistant alone: one score, 1-5, on the ticket. */
  @SubscribeMessage('rate')
  async rate(@ConnectedSocket() socket: Socket, @MessageBody() body: Body) {
    return this.counted('rate', async () => {
      const session = await this.current(socket);
      if (!session) return refusal(409, 'no-session', 'Start or resume a session first.');
      if (!session.reference) return refusal(409, 'not-rated', 'Only a conversation that was saved as a case is rated.');
      const score = body?.score;
      if (typeof score !== 'number' || !Number.isInteger(score) || score < 1 || score > 5) {
        return refusal(422, 'validation', 'The rating was not accepted.', {
          errors: [{ field: 'score', code: 'range', message: 'score must be a whole number from 1 to 5' }],
        });
      }
      const recorded = await this.csat.recordByReference(session.reference, score, 'chat');
      if (!recorded) return refusal(409, 'no-ticket', 'The conversation is still being saved; rate it again in a moment.');
      return { ok: true as const, score };
    });
  }

  /** The ended conversation by e-mail to the address the visitor gave in this chat; once (see ChatTranscriptService). */
  @SubscribeMessage('transcript')
  async transcript(@ConnectedSocket() socket: Socket) {
    return this.counted('transcript', async () => {
      const session = await this.current(socket);
      if (!session) return refusal(409, 'no-session', 'Start or resume a session first.');
      return (await this.limitVisitor(session)) ?? this.transcripts.send(session);
    });
  }

  @SubscribeMessage('close')
  async close(@ConnectedSocket() socket: Socket) {
    return this.counted('close', async () => {
      const session = await this.current(socket);
      if (!session) return refusal(409, 'no-session', 'Start or resume a session first.');
      return this.conversation.close(session);
    });
  }

  private async attach(socket: Socket, session: ChatSession): Promise<void> {
    const previous = socket.data?.sessionId as string | undefined;
    if (previous && previous !== session.id) await socket.leave(visitorRoom(previous));
    socket.data = { sessionId: session.id };
    await socket.join(visitorRoom(session.id));
  }

  /** The session as it is now (an operator on another instance may have changed it). */
  private async current(socket: Socket): Promise<ChatSession | null> {
    const id = socket.data?.sessionId;
    return id ? this.sessions.get(id) : null;
  }

  private files(
    raw: unknown,
    errors: Array<{ field: string; code: string; message: string }>,
  ): Array<InboundAttachment & { size: number }> {
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw))
      return (errors.push({ field: 'attachments', code: 'invalid', message: 'a list of { filename, content }' }), []);
    if (raw.length > MAX_FILES)
      return (errors.push({ field: 'attachments', code: 'tooMany', message: `at most ${MAX_FILES} files in one message` }), []);
    const out: Array<InboundAttachment & { size: number }> = [];
    raw.forEach((file: any, i) => {
      const content = Buffer.isBuffer(file?.content)
        ? file.content
        : typeof file?.content === 'string'
          ? Buffer.from(file.content, 'base64')
          : null;
      if (!content || typeof file?.filename !== 'string') {
        errors.push({ field: `attachments[${i}]`, code: 'invalid', message: 'a file needs filename and content (binary or base64)' });
        return;
      }
      if (content.length > this.config.CHAT_MAX_ATTACHMENT_BYTES) {
        errors.push({
          field: `attachments[${i}]`,
          code: 'too_large',
          message: `The file is larger than ${this.config.CHAT_MAX_ATTACHMENT_BYTES} bytes`,
        });
        return;
      }
      const checked = validateAttachment({ filename: file.filename, content });
      if (!checked.ok) errors.push({ field: `attachments[${i}]`, code: checked.code, message: checked.message });
      else out.push({ filename: checked.filename, contentType: checked.contentType, content, size: checked.size });
    });
    return out;
  }

  private async limitVisitor(session: ChatSession): Promise<ChatAck | null> {
    return this.limitVisitorById(session.id);
  }

  private async limitVisitorById(sessionId: unknown): Promise<ChatAck | null> {
    if (typeof sessionId !== 'string') return null;
    const { allowed, retryAfterMs } = await this.sessions.takeVisitor(
      sessionId,
      this.config.CHAT_RATE_BURST,
      this.config.CHAT_RATE_PER_MINUTE,
    );
    return allowed ? null : rateLimited(retryAfterMs);
  }

  private async limitAddress(socket: Socket): Promise<ChatAck | null> {
    const perHour = this.config.CHAT_SESSIONS_PER_HOUR;
    // Behind a load balancer the connection's address is the balancer's: one visitor would use up the whole centre's budget.
    const source = sourceKey(clientAddress(socket.request, this.trustProxy));
    const { allowed, retryAfterMs } = await this.sessions.take(`ip:${source}`, perHour, perHour / 60);
    return allowed
      ? null
      : refusal(429, 'rate-limited', `Too many chat sessions from this address; wait ${Math.ceil(retryAfterMs / 1000)} s.`, {
          retryAfterMs,
        });
  }

  /** Every answer counted by outcome; a failure of ours answers 503 and is logged, never thrown at the client. */
  private async counted<T extends object>(event: string, work: () => Promise<ChatAck<T>>): Promise<ChatAck<T>> {
    try {
      const ack = await work();
      const outcome = !ack.ok ? 'refused' : (ack as { duplicate?: boolean }).duplicate ? 'duplicate' : 'ok';
      this.metrics.chatEvents.inc({ event, outcome, reason: ack.ok ? '' : ack.code });
      return ack;
    } catch (error) {
      this.logger.error({ err: error, event }, 'chat event failed');
      this.metrics.chatEvents.inc({ event, outcome: 'failed', reason: 'internal' });
      return refusal(503, 'unavailable', 'The chat could not take this now; send it again (the same clientMessageId is safe).');
    }
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { say } from '@lib/chat-assistant';
import { DataSource } from 'typeorm';
import { ChannelSender, OutboundEnvelope, PermanentDeliveryError, SendResult } from '../../outbound/channel-sender';
import { ChatEntry, ChatSession, sessionIdOfAddress } from './chat-session';
import { ChatRelay } from './chat-relay';
import { ChatSessionsService } from './chat-sessions.service';

/**
 * Delivers a staff reply on a chat ticket (POST /v1/tickets/:reference/replies) to the visitor's session: into
 * its transcript (so a reconnecting visitor sees it) and to their open sockets. The first reply from a person
 * also takes the chat from the assistant.
 */
@Injectable()
export class ChatSender implements ChannelSender {
  readonly channel = 'chat';

  constructor(
    private readonly sessions: ChatSessionsService,
    private readonly relay: ChatRelay,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async send(envelope: OutboundEnvelope): Promise<SendResult> {
    const sessionId = sessionIdOfAddress(envelope.to);
    // The session and the author are read at once, and the session is written only when the reply changes who
    // holds the chat: a reply in an ongoing conversation waits for one round trip to Redis and one to PostgreSQL.
    const [session, author] = await Promise.all([
      sessionId ? this.sessions.get(sessionId) : null,
      this.dataSource
        .query(`SELECT a.id, a.display_name FROM messages ms JOIN agents a ON a.id = ms.author_agent_id WHERE ms.id = $1`, [
          envelope.messageId,
        ])
        .then((rows: Array<{ id: string; display_name: string }>) => rows[0]),
    ]);
    if (!session) {
      throw new PermanentDeliveryError(
        'the chat session has ended and expired, so the visitor cannot see this reply; answer by e-mail (via: email) if they left an address',
      );
    }
    const name = author?.display_name ?? 'Operator';
    const entries: ChatEntry[] = [];
    const before = session.mode;
    const change = (s: ChatSession): Partial<ChatSession> | null => {
      const operatorId = author?.id ?? s.operatorId;
      if (s.mode === 'closed') return null;
      if (s.mode === 'operator' && s.operatorId === operatorId && s.operatorName === name && !s.awaitingFeedback) return null;
      return { mode: 'operator', operatorId, operatorName: name, awaitingFeedback: false };
    };
    const after = change(session) ? await this.sessions.update(session.id, change) : session;
    if (after && before !== 'operator' && after.mode === 'operator') {
      entries.push({
        id: `${envelope.messageId}:joined`,
        author: 'system',
        text: say('operatorJoined', session.language, { name }),
        at: new Date().toISOString(),
      });
    }
    entries.push({
      id: envelope.messageId,
      author: 'agent',
      name,
      text: envelope.text,
      at: new Date().toISOString(),
      attachments: envelope.attachments.length
        ? envelope.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.content.length }))
        : undefined,
    });
    await this.sessions.append(session.id, ...entries);
    for (const entry of entries) this.relay.toVisitor(session.id, 'message', entry);
    // Staff in the chat (a colleague, a supervisor, the sender's other tabs) see the reply as the visitor does.
    for (const entry of entries) this.relay.toStaff(after ?? session, 'chat.message', { message: entry });
    if (after && before !== after.mode)
      this.relay.toVisitor(session.id, 'session', { mode: after.mode, reference: after.reference, operator: name });
    return { response: `relayed to chat session ${session.id}` };
  }
}

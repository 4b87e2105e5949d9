import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { say } from '@lib/chat-assistant';
import { DataSource } from 'typeorm';
import { ChannelSender, OutboundEnvelope, PermanentDeliveryError, SendResult } from '../../outbound/channel-sender';
import { ChatEntry, sessionIdOfAddress } from './chat-session';
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
    const session = sessionId ? await this.sessions.get(sessionId) : null;
    if (!session) {
      throw new PermanentDeliveryError(
        'the chat session has ended and expired, so the visitor cannot see this reply; answer on another channel if they left an address',
      );
    }
    const [author]: Array<{ id: string; display_name: string }> = await this.dataSource.query(
      `SELECT a.id, a.display_name FROM messages ms JOIN agents a ON a.id = ms.author_agent_id WHERE ms.id = $1`,
      [envelope.messageId],
    );
    const name = author?.display_name ?? 'Operator';
    const entries: ChatEntry[] = [];
    const before = session.mode;
    const after = await this.sessions.update(session.id, (s) =>
      s.mode === 'closed' ? null : { mode: 'operator', operatorId: author?.id ?? s.operatorId, operatorName: name, awaitingFeedback: false },
    );
    if (after && before !== 'operator' && after.mode === 'operator') {
      entries.push({ id: `${envelope.messageId}:joined`, author: 'system', text: say('operatorJoined', session.language, { name }), at: new Date().toISOString() });
    }
    entries.push({
      id: envelope.messageId,
      author: 'agent',
      name,
      text: envelope.text,
      at: new Date().toISOString(),
      attachments: envelope.attachments.length ? envelope.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.content.length })) : undefined,
    });
    await this.sessions.append(session.id, ...entries);
    for (const entry of entries) this.relay.toVisitor(session.id, 'message', entry);
    if (after && before !== after.mode) this.relay.toVisitor(session.id, 'session', { mode: after.mode, reference: after.reference, operator: name });
    return { response: `relayed to chat session ${session.id}` };
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { say } from '@lib/chat-assistant';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { MetricsService } from '../../metrics/metrics.service';
import { ChatEntry, ChatSession, sessionIdOfAddress } from './chat-session';
import { ChatPersistence } from './chat-persistence';
import { ChatRelay } from './chat-relay';
import { ChatSessionsService } from './chat-sessions.service';

export type ChatAck<T extends object = object> =
  ({ ok: true } & T) | { ok: false; status: number; code: string; detail: string; retryAfterMs?: number; errors?: unknown[] };

export const refusal = (status: number, code: string, detail: string, extra: { retryAfterMs?: number; errors?: unknown[] } = {}) => ({
  ok: false as const,
  status,
  code,
  detail,
  ...extra,
});

/**
 * What staff do with a chat from the agents' socket (/agents): join it (the assistant has already stepped back at
 * the hand-over; the visitor is told who joined), type, send receipts, end it. Whether they may see the ticket is
 * checked by the gateway with the same scope rule as REST before anything here runs.
 */
@Injectable()
export class ChatStaffService {
  constructor(
    private readonly sessions: ChatSessionsService,
    private readonly relay: ChatRelay,
    private readonly persistence: ChatPersistence,
    private readonly metrics: MetricsService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** The chat session of a ticket: where its visitor's messages came from. */
  async sessionOfTicket(ticketId: string): Promise<ChatSession | null> {
    const [row]: Array<{ address: string }> = await this.dataSource.query(
      `SELECT address FROM messages WHERE ticket_id = $1 AND channel = 'chat' AND direction = 'inbound' AND address LIKE 'chat:%'
       ORDER BY created_at DESC LIMIT 1`,
      [ticketId],
    );
    const id = row ? sessionIdOfAddress(row.address) : null;
    return id ? this.sessions.get(id) : null;
  }

  /**
   * An operator joins a chat's conversation. One the assistant still holds is joined only with `takeOver`: the
   * assistant stops at once, and the hand-over goes through the pipeline like the visitor's own request for a
   * person, except that the ticket is the operator's, not the queue's.
   */
  async join(
    ticket: { id: string; level: number },
    agent: { id: string; displayName: string },
    options: { takeOver?: boolean } = {},
  ): Promise<ChatAck<{ session: ChatSession; history: ChatEntry[] }>> {
    const session = await this.sessionOfTicket(ticket.id);
    if (!session) return refusal(404, 'no-chat-session', 'This ticket has no chat session that is still open (it may have expired).');
    if (session.mode === 'closed') return refusal(409, 'chat-closed', 'The visitor has ended this chat; answer by reply if needed.');
    const withAssistant = ticket.level === 0 && session.mode === 'bot';
    if (withAssistant && !options.takeOver) {
      return refusal(
        409,
        'with-assistant',
        'The assistant holds this chat; it comes to people when the visitor asks for one, or join with takeOver: true to take it now.',
      );
    }
    const previous = session.operatorId;
    const after = (await this.sessions.update(session.id, (s) => ({
      mode: s.mode === 'closed' ? s.mode : 'operator',
      operatorId: agent.id,
      operatorName: agent.displayName,
    })))!;
    if (withAssistant && after.firstExternalId) {
      await this.persistence.persist(after, {
        key: `taken-over-${agent.id}`,
        text: `${agent.displayName} took the conversation over from the assistant.`,
        handOver: {
          summary: `Taken over from the assistant by ${agent.displayName}`,
          comment: 'taken over by an operator',
          takenBy: agent.id,
        },
        meta: { event: 'taken-over', agentId: agent.id },
      });
    }
    if (previous !== agent.id) {
      const entry: ChatEntry = {
        id: randomUUID(),
        author: 'system',
        text: say('operatorJoined', session.language, { name: agent.displayName }),
        at: new Date().toISOString(),
      };
      await this.sessions.append(session.id, entry);
      this.relay.toVisitor(session.id, 'message', entry);
      this.relay.toVisitor(session.id, 'session', { mode: after.mode, reference: after.reference, operator: agent.displayName });
      this.relay.toStaff(after, 'chat.session', { mode: after.mode, operatorId: agent.id, operatorName: agent.displayName });
    }
    this.metrics.chatEvents.inc({ event: 'chat.join', outcome: 'ok', reason: '' });
    const history = await this.sessions.history(session.id);
    // Joining shows the whole transcript so far: one audit row for it.
    await this.audit.record([
      {
        actorAgentId: agent.id,
        action: 'chat_transcript.read',
        subjectType: 'ticket',
        subjectId: ticket.id,
        detail: { reference: after.reference, entries: history.length },
      },
    ]);
    return { ok: true, session: after, history };
  }

  typing(session: ChatSession, agent: { displayName: string }, typing: boolean): void {
    this.relay.toVisitor(session.id, 'typing', { typing, name: agent.displayName });
  }

  receipt(session: ChatSession, kind: 'delivered' | 'read', ids: string[]): void {
    this.relay.toVisitor(session.id, 'receipt', { kind, ids });
  }

  /** The operator ends the chat: the visitor is told; the ticket stays with its holder to resolve. */
  async close(session: ChatSession, agent: { id: string }): Promise<ChatAck> {
    const after = await this.sessions.update(session.id, (s) => (s.mode === 'closed' ? null : { mode: 'closed' }));
    if (!after || session.mode === 'closed') return { ok: true };
    const entry: ChatEntry = {
      id: randomUUID(),
      author: 'system',
      text: say('operatorEnded', session.language),
      at: new Date().toISOString(),
    };
    await this.sessions.append(session.id, entry);
    this.relay.toVisitor(session.id, 'message', entry);
    this.relay.toVisitor(session.id, 'closed', { by: 'operator', survey: surveyOf(after) });
    this.relay.toStaff(after, 'chat.closed', { by: 'operator', agentId: agent.id });
    if (after.firstExternalId)
      await this.persistence.persist(after, { key: 'closed', text: entry.text, conversationEnded: { resolvedAtLevelZero: false } });
    return { ok: true };
  }
}

/**
 * Every conversation that became a ticket ends with the one-question survey (buttons 1-5, answered by `rate`): one a
 * person took part in, and one only the assistant held (how level 0 did is measured as everyone else is).
 */
export function surveyOf(session: ChatSession): { question: string; scores: number[] } | null {
  return session.reference ? { question: say('rateConversation', session.language), scores: [1, 2, 3, 4, 5] } : null;
}

import type { ChatLanguage } from '@lib/chat-assistant';

/**
 * Who holds the conversation: the assistant (`bot`), nobody yet after a hand-over (`waiting`), a person
 * (`operator`), the assistant taking a message out of hours (`leave_message`), or nobody any more (`closed`).
 */
export type ChatMode = 'bot' | 'waiting' | 'operator' | 'leave_message' | 'closed';

export interface ChatSession {
  id: string;
  tokenHash: string;
  language: ChatLanguage;
  name: string | null;
  email: string | null;
  institution: string | null;
  topic: string | null;
  mode: ChatMode;
  /** The ticket's reference, reserved when the first message was accepted; null before it. */
  reference: string | null;
  /** The external id of the first message: later ones thread onto its ticket. */
  firstExternalId: string | null;
  /** Unsure assistant turns in a row. */
  unsure: number;
  /** The last answer the assistant gave was confirmed helpful (and nothing unanswered came after it). */
  helpful: boolean;
  /** The assistant asked "did this help?" and awaits the answer. */
  awaitingFeedback: boolean;
  operatorId: string | null;
  operatorName: string | null;
  /** When the visitor accepted the privacy notice the widget shows before the first message; null: not asked. */
  consentAt?: string | null;
  createdAt: string;
}

export type ChatAuthor = 'visitor' | 'assistant' | 'agent' | 'system';

/** One line of the transcript, as the visitor's client shows it. */
export interface ChatEntry {
  id: string;
  author: ChatAuthor;
  text: string;
  at: string;
  clientMessageId?: string;
  /** The operator's display name on their messages. */
  name?: string;
  /** Suggested articles the visitor may pick (`chat.choose`). */
  choices?: Array<{ articleId: string; question: string }>;
  /** The assistant asks whether this answer helped (`chat.feedback`). */
  askFeedback?: boolean;
  attachments?: Array<{ filename: string; contentType: string; size: number }>;
}

/** Room of a visitor's sockets on /chat (every tab, every instance). */
export const visitorRoom = (sessionId: string) => `visitor:${sessionId}`;
/** Room, on /agents, of the staff who joined a chat. */
export const chatAgentsRoom = (sessionId: string) => `chat:${sessionId}`;
export const CHAT_NAMESPACE = '/chat';
/** Where a reply reaches the visitor: the address kept on their messages. */
export const chatAddress = (sessionId: string) => `chat:${sessionId}`;
export const sessionIdOfAddress = (address: string) => /^chat:([0-9a-f-]{36})$/.exec(address)?.[1] ?? null;

/**
 * A session's Redis keys: the session itself and, with a part, its transcript (`:log`), claimed client message ids
 * (`:cm`) and rate bucket (`:rate`). The id in braces puts them all in one Redis Cluster slot.
 */
export const chatSessionKey = (prefix: string, id: string, part = '') => `${prefix}:chat:s:{${id}}${part}`;
export const CHAT_SESSION_KEY_PARTS = ['', ':log', ':cm', ':rate'] as const;

import type { RedisClient } from '../common/redis-connection';
import type { EntityManager } from 'typeorm';
import { chatSessionKey } from '../channels/chat/chat-session';

/** The calls behind the tickets' voice messages (a call's message carries its CallSid). */
export const CALLS_OF_TICKETS = `
  SELECT DISTINCT ON (c.call_sid) c.*, m.ticket_id
  FROM messages m JOIN calls c ON c.call_sid = m.meta->>'callSid' OR (m.channel = 'voice' AND c.call_sid = m.external_id)
  WHERE m.ticket_id = ANY($1::uuid[])
  ORDER BY c.call_sid`;

/** The chat sessions of the tickets: each chat ticket's contact names its session, and its messages the address. */
export async function chatSessionsOf(m: EntityManager, ticketIds: string[]): Promise<string[]> {
  const rows: Array<{ id: string }> = await m.query(
    `SELECT value AS id FROM ticket_contacts WHERE ticket_id = ANY($1::uuid[]) AND kind = 'chat_session'
     UNION SELECT substring(address FROM 6) FROM messages WHERE ticket_id = ANY($1::uuid[]) AND address LIKE 'chat:%'`,
    [ticketIds],
  );
  return rows.map((r) => r.id).filter((id) => /^[0-9a-f-]{36}$/.test(id));
}

/** A session's transcript as Redis holds it for reconnects (empty once the session expired). */
export async function chatTranscript(redis: RedisClient, prefix: string, sessionId: string): Promise<unknown[]> {
  const lines = await redis.lrange(chatSessionKey(prefix, sessionId, ':log'), 0, -1);
  return lines.map((line) => {
    try {
      return JSON.parse(line);
    } catch {
      return { text: line };
    }
  });
}

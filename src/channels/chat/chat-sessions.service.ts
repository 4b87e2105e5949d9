import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { TOKEN_BUCKET_FUNCTION_LUA, TOKEN_BUCKET_LUA } from '@lib/chat-assistant';
import { Redis } from 'ioredis';
import { createRedis, RedisClient } from '../../common/redis-connection';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { ChatEntry, ChatSession, chatSessionKey } from './chat-session';

/** The transcript a resumed session shows; older lines stay on the ticket. */
const HISTORY_LIMIT = 500;

/** KEYS: claims, transcript, session; ARGV: client message id, claim (see MessageClaim), entry JSON, ttl seconds, history limit. */
const CLAIM_AND_APPEND_LUA = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return redis.call('HGET', KEYS[1], ARGV[1]) end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[5]), -1)
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('EXPIRE', KEYS[3], ARGV[4])
return false
`;

/**
 * Everything a visitor's message needs before it is relayed, in one round trip: the session as it is now, a token
 * from the visitor's bucket, the client message id claimed and the line appended to the transcript.
 * KEYS: session, rate bucket, claims, transcript; ARGV: capacity, refill per second, now (ms), client message id,
 * claim (see MessageClaim), entry JSON, ttl seconds, history limit.
 * Returns {0} no session; {1, session, ms to wait} rate-limited; {2, session} closed; {3, session, first copy's
 * claim} a resend; {4, session} new, now in the transcript.
 */
const ADMIT_MESSAGE_LUA = `${TOKEN_BUCKET_FUNCTION_LUA}
local raw = redis.call('GET', KEYS[1])
if not raw then return {0} end
local allowed, _, wait = take_token(KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), 1)
if allowed == 0 then return {1, raw, wait} end
if cjson.decode(raw).mode == 'closed' then return {2, raw} end
if redis.call('HSETNX', KEYS[3], ARGV[4], ARGV[5]) == 0 then return {3, raw, redis.call('HGET', KEYS[3], ARGV[4])} end
redis.call('EXPIRE', KEYS[3], ARGV[7])
redis.call('RPUSH', KEYS[4], ARGV[6])
redis.call('LTRIM', KEYS[4], -tonumber(ARGV[8]), -1)
redis.call('EXPIRE', KEYS[4], ARGV[7])
redis.call('EXPIRE', KEYS[1], ARGV[7])
return {4, raw}
`;

export type Admission =
  | { outcome: 'no-session' }
  | { outcome: 'rate-limited'; session: ChatSession; retryAfterMs: number }
  | { outcome: 'closed'; session: ChatSession }
  | { outcome: 'duplicate'; session: ChatSession; claim: MessageClaim }
  | { outcome: 'new'; session: ChatSession };

/**
 * A client message id taken by a session: the id its message was given and, until the message is stored (accepted
 * by the inbound pipeline), since when it is being stored. A resend is answered "duplicate" only once the first copy
 * is stored: a process that dies between claiming and storing leaves a pending claim, which a resend takes over.
 */
export interface MessageClaim {
  messageId: string;
  /** Date.now() when its storing began; null once stored. */
  pendingSince: number | null;
  /** As kept in Redis, for a compare-and-set. */
  raw: string;
}

/** Claims written before claims had a state are plain message ids: their messages were stored. */
export function parseClaim(raw: string): MessageClaim {
  const pending = /^pending:(.+):(\d+)$/.exec(raw);
  return pending ? { messageId: pending[1], pendingSince: Number(pending[2]), raw } : { messageId: raw, pendingSince: null, raw };
}

const pendingClaim = (messageId: string, since = Date.now()) => `pending:${messageId}:${since}`;

/** Replaces a claim's value only while it is still the one read (a hash field's compare-and-set). */
const REPLACE_CLAIM_LUA = `if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) return 1 end return 0`;
/** Marks a claim stored, unless it is gone (released, or the session expired): HSET alone would make a hash with no expiry. */
const CLAIM_STORED_LUA = `if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1 end return 0`;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Chat sessions live in Redis, shared by every API instance and the workers (which deliver operators' replies):
 * the session (a hash), its transcript (a list) and the client message ids already taken (a hash). All expire
 * after CHAT_SESSION_TTL_HOURS of quiet. The durable record is the ticket: every message is on it.
 * The resume token is given once and kept only as a SHA-256 hash (it is 256 random bits, so no slow hash is needed).
 */
@Injectable()
export class ChatSessionsService implements OnModuleDestroy {
  private readonly logger = new Logger(ChatSessionsService.name);
  readonly redis: RedisClient;
  private readonly ttlSeconds: number;

  constructor(private readonly config: AppConfig) {
    this.redis = createRedis(config, { maxRetriesPerRequest: 2 });
    this.redis.on('error', (error) => this.logger.debug({ err: error }, 'chat sessions: Redis error (reconnecting)'));
    this.redis.defineCommand('takeToken', { numberOfKeys: 1, lua: TOKEN_BUCKET_LUA });
    this.redis.defineCommand('claimAndAppend', { numberOfKeys: 3, lua: CLAIM_AND_APPEND_LUA });
    this.redis.defineCommand('admitMessage', { numberOfKeys: 4, lua: ADMIT_MESSAGE_LUA });
    this.redis.defineCommand('replaceClaim', { numberOfKeys: 1, lua: REPLACE_CLAIM_LUA });
    this.redis.defineCommand('claimStored', { numberOfKeys: 1, lua: CLAIM_STORED_LUA });
    this.redis.defineCommand('compareAndSet', {
      numberOfKeys: 1,
      lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) return 1 end return 0`,
    });
    this.ttlSeconds = config.CHAT_SESSION_TTL_HOURS * 3600;
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  // The session id in braces: a session's keys share one Redis Cluster slot, so one script may touch them all.
  private key(id: string, part = ''): string {
    return chatSessionKey(this.config.REDIS_PREFIX, id, part);
  }

  async create(
    input: Pick<ChatSession, 'language' | 'name' | 'email' | 'institution' | 'topic' | 'mode' | 'consentAt'>,
  ): Promise<{ session: ChatSession; token: string }> {
    const token = randomBytes(32).toString('base64url');
    const session: ChatSession = {
      ...input,
      id: randomUUID(),
      tokenHash: hashToken(token),
      reference: null,
      firstExternalId: null,
      unsure: 0,
      helpful: false,
      awaitingFeedback: false,
      operatorId: null,
      operatorName: null,
      createdAt: new Date().toISOString(),
    };
    await this.redis.multi().set(this.key(session.id), JSON.stringify(session), 'EX', this.ttlSeconds).exec();
    return { session, token };
  }

  async get(id: unknown): Promise<ChatSession | null> {
    if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) return null;
    const raw = await this.redis.get(this.key(id));
    return raw ? (JSON.parse(raw) as ChatSession) : null;
  }

  /** The session, if the token is its own (compared in constant time). */
  async resume(id: unknown, token: unknown): Promise<ChatSession | null> {
    const session = await this.get(id);
    if (!session || typeof token !== 'string' || token.length > 200) return null;
    const given = Buffer.from(hashToken(token), 'hex');
    const kept = Buffer.from(session.tokenHash, 'hex');
    return given.length === kept.length && timingSafeEqual(given, kept) ? session : null;
  }

  /**
   * Changes the session by compare-and-set (a Lua script swaps the value only if nobody changed it since it was
   * read): two instances changing one session at once, the visitor's socket and an operator joining, never lose
   * each other's change.
   */
  async update(id: string, change: (s: ChatSession) => Partial<ChatSession> | null): Promise<ChatSession | null> {
    const key = this.key(id);
    for (let attempt = 0; attempt < 20; attempt++) {
      const raw = await this.redis.get(key);
      if (!raw) return null;
      const current = JSON.parse(raw) as ChatSession;
      const patch = change(current);
      if (!patch) return current;
      const next = { ...current, ...patch };
      const swapped = await (this.redis as Redis & { compareAndSet: (...args: unknown[]) => Promise<number> }).compareAndSet(
        key,
        raw,
        JSON.stringify(next),
        this.ttlSeconds,
      );
      if (swapped === 1) return next;
    }
    throw new Error(`chat session ${id} is changing too fast to update`);
  }

  async append(id: string, ...entries: ChatEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const log = this.key(id, ':log');
    await this.redis
      .multi()
      .rpush(log, ...entries.map((e) => JSON.stringify(e)))
      .ltrim(log, -HISTORY_LIMIT, -1)
      .expire(log, this.ttlSeconds)
      .expire(this.key(id), this.ttlSeconds)
      .exec();
  }

  async history(id: string): Promise<ChatEntry[]> {
    return (await this.redis.lrange(this.key(id, ':log'), 0, -1)).map((raw) => JSON.parse(raw) as ChatEntry);
  }

  /**
   * Claims a client message id for this session, pending until `claimStored`: null when it is new, else the first
   * copy's claim. A resent message (the client did not see its ack) is then not stored or relayed again.
   */
  async claimClientMessageId(id: string, clientMessageId: string, messageId: string): Promise<MessageClaim | null> {
    const key = this.key(id, ':cm');
    const [[, fresh]] = (await this.redis
      .multi()
      .hsetnx(key, clientMessageId, pendingClaim(messageId))
      .expire(key, this.ttlSeconds)
      .exec()) as Array<[unknown, number]>;
    return fresh === 1 ? null : this.claimOf(id, clientMessageId);
  }

  /**
   * claimClientMessageId and append in one round trip (a visitor's message is relayed only after both): null when
   * the message is new and now in the transcript, else the first copy's claim.
   */
  async claimAndAppend(id: string, clientMessageId: string, entry: ChatEntry): Promise<MessageClaim | null> {
    const earlier = await (this.redis as Redis & { claimAndAppend: (...args: unknown[]) => Promise<string | null> }).claimAndAppend(
      this.key(id, ':cm'),
      this.key(id, ':log'),
      this.key(id),
      clientMessageId,
      pendingClaim(entry.id),
      JSON.stringify(entry),
      this.ttlSeconds,
      HISTORY_LIMIT,
    );
    return earlier ? parseClaim(earlier) : null;
  }

  /** The claim on a client message id, or null when there is none (never taken, released, or the session expired). */
  async claimOf(id: string, clientMessageId: string): Promise<MessageClaim | null> {
    const raw = await this.redis.hget(this.key(id, ':cm'), clientMessageId);
    return raw === null ? null : parseClaim(raw);
  }

  /** Its message is stored: a resend is now answered "duplicate" at once. */
  async claimStored(id: string, clientMessageId: string, messageId: string): Promise<void> {
    await (this.redis as Redis & { claimStored: (...args: unknown[]) => Promise<number> }).claimStored(
      this.key(id, ':cm'),
      clientMessageId,
      messageId,
    );
  }

  /** Takes over a pending claim whose storing stalled (its process died): true for exactly one of several takers. */
  async takeOverClaim(id: string, clientMessageId: string, claim: MessageClaim): Promise<boolean> {
    const replaced = await (this.redis as Redis & { replaceClaim: (...args: unknown[]) => Promise<number> }).replaceClaim(
      this.key(id, ':cm'),
      clientMessageId,
      claim.raw,
      pendingClaim(claim.messageId),
    );
    return replaced === 1;
  }

  /**
   * A visitor's message, checked and recorded in one round trip (see ADMIT_MESSAGE_LUA): the relay to staff waits
   * for nothing else. The entry is appended only when the message is new and allowed.
   */
  async admitMessage(id: string, entry: ChatEntry & { clientMessageId: string }, capacity: number, perMinute: number): Promise<Admission> {
    if (!/^[0-9a-f-]{36}$/.test(id)) return { outcome: 'no-session' };
    const [code, raw, extra] = await (
      this.redis as Redis & { admitMessage: (...args: unknown[]) => Promise<[number, string?, (number | string)?]> }
    ).admitMessage(
      this.key(id),
      this.visitorBucket(id),
      this.key(id, ':cm'),
      this.key(id, ':log'),
      capacity,
      perMinute / 60,
      Date.now(),
      entry.clientMessageId,
      pendingClaim(entry.id),
      JSON.stringify(entry),
      this.ttlSeconds,
      HISTORY_LIMIT,
    );
    if (code === 0 || !raw) return { outcome: 'no-session' };
    const session = JSON.parse(raw) as ChatSession;
    if (code === 1) return { outcome: 'rate-limited', session, retryAfterMs: Number(extra) };
    if (code === 2) return { outcome: 'closed', session };
    if (code === 3) return { outcome: 'duplicate', session, claim: parseClaim(String(extra)) };
    return { outcome: 'new', session };
  }

  /** Forgets a claimed client message id whose message could not be stored, so that resending it stores it. */
  async releaseClientMessageId(id: string, clientMessageId: string): Promise<void> {
    await this.redis.hdel(this.key(id, ':cm'), clientMessageId);
  }

  // Beside the session's other keys (one cluster slot), so that admitMessage may take a token in the same script.
  private visitorBucket(id: string): string {
    return this.key(id, ':rate');
  }

  /** One token from a visitor's bucket (the same one admitMessage takes from); `retryAfterMs` when there is none. */
  async takeVisitor(sessionId: string, capacity: number, perMinute: number): Promise<{ allowed: boolean; retryAfterMs: number }> {
    return this.takeFrom(this.visitorBucket(sessionId), capacity, perMinute);
  }

  /** One token from a bucket of other things (an address's); `retryAfterMs` when there is none. */
  async take(bucket: string, capacity: number, perMinute: number): Promise<{ allowed: boolean; retryAfterMs: number }> {
    return this.takeFrom(`${this.config.REDIS_PREFIX}:chat:rate:${bucket}`, capacity, perMinute);
  }

  private async takeFrom(key: string, capacity: number, perMinute: number): Promise<{ allowed: boolean; retryAfterMs: number }> {
    const [allowed, , wait] = await (this.redis as Redis & { takeToken: (...args: unknown[]) => Promise<number[]> }).takeToken(
      key,
      capacity,
      perMinute / 60,
      Date.now(),
      1,
    );
    return { allowed: allowed === 1, retryAfterMs: wait };
  }
}

import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { TOKEN_BUCKET_LUA } from '@lib/chat-assistant';
import { Redis } from 'ioredis';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { ChatEntry, ChatSession } from './chat-session';

/** The transcript a resumed session shows; older lines stay on the ticket. */
const HISTORY_LIMIT = 500;

/** KEYS: claims, transcript, session; ARGV: client message id, entry id, entry JSON, ttl seconds, history limit. */
const CLAIM_AND_APPEND_LUA = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return redis.call('HGET', KEYS[1], ARGV[1]) end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[5]), -1)
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('EXPIRE', KEYS[3], ARGV[4])
return false
`;

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
  readonly redis: Redis;
  private readonly ttlSeconds: number;

  constructor(private readonly config: AppConfig) {
    this.redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
    this.redis.on('error', (error) => this.logger.debug({ err: error }, 'chat sessions: Redis error (reconnecting)'));
    this.redis.defineCommand('takeToken', { numberOfKeys: 1, lua: TOKEN_BUCKET_LUA });
    this.redis.defineCommand('claimAndAppend', { numberOfKeys: 3, lua: CLAIM_AND_APPEND_LUA });
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
    return `${this.config.REDIS_PREFIX}:chat:s:{${id}}${part}`;
  }

  async create(input: Pick<ChatSession, 'language' | 'name' | 'email' | 'institution' | 'topic' | 'mode'>): Promise<{ session: ChatSession; token: string }> {
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
   * Claims a client message id for this session: null when it is new, else the id the first copy was given.
   * A resent message (the client did not see its ack) is then answered without being stored or relayed again.
   */
  async claimClientMessageId(id: string, clientMessageId: string, messageId: string): Promise<string | null> {
    const key = this.key(id, ':cm');
    const [[, fresh]] = (await this.redis.multi().hsetnx(key, clientMessageId, messageId).expire(key, this.ttlSeconds).exec()) as Array<[unknown, number]>;
    return fresh === 1 ? null : await this.redis.hget(key, clientMessageId);
  }

  /**
   * claimClientMessageId and append in one round trip (a visitor's message is relayed only after both): null when
   * the message is new and now in the transcript, else the id its first copy was given.
   */
  async claimAndAppend(id: string, clientMessageId: string, entry: ChatEntry): Promise<string | null> {
    const earlier = await (this.redis as Redis & { claimAndAppend: (...args: unknown[]) => Promise<string | null> }).claimAndAppend(
      this.key(id, ':cm'),
      this.key(id, ':log'),
      this.key(id),
      clientMessageId,
      entry.id,
      JSON.stringify(entry),
      this.ttlSeconds,
      HISTORY_LIMIT,
    );
    return earlier ?? null;
  }

  /** Forgets a claimed client message id whose message could not be stored, so that resending it stores it. */
  async releaseClientMessageId(id: string, clientMessageId: string): Promise<void> {
    await this.redis.hdel(this.key(id, ':cm'), clientMessageId);
  }

  /** One token from a visitor's (or an address's) bucket; `retryAfterMs` when there is none. */
  async take(bucket: string, capacity: number, perMinute: number): Promise<{ allowed: boolean; retryAfterMs: number }> {
    const [allowed, , wait] = (await (this.redis as Redis & { takeToken: (...args: unknown[]) => Promise<number[]> }).takeToken(
      `${this.config.REDIS_PREFIX}:chat:rate:${bucket}`,
      capacity,
      perMinute / 60,
      Date.now(),
      1,
    )) as number[];
    return { allowed: allowed === 1, retryAfterMs: wait };
  }
}

import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { createRedis, RedisClient } from '../common/redis-connection';
import { createHash } from 'node:crypto';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppConfig } from '../config/app-config';
import { CoalescedConsumer } from './coalesced-consumer';

/** The public endpoints limited per source; each has its own budget a minute. */
export type SourcePolicy = 'login' | 'webform' | 'webhooks' | 'csat' | 'cases';

const retryAfter = (msBeforeNext: number) => Math.max(1, Math.ceil(msBeforeNext / 1000));

/** Refused: wait this many seconds (what Retry-After says). */
export interface Refusal {
  retryAfterSeconds: number;
}

/**
 * Per-source limits kept in Redis, so that every API instance counts against the same budget. Counting is one
 * atomic increment, cheap enough to run before anything costly (parsing a large body, hashing a password), and
 * the requests of one source in one turn of the event loop share it (CoalescedConsumer).
 * When Redis cannot answer, requests pass and a warning is logged: the limits are a brake, not a lock, and
 * the account lock in PostgreSQL still holds for logins.
 */
@Injectable()
export class RateLimitService implements OnModuleDestroy {
  private readonly logger = new Logger(RateLimitService.name);
  private readonly redis: RedisClient;
  private readonly perSource: Record<SourcePolicy, CoalescedConsumer>;
  private readonly loginFailures: RateLimiterRedis;
  private readonly caseGuesses: RateLimiterRedis;

  constructor(config: AppConfig) {
    this.redis = createRedis(config, { maxRetriesPerRequest: 1 });
    this.redis.on('error', () => undefined); // each failed call is logged where it happens
    const perMinute = (policy: SourcePolicy, points: number) => {
      const limiter = new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${config.REDIS_PREFIX}:limit:${policy}`,
        points,
        duration: 60,
      });
      return new CoalescedConsumer(
        points,
        (key, n) => limiter.consume(key, n),
        (error) => error instanceof RateLimiterRes,
      );
    };
    this.perSource = {
      login: perMinute('login', config.RATE_LIMIT_LOGIN_PER_MINUTE),
      webform: perMinute('webform', config.RATE_LIMIT_WEBFORM_PER_MINUTE),
      webhooks: perMinute('webhooks', config.RATE_LIMIT_WEBHOOKS_PER_MINUTE),
      csat: perMinute('csat', config.RATE_LIMIT_CSAT_PER_MINUTE),
      cases: perMinute('cases', config.RATE_LIMIT_CASES_PER_MINUTE),
    };
    this.caseGuesses = new RateLimiterRedis({
      storeClient: this.redis,
      keyPrefix: `${config.REDIS_PREFIX}:limit:case-reference`,
      points: config.CASE_LOOKUPS_PER_REFERENCE_PER_HOUR,
      duration: 3600,
    });
    this.loginFailures = new RateLimiterRedis({
      storeClient: this.redis,
      keyPrefix: `${config.REDIS_PREFIX}:limit:login-account`,
      points: config.AUTH_MAX_FAILED_LOGINS_PER_SOURCE,
      duration: config.AUTH_LOCKOUT_SECONDS,
      blockDuration: config.AUTH_LOCKOUT_SECONDS,
    });
  }

  /** One request from `source` against the policy's budget; a refusal says how long to wait. */
  async take(policy: SourcePolicy, source: string): Promise<Refusal | null> {
    const verdict = await this.perSource[policy].take(source);
    if (verdict.ok === true) return null;
    if (verdict.ok === null) {
      this.logger.warn({ err: verdict.error, policy }, 'rate limit unavailable; request let through');
      return null;
    }
    this.logger.warn({ policy }, 'request refused by a per-source limit');
    return { retryAfterSeconds: retryAfter(verdict.msBeforeNext) };
  }

  /** One lookup of a case by reference and contact, from any source; `reference` is a hash of it (no need to keep it). */
  takeCaseGuess(reference: string): Promise<Refusal | null> {
    return this.consume(this.caseGuesses, reference, 'case-reference');
  }

  /**
   * One login attempt for an account from a source, counted before the password is checked (parallel guesses each
   * take a place). Beyond AUTH_MAX_FAILED_LOGINS_PER_SOURCE this source is refused for that account, while the
   * account itself stays open to everyone else. Unknown e-mail addresses are counted alike, so a refusal tells
   * nothing about whether an account exists. The address is hashed: it is personal data, and a key needs none.
   */
  takeLoginAttempt(email: string, source: string): Promise<Refusal | null> {
    return this.consume(this.loginFailures, this.loginKey(email, source), 'login-account');
  }

  /** A successful login gives its own attempt back; failures counted meanwhile (and a block they reached) stay. */
  async returnLoginAttempt(email: string, source: string): Promise<void> {
    await this.loginFailures
      .reward(this.loginKey(email, source))
      .catch((error: Error) => this.logger.warn({ err: error }, 'could not return a login attempt'));
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }

  private loginKey(email: string, source: string): string {
    return `${createHash('sha256').update(email.trim().toLowerCase()).digest('base64url').slice(0, 22)}:${source}`;
  }

  private async consume(limiter: RateLimiterRedis, key: string, policy: string): Promise<Refusal | null> {
    try {
      await limiter.consume(key);
      return null;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        this.logger.warn({ policy }, 'request refused by a per-source limit');
        return { retryAfterSeconds: retryAfter(rejection.msBeforeNext) };
      }
      this.logger.warn({ err: rejection, policy }, 'rate limit unavailable; request let through');
      return null;
    }
  }
}

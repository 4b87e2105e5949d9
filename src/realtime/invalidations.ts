import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { withTimeout } from '../common/with-timeout';
import { createRedis, type RedisClient } from '../common/redis-connection';
import { AppConfig } from '../config/app-config';

type Listener = { drop(keys: string[]): void; dropAll(): void };

/**
 * Tells every instance that something it may hold in memory changed (a session ended, the IVR menu was edited), over
 * one Redis pub/sub channel per deployment. A cache built on it (InstanceCache) is only trusted while this instance
 * is subscribed: a message published while the subscription was down is lost, so on losing it every cache is
 * emptied and bypassed until the subscription is back. Redis writes a published message to every subscriber before
 * answering the publisher, so once `publish` resolves the message is on its way to the other instances, ahead of
 * anything Redis answers them later; InstanceCache trusts an entry only after a PING on the subscriber's connection
 * has come back (`caughtUp`), so a request that reaches them after the publisher's answer finds the entry gone.
 */
@Injectable()
export class Invalidations implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(Invalidations.name);
  private readonly channel: string;
  private readonly subscriber: RedisClient;
  private readonly publisher: RedisClient;
  private readonly listeners = new Map<string, Set<Listener>>();
  private subscribed = false;
  private closing = false;
  private catchingUp: Promise<boolean> | null = null;

  constructor(config: AppConfig) {
    this.channel = `${config.REDIS_PREFIX}:invalidate`;
    // Resubscribing is done here on each `ready`, so the moment the subscription is back is known.
    this.subscriber = createRedis(config, { lazyConnect: true, autoResubscribe: false, maxRetriesPerRequest: null });
    this.publisher = createRedis(config, { lazyConnect: true, maxRetriesPerRequest: 1 });
    for (const r of [this.subscriber, this.publisher])
      r.on('error', (error) => this.logger.debug({ err: error }, 'invalidations: Redis error (reconnecting)'));
    this.subscriber.on('close', () => this.lost());
    this.subscriber.on('ready', () => void this.subscribe());
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.received(message);
    });
  }

  async onModuleInit(): Promise<void> {
    // Not awaited to the end: an instance starting while Redis is away serves from PostgreSQL until it is back.
    this.subscriber.connect().catch((error) => this.logger.warn({ err: error }, 'invalidations: not subscribed yet; caches are bypassed'));
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    this.lost();
    // A connection never opened (or already closed) has nothing to say goodbye to; QUIT would wait on it.
    await Promise.all(
      [this.subscriber, this.publisher].map(async (r) => {
        if (r.status === 'ready') await r.quit().catch(() => r.disconnect());
        else r.disconnect();
      }),
    );
  }

  /**
   * True once every message Redis sent this instance before the call has been read: a PING on the subscriber's
   * connection is answered after them, in order. Callers of one turn of the event loop share one PING, sent after
   * they all asked. False when Redis does not answer within a second (the caller then does not trust its cache).
   */
  caughtUp(): Promise<boolean> {
    this.catchingUp ??= (async () => {
      await nextTurn();
      this.catchingUp = null; // whoever asks from now on needs a PING sent after them
      try {
        await withTimeout(this.subscriber.ping(), 1000, 'Redis');
        return this.subscribed;
      } catch {
        return false;
      }
    })();
    return this.catchingUp;
  }

  /** Whether a message published now would reach this instance. */
  get live(): boolean {
    return this.subscribed;
  }

  listen(topic: string, listener: Listener): void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(listener);
  }

  /**
   * Drops `keys` of `topic` on every instance, this one first. Call it after the change is committed. Resolves once
   * Redis has passed it on; a failure is logged, not thrown: the change itself stands, and the other instances' entries
   * expire within their TTL (if Redis is unreachable for them too, they are not trusting their caches anyway).
   */
  async publish(topic: string, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    this.deliver(topic, keys);
    if (this.publisher.status === 'wait') await this.publisher.connect().catch(() => undefined);
    await this.publisher
      .publish(this.channel, JSON.stringify({ topic, keys }))
      .catch((error) => this.logger.warn({ err: error, topic }, 'an invalidation was not published'));
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
      // Whatever was cached before the subscription (re)started may have missed a message.
      this.dropAll();
      this.subscribed = true;
    } catch (error) {
      this.logger.warn({ err: error }, 'invalidations: could not subscribe; caches are bypassed');
    }
  }

  private lost(): void {
    if (this.subscribed && !this.closing) this.logger.warn('invalidations: subscription lost; caches are bypassed until it is back');
    this.subscribed = false;
    this.dropAll();
  }

  private dropAll(): void {
    for (const set of this.listeners.values()) for (const l of set) l.dropAll();
  }

  private received(message: string): void {
    try {
      const { topic, keys } = JSON.parse(message) as { topic: unknown; keys: unknown };
      if (typeof topic !== 'string' || !Array.isArray(keys)) return;
      this.deliver(
        topic,
        keys.filter((k): k is string => typeof k === 'string'),
      );
    } catch {
      this.logger.warn('invalidations: ignored a malformed message');
    }
  }

  private deliver(topic: string, keys: string[]): void {
    for (const l of this.listeners.get(topic) ?? []) l.drop(keys);
  }
}

/**
 * A small per-process cache whose entries every instance drops when `Invalidations.publish(topic, keys)` names them
 * (by key, or by `alsoDropWhen` for entries found through their value, such as all sessions of one agent). Entries
 * live at most `ttlMs`; at most `maxEntries` are kept (the oldest goes first). While the instance is not subscribed
 * every read goes to the loader. A load that started before an invalidation is not stored, so a read racing a
 * logout cannot put the ended session back.
 */
export class InstanceCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  private generation = 0;

  constructor(
    private readonly bus: Invalidations,
    topic: string,
    private readonly options: { ttlMs: number; maxEntries: number; alsoDropWhen?: (value: V, key: string) => boolean },
  ) {
    bus.listen(topic, { drop: (keys) => this.drop(keys), dropAll: () => this.dropAll() });
  }

  async get(key: string, load: () => Promise<V>): Promise<V> {
    if (this.options.ttlMs <= 0 || !this.bus.live) return load();
    const hit = this.entries.get(key);
    const now = Date.now();
    if (hit && hit.until > now) {
      // A drop published before this request was sent may still be on its way to this instance, or in its socket
      // behind this request's (a logged-out session was served so by the other instance under load): the entry is
      // trusted once everything Redis sent before it has been read.
      if (!(await this.bus.caughtUp())) return load();
      if (this.entries.get(key) === hit && this.bus.live) return hit.value;
      return this.get(key, load);
    }
    if (hit) this.entries.delete(key);
    const generation = this.generation;
    const value = await load();
    if (generation === this.generation && this.bus.live) {
      if (this.entries.size >= this.options.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(key, { value, until: now + this.options.ttlMs });
    }
    return value;
  }

  get size(): number {
    return this.entries.size;
  }

  private drop(keys: string[]): void {
    this.generation++;
    for (const k of keys) this.entries.delete(k);
    const when = this.options.alsoDropWhen;
    if (!when) return;
    for (const [key, entry] of this.entries) if (keys.some((k) => when(entry.value, k))) this.entries.delete(key);
  }

  private dropAll(): void {
    this.generation++;
    this.entries.clear();
  }
}

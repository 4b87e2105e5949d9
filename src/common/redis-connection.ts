import { Redis, RedisOptions } from 'ioredis';
import { parseHostPorts } from '../config/host-ports';

type RedisConfig = {
  REDIS_URL?: string;
  REDIS_SENTINELS?: string;
  REDIS_SENTINEL_NAME?: string;
  REDIS_SENTINEL_PASSWORD?: string;
  REDIS_PASSWORD?: string;
};

/**
 * After a Sentinel failover the old primary comes back as a replica; a connection that still reaches it (or a
 * replica promoted a moment later than the sentinels said) answers writes with READONLY. Reconnecting makes
 * ioredis ask the sentinels again, and `2` resends the refused command to the new primary.
 */
export function reconnectOnReadonly(error: Error): 2 | false {
  return error.message.startsWith('READONLY') ? 2 : false;
}

/**
 * Where and how every Redis connection of the service connects: one server from REDIS_URL, or the primary the
 * sentinels of REDIS_SENTINELS name. BullMQ, the chat, presence, leases, rate limits, the socket.io adapter and
 * emitters all build their connections from this, so a site changes its Redis topology in one place.
 */
export function redisConnectionOptions(config: RedisConfig, extra: RedisOptions = {}): RedisOptions {
  if (config.REDIS_SENTINELS) {
    const sentinels = parseHostPorts(config.REDIS_SENTINELS);
    if (!sentinels || !config.REDIS_SENTINEL_NAME) throw new Error('REDIS_SENTINELS and REDIS_SENTINEL_NAME must both be valid');
    return {
      sentinels,
      name: config.REDIS_SENTINEL_NAME,
      role: 'master',
      sentinelPassword: config.REDIS_SENTINEL_PASSWORD,
      password: config.REDIS_PASSWORD,
      // No failoverDetector: in ioredis 5 its sentinel subscriptions outlive quit() and keep a stopping process
      // alive. A failover reaches a client anyway: the dead primary's socket breaks (reconnecting asks the
      // sentinels again), and a demoted primary that is still up answers writes with READONLY (below).
      // Sentinels added to the set later are learnt from the ones given.
      updateSentinels: true,
      reconnectOnError: reconnectOnReadonly,
      ...extra,
    };
  }
  if (!config.REDIS_URL) throw new Error('REDIS_URL or REDIS_SENTINELS must be set');
  const url = new URL(config.REDIS_URL);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined;
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : 6379,
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : config.REDIS_PASSWORD,
    db: Number.isInteger(db) ? db : undefined,
    tls: url.protocol === 'rediss:' ? { servername: url.hostname } : undefined,
    reconnectOnError: reconnectOnReadonly,
    ...extra,
  };
}

/** A new connection to the service's Redis (see redisConnectionOptions). */
export function createRedis(config: RedisConfig, extra: RedisOptions = {}): Redis {
  return new Redis(redisConnectionOptions(config, extra));
}

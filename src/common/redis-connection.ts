import { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { parseHostPorts } from '../config/host-ports';

type RedisConfig = {
  REDIS_URL?: string;
  REDIS_CLUSTER_NODES?: string;
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

/** A connection to one server (REDIS_URL, or the primary Sentinel names) or to a Redis Cluster (REDIS_CLUSTER_NODES). */
export type RedisClient = Redis | Cluster;

export function isRedisCluster(config: RedisConfig): boolean {
  return !!config.REDIS_CLUSTER_NODES;
}

/**
 * How a Cluster client reaches REDIS_CLUSTER_NODES: the nodes given are only where it starts, the rest of the
 * cluster (and which primary holds which slot) is learnt from them and again after every MOVED. `extra` are the
 * per-connection options the caller would give a single server; the ones that are the cluster's own (the offline
 * queue, connecting lazily) are given to the cluster too.
 */
export function redisClusterOptions(config: RedisConfig, extra: RedisOptions = {}, cluster: ClusterOptions = {}): ClusterOptions {
  const { enableOfflineQueue, lazyConnect, ...perNode } = extra;
  return {
    ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
    ...(lazyConnect !== undefined ? { lazyConnect } : {}),
    // While a replica is being promoted the cluster answers CLUSTERDOWN and the dead primary's slots go nowhere:
    // commands wait and are retried (as a Sentinel failover's do) instead of failing at once.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 200,
    // How long a node may take to answer CLUSTER SLOTS. ioredis waits 1 s, then tries the next node; on a busy
    // machine during a failover every node took longer, each refresh failed, the client ended and started over,
    // and the workers' connections went a minute without knowing where the queues' slot had moved.
    slotsRefreshTimeout: 5000,
    redisOptions: { password: config.REDIS_PASSWORD, ...perNode },
    ...cluster,
  };
}

function clusterNodes(config: RedisConfig): Array<{ host: string; port: number }> {
  const nodes = parseHostPorts(config.REDIS_CLUSTER_NODES ?? '');
  if (!nodes) throw new Error('REDIS_CLUSTER_NODES must be comma-separated host:port pairs');
  return nodes;
}

/**
 * A new connection to the service's Redis (see redisConnectionOptions): on a Cluster, a Cluster client.
 * `cluster` are options only a Cluster client has (the socket.io adapter's sharded subscriber).
 */
export function createRedis(config: RedisConfig, extra: RedisOptions = {}, cluster: ClusterOptions = {}): RedisClient {
  if (isRedisCluster(config)) return new Cluster(clusterNodes(config), redisClusterOptions(config, extra, cluster));
  return new Redis(redisConnectionOptions(config, extra));
}

/**
 * The prefix of the BullMQ queues' keys. BullMQ's Lua scripts touch several keys of a queue at once, which a
 * Cluster refuses unless they share a slot: in braces the prefix is a hash tag, so all of them do. Elsewhere it
 * stays as it always was, so a single server's existing queues are still found.
 */
export function queuePrefix(config: RedisConfig & { REDIS_PREFIX: string }): string {
  return isRedisCluster(config) ? `{${config.REDIS_PREFIX}}` : config.REDIS_PREFIX;
}

/**
 * BullMQ's connection: options for one server (BullMQ connects each queue and worker itself), or, on a Cluster,
 * one Cluster client the queues share (BullMQ cannot build a Cluster from options; workers duplicate it for their
 * blocking reads). Whoever asks for the Cluster closes it at shutdown.
 */
export function queueConnection(config: RedisConfig): RedisOptions | Cluster {
  const extra: RedisOptions = { maxRetriesPerRequest: null, enableOfflineQueue: true };
  if (!isRedisCluster(config)) return redisConnectionOptions(config, extra);
  // No ready check: it asks CLUSTER INFO, which says 'fail' until a dead primary's replica is promoted, and a
  // Cluster whose ready check fails disconnects without ever settling the connect() it was answering. BullMQ
  // awaits that connect() when it repairs a worker's blocking connection after a failover, so the worker stopped
  // taking jobs for good. Without the check, commands sent while the cluster is down are retried (see above).
  const cluster = new Cluster(clusterNodes(config), redisClusterOptions(config, extra, { enableReadyCheck: false }));
  // Every queue processor of the process listens for 'ready' on the one shared client (BullMQ counts its own).
  cluster.setMaxListeners(64);
  return cluster;
}

/**
 * Values of several keys. A Cluster refuses MGET of keys in different slots, so there each key is read on its own
 * (sent together, answered by whichever primary holds it); a single server still answers one MGET.
 */
export async function getMany(redis: RedisClient, keys: string[]): Promise<Array<string | null>> {
  if (keys.length === 0) return [];
  // isCluster, not instanceof: BullMQ hands its clients out wrapped in a proxy.
  if ((redis as Cluster).isCluster) return Promise.all(keys.map((key) => redis.get(key)));
  return redis.mget(...keys);
}

import { Cluster, Redis } from 'ioredis';
import {
  createRedis,
  getMany,
  queueConnection,
  queuePrefix,
  reconnectOnReadonly,
  redisClusterOptions,
  redisConnectionOptions,
} from './redis-connection';

describe('redisConnectionOptions', () => {
  it('reads one server from REDIS_URL: host, port, credentials, database and TLS', () => {
    expect(redisConnectionOptions({ REDIS_URL: 'redis://127.0.0.1:6380/2' }, { maxRetriesPerRequest: 1 })).toMatchObject({
      host: '127.0.0.1',
      port: 6380,
      db: 2,
      password: undefined,
      tls: undefined,
      maxRetriesPerRequest: 1,
    });
    expect(redisConnectionOptions({ REDIS_URL: 'rediss://app:p%40ss@redis.example:6390' })).toMatchObject({
      host: 'redis.example',
      port: 6390,
      username: 'app',
      password: 'p@ss',
      tls: { servername: 'redis.example' },
    });
    expect(redisConnectionOptions({ REDIS_URL: 'redis://[::1]' })).toMatchObject({ host: '::1', port: 6379 });
  });

  it('asks the sentinels for the primary when REDIS_SENTINELS is set, whatever REDIS_URL says', () => {
    const options = redisConnectionOptions(
      {
        REDIS_URL: 'redis://ignored:1',
        REDIS_SENTINELS: 'a:26379, b:26380',
        REDIS_SENTINEL_NAME: 'vp',
        REDIS_SENTINEL_PASSWORD: 'sp',
        REDIS_PASSWORD: 'rp',
      },
      { maxRetriesPerRequest: null },
    );
    expect(options).toMatchObject({
      sentinels: [
        { host: 'a', port: 26379 },
        { host: 'b', port: 26380 },
      ],
      name: 'vp',
      role: 'master',
      sentinelPassword: 'sp',
      password: 'rp',
      maxRetriesPerRequest: null,
    });
    expect(options).not.toHaveProperty('host');
    expect(options.failoverDetector).toBeUndefined();
  });

  it('reconnects and resends a write a demoted primary refused, and nothing else', () => {
    expect(reconnectOnReadonly(new Error("READONLY You can't write against a read only replica."))).toBe(2);
    expect(reconnectOnReadonly(new Error('ERR unknown command'))).toBe(false);
  });

  it('makes a Cluster client of REDIS_CLUSTER_NODES, retrying through a failover, with the per-node options given', () => {
    const options = redisClusterOptions(
      { REDIS_CLUSTER_NODES: 'a:7000,b:7001', REDIS_PASSWORD: 'rp' },
      { maxRetriesPerRequest: 1, enableOfflineQueue: true, lazyConnect: true },
      { shardedSubscribers: true },
    );
    expect(options).toMatchObject({
      enableOfflineQueue: true,
      lazyConnect: true,
      shardedSubscribers: true,
      redisOptions: { password: 'rp', maxRetriesPerRequest: 1 },
    });
    expect(options.retryDelayOnClusterDown).toBeGreaterThan(0);
    // ioredis's 1 s for CLUSTER SLOTS failed on every node of a loaded machine during a failover.
    expect(options.slotsRefreshTimeout).toBeGreaterThan(1000);
    expect(options.redisOptions).not.toHaveProperty('lazyConnect');

    const cluster = createRedis({ REDIS_CLUSTER_NODES: '127.0.0.1:1,127.0.0.1:2' }, { lazyConnect: true });
    expect(cluster).toBeInstanceOf(Cluster);
    cluster.disconnect();
    const single = createRedis({ REDIS_URL: 'redis://127.0.0.1:1' }, { lazyConnect: true });
    expect(single).toBeInstanceOf(Redis);
    single.disconnect();
  });

  it("hash-tags the queues' prefix on a Cluster only, so a single server's existing queues keep their keys", () => {
    expect(queuePrefix({ REDIS_PREFIX: 'vp', REDIS_URL: 'redis://r' })).toBe('vp');
    expect(queuePrefix({ REDIS_PREFIX: 'vp', REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_NAME: 'm' })).toBe('vp');
    expect(queuePrefix({ REDIS_PREFIX: 'vp', REDIS_CLUSTER_NODES: 'a:7000' })).toBe('{vp}');
  });

  it('gives BullMQ connection options for one server, one shared Cluster client (blocking-safe) on a Cluster', () => {
    expect(queueConnection({ REDIS_URL: 'redis://127.0.0.1:6390' })).toMatchObject({
      host: '127.0.0.1',
      port: 6390,
      maxRetriesPerRequest: null,
    });
    const cluster = queueConnection({ REDIS_CLUSTER_NODES: '127.0.0.1:1' }) as Cluster;
    try {
      expect(cluster).toBeInstanceOf(Cluster);
      expect(cluster.options.redisOptions).toMatchObject({ maxRetriesPerRequest: null });
    } finally {
      cluster.disconnect();
    }
  });

  it('reads several keys with one MGET from a single server, key by key from a Cluster (MGET across slots is refused)', async () => {
    const single = { mget: jest.fn(async (...keys: string[]) => keys.map((k) => `v:${k}`)), get: jest.fn() };
    expect(await getMany(single as unknown as Redis, ['a', 'b'])).toEqual(['v:a', 'v:b']);
    expect(single.get).not.toHaveBeenCalled();
    const cluster = { isCluster: true, mget: jest.fn(), get: jest.fn(async (k: string) => (k === 'b' ? null : `v:${k}`)) };
    expect(await getMany(cluster as unknown as Cluster, ['a', 'b'])).toEqual(['v:a', null]);
    expect(cluster.mget).not.toHaveBeenCalled();
    expect(await getMany(cluster as unknown as Cluster, [])).toEqual([]);
  });
});

import { reconnectOnReadonly, redisConnectionOptions } from './redis-connection';

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
      { REDIS_URL: 'redis://ignored:1', REDIS_SENTINELS: 'a:26379, b:26380', REDIS_SENTINEL_NAME: 'vp', REDIS_SENTINEL_PASSWORD: 'sp', REDIS_PASSWORD: 'rp' },
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
});

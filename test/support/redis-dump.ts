import { Redis } from 'ioredis';
import type { TestEnv } from './test-env';

/** Every key under the test's Redis prefix with its value, whatever its type. */
export async function dumpRedis(env: TestEnv): Promise<string[]> {
  const redis = new Redis(env.redisUrl);
  try {
    const out: string[] = [];
    for (const key of await redis.keys(`${env.name}:*`)) {
      const type = await redis.type(key);
      const value =
        type === 'string'
          ? await redis.get(key)
          : type === 'list'
            ? await redis.lrange(key, 0, -1)
            : type === 'hash'
              ? await redis.hgetall(key)
              : type === 'set'
                ? await redis.smembers(key)
                : type === 'zset'
                  ? await redis.zrange(key, 0, -1)
                  : type === 'stream'
                    ? await redis.xrange(key, '-', '+')
                    : null;
      out.push(`${key} ${JSON.stringify(value)}`);
    }
    return out;
  } finally {
    redis.disconnect();
  }
}

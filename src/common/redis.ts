import type { Queue } from 'bullmq';
import type { RedisClient } from './redis-connection';

/** The queue's own ioredis connection (BullMQ types it narrowly), shared for small keys such as leases. */
export async function redisOf(queue: Queue): Promise<RedisClient> {
  return (await queue.client) as unknown as RedisClient;
}

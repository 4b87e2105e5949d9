import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** The queue's own ioredis connection (BullMQ types it narrowly), shared for small keys such as leases. */
export async function redisOf(queue: Queue): Promise<Redis> {
  return (await queue.client) as unknown as Redis;
}

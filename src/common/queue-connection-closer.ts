import { OnApplicationShutdown } from '@nestjs/common';
import type { Cluster, RedisOptions } from 'ioredis';
import { withTimeout } from './with-timeout';

/** QUIT waits for every node's answer; a node that died (a failover) never gives one. */
const QUIT_TIMEOUT_MS = 2_000;

/**
 * On a Redis Cluster the queues share one Cluster client (see queueConnection), which BullMQ never closes because
 * it did not open it. By the application-shutdown phase the workers have stopped and a queue's close sends
 * nothing on a shared client, so it is closed here; otherwise its sockets would keep a stopping process alive.
 */
export class QueueConnectionCloser implements OnApplicationShutdown {
  constructor(private readonly connection: RedisOptions | Cluster) {}

  async onApplicationShutdown(): Promise<void> {
    const connection = this.connection as Partial<Cluster>;
    if (!connection.isCluster || !connection.quit) return;
    await withTimeout(connection.quit(), QUIT_TIMEOUT_MS, 'QUIT on the Redis Cluster').catch(() => connection.disconnect?.());
  }
}

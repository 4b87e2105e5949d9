import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';

/**
 * What @socket.io/redis-emitter needs of a Redis client (only `publish`), with failures logged instead of left as
 * unhandled rejections: the emitter never awaits its publishes, and a job finishing while the process shuts
 * down would otherwise crash it for a best-effort event.
 */
export function safePublisher(redis: Redis, logger: Logger): { publish(channel: string, message: string | Buffer): Promise<unknown> } {
  return {
    publish: (channel, message) =>
      redis.publish(channel, message).catch((error) => logger.debug({ err: error }, 'a realtime event was not published')),
  };
}

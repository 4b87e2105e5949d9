import { Logger } from '@nestjs/common';
import { ShardedEmitter } from '@lib/sharded-emitter';
import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';
import { isRedisCluster, RedisClient } from '../common/redis-connection';
import { safePublisher } from './safe-publish';

/** What the service asks of an emitter to a namespace of the socket.io servers: rooms, then an event or a disconnection. */
export interface NamespaceEmitter {
  to(room: string | string[]): { emit(event: string, ...args: any[]): unknown; disconnectSockets(close?: boolean): void };
  in(room: string | string[]): { emit(event: string, ...args: any[]): unknown; disconnectSockets(close?: boolean): void };
}

/**
 * Emits from any process to the sockets the API instances hold, in the protocol their adapter speaks: the classic
 * Redis adapter's (PUBLISH) on one server or Sentinel, the sharded adapter's (SPUBLISH) on a Cluster, where
 * classic pub/sub would copy every event to every node. Failures are logged, never thrown at the caller.
 */
export function namespaceEmitter(
  config: { REDIS_CLUSTER_NODES?: string },
  redis: RedisClient,
  key: string,
  nsp: string,
  logger: Logger,
): NamespaceEmitter {
  if (isRedisCluster(config)) {
    const publish = (channel: string, message: string) =>
      redis.spublish(channel, message).catch((error) => logger.debug({ err: error }, 'a realtime event was not published'));
    return new ShardedEmitter(publish, key).of(nsp);
  }
  return new Emitter(safePublisher(redis as Redis, logger), { key }).of(nsp);
}

import { Module } from '@nestjs/common';
import { RealtimePublisher } from './realtime.publisher';

/** Publishing to agents' sockets through Redis; every role can, whichever process holds the socket. */
@Module({ providers: [RealtimePublisher], exports: [RealtimePublisher] })
export class RealtimeModule {}

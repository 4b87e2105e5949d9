import { Module } from '@nestjs/common';
import { Invalidations } from './invalidations';
import { RealtimePublisher } from './realtime.publisher';

/** Publishing to agents' sockets through Redis; every role can, whichever process holds the socket. */
@Module({ providers: [RealtimePublisher, Invalidations], exports: [RealtimePublisher, Invalidations] })
export class RealtimeModule {}

import { Module } from '@nestjs/common';
import { PresenceCoreModule } from '../presence/presence-core.module';
import { QueuesModule } from '../queues.module';
import { RoutingProcessor } from './jobs/routing.processor';
import { RoutingCoreModule } from './routing-core.module';

/** The worker side of routing: runs the `routing` queue (offers and the presence sweep). */
@Module({ imports: [QueuesModule, RoutingCoreModule, PresenceCoreModule], providers: [RoutingProcessor] })
export class RoutingWorkerModule {}

import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues.module';
import { RoutingCoreModule } from '../routing/routing-core.module';
import { BoardProcessor } from './jobs/board.processor';
import { SupervisionCoreModule } from './supervision-core.module';

/** Pushes the live board to supervisors' sockets on the `supervision` queue's schedule. */
@Module({ imports: [QueuesModule, RoutingCoreModule, SupervisionCoreModule], providers: [BoardProcessor] })
export class SupervisionWorkerModule {}

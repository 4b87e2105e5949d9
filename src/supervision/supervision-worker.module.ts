import { Module } from '@nestjs/common';
import { PresenceCoreModule } from '../presence/presence-core.module';
import { QueuesModule } from '../queues.module';
import { RoutingCoreModule } from '../routing/routing-core.module';
import { BoardService } from './board.service';
import { BoardProcessor } from './jobs/board.processor';

/** Pushes the live board to supervisors' sockets on the `supervision` queue's schedule. */
@Module({ imports: [QueuesModule, RoutingCoreModule, PresenceCoreModule], providers: [BoardService, BoardProcessor] })
export class SupervisionWorkerModule {}

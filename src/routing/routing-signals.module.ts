import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues.module';
import { RoutingSignals } from './routing-signals';

/** Only the signal to the routing workers, so that tickets can ask for a pass without depending on routing itself. */
@Module({ imports: [QueuesModule], providers: [RoutingSignals], exports: [RoutingSignals] })
export class RoutingSignalsModule {}

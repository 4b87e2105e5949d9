import { Module } from '@nestjs/common';
import { RoutingCoreModule } from '../routing/routing-core.module';
import { BoardService } from './board.service';

/** The live board's figures, for the REST API and the worker that pushes them. */
@Module({ imports: [RoutingCoreModule], providers: [BoardService], exports: [BoardService] })
export class SupervisionCoreModule {}

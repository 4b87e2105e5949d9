import { Module } from '@nestjs/common';
import { PresenceCoreModule } from '../presence/presence-core.module';
import { RoutingCoreModule } from '../routing/routing-core.module';
import { BoardService } from './board.service';

/** The live board's figures, for the REST API and the worker that pushes them. */
@Module({ imports: [RoutingCoreModule, PresenceCoreModule], providers: [BoardService], exports: [BoardService] })
export class SupervisionCoreModule {}

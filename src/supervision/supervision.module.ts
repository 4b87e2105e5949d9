import { Module } from '@nestjs/common';
import { PresenceCoreModule } from '../presence/presence-core.module';
import { RoutingCoreModule } from '../routing/routing-core.module';
import { BoardController } from './board.controller';
import { BoardService } from './board.service';

/** The supervisors' live board over REST. */
@Module({ imports: [RoutingCoreModule, PresenceCoreModule], controllers: [BoardController], providers: [BoardService] })
export class SupervisionModule {}

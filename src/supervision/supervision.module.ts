import { Module } from '@nestjs/common';
import { RoutingCoreModule } from '../routing/routing-core.module';
import { BoardController } from './board.controller';
import { BoardService } from './board.service';

/** The supervisors' live board over REST. */
@Module({ imports: [RoutingCoreModule], controllers: [BoardController], providers: [BoardService] })
export class SupervisionModule {}

import { Module } from '@nestjs/common';
import { BoardController } from './board.controller';
import { SupervisionCoreModule } from './supervision-core.module';

/** The supervisors' live board over REST. */
@Module({ imports: [SupervisionCoreModule], controllers: [BoardController] })
export class SupervisionModule {}

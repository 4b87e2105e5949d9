import { Module } from '@nestjs/common';
import { CsatController } from './csat.controller';
import { CsatCoreModule } from './csat-core.module';

/** The one-question satisfaction survey after resolution: its public routes over the core service. */
@Module({ imports: [CsatCoreModule], controllers: [CsatController], exports: [CsatCoreModule] })
export class CsatModule {}

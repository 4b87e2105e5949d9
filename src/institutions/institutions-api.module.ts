import { Module } from '@nestjs/common';
import { InstitutionsController } from './institutions.controller';
import { InstitutionsModule } from './institutions.module';

/** The staff API's read of institutions; API role only (the worker's HTTP server has no staff routes). */
@Module({ imports: [InstitutionsModule], controllers: [InstitutionsController] })
export class InstitutionsApiModule {}

import { Module } from '@nestjs/common';
import { InboundModule } from '../../inbound/inbound.module';
import { InstitutionsModule } from '../../institutions/institutions.module';
import { WebformController } from './webform.controller';
import { WebformSignatureGuard } from './webform-signature.guard';
import { WebformService } from './webform.service';

/** The Latvija.lv web-form channel adapter. */
@Module({
  imports: [InboundModule, InstitutionsModule],
  controllers: [WebformController],
  providers: [WebformService, WebformSignatureGuard],
})
export class WebformModule {}

import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { InstitutionsModule } from '../institutions/institutions.module';
import { TagsAdminController, TagsController } from './tags.controller';
import { TagsService } from './tags.service';

/** The tag vocabulary (table tags). Tags on tickets are the tickets module's (ticket_tags). */
@Module({
  imports: [AuditModule, InstitutionsModule],
  controllers: [TagsController, TagsAdminController],
  providers: [TagsService],
  exports: [TagsService],
})
export class TagsModule {}

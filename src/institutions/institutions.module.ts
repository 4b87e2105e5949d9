import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { Institution } from './entities/institution.entity';
import { InstitutionsAdminController } from './institutions-admin.controller';
import { InstitutionsAdminService } from './institutions-admin.service';
import { InstitutionsService } from './institutions.service';

@Module({
  imports: [TypeOrmModule.forFeature([Institution]), AuditModule],
  controllers: [InstitutionsAdminController],
  providers: [InstitutionsService, InstitutionsAdminService],
  exports: [InstitutionsService],
})
export class InstitutionsModule {}

import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CustomersController } from './customers.controller';
import { CustomersService } from './customers.service';
import { CustomerMergesService } from './customer-merges.service';

/** The staff API over customers; the ingest's matching (customer-matching.ts) creates and joins them. */
@Module({ imports: [AuditModule], controllers: [CustomersController], providers: [CustomersService, CustomerMergesService] })
export class CustomersModule {}

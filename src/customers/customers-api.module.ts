import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { TicketDataModule } from '../tickets/repositories/ticket-data.module';
import { CustomersController } from './customers.controller';
import { CustomersModule } from './customers.module';
import { CustomersService } from './customers.service';
import { CustomerMergesService } from './customer-merges.service';

/** The staff API over customers; the ingest's matching (customer-matching.ts) creates and joins them. */
@Module({
  imports: [AuditModule, CustomersModule, TicketDataModule],
  controllers: [CustomersController],
  providers: [CustomersService, CustomerMergesService],
})
export class CustomersApiModule {}

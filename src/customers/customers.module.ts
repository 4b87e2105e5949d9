import { Module } from '@nestjs/common';
import { CustomersRepository } from './customers.repository';

/** Customer records and their identifiers: matching a contact to a record (customer-matching.ts) and its SQL. */
@Module({ providers: [CustomersRepository], exports: [CustomersRepository] })
export class CustomersModule {}

import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { TicketsCoreModule } from '../tickets/tickets-core.module';
import { CustomFieldsAdminController, TicketCustomFieldsController } from './custom-fields.controller';
import { CustomFieldsService } from './custom-fields.service';
import { TicketCustomFieldsService } from './ticket-custom-fields.service';

/**
 * Custom fields per institution (tables custom_field_definitions and ticket_custom_field_values). Setting a
 * ticket's values is a ticket change, made through the tickets module's TicketChanges.
 */
@Module({
  imports: [AuditModule, TicketsCoreModule],
  controllers: [CustomFieldsAdminController, TicketCustomFieldsController],
  providers: [CustomFieldsService, TicketCustomFieldsService],
})
export class CustomFieldsModule {}

import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { CustomFieldValue } from '@lib/custom-fields';
import { Ticket } from '../../tickets/entities/ticket.entity';
import { CustomFieldDefinition } from './custom-field-definition.entity';

/** A ticket's value of one custom field, as JSON so a number stays a number. */
@Entity({ name: 'ticket_custom_field_values' })
@Index('ix_ticket_custom_field_values_field', ['fieldId'])
export class TicketCustomFieldValue {
  @PrimaryColumn({ name: 'ticket_id', type: 'uuid', primaryKeyConstraintName: 'PK_ticket_custom_field_values' })
  ticketId: string;

  @PrimaryColumn({ name: 'field_id', type: 'uuid', primaryKeyConstraintName: 'PK_ticket_custom_field_values' })
  fieldId: string;

  @ManyToOne(() => Ticket, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ticket_id', foreignKeyConstraintName: 'FK_ticket_custom_field_values_ticket' })
  ticket?: Ticket;

  // A field with values is switched off, not deleted.
  @ManyToOne(() => CustomFieldDefinition, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'field_id', foreignKeyConstraintName: 'FK_ticket_custom_field_values_field' })
  field?: CustomFieldDefinition;

  @Column({ type: 'jsonb' })
  value: CustomFieldValue;

  @Column({ name: 'updated_by_id', type: 'uuid', nullable: true })
  updatedById: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Provenance } from '../../customers/customer-matching';
import type { IdentifierKind } from '../../customers/entities/customer-identifier.entity';
import { Ticket } from './ticket.entity';

/**
 * The identifiers the ticket's own contacts came with, as they gave them. Replies go to these, not to whatever
 * else the customer record holds: a record may gather addresses from other contacts, and a reply must reach the
 * person who wrote this ticket.
 */
@Entity({ name: 'ticket_contacts' })
@Index('ix_ticket_contacts_identifier', ['kind', 'value'])
export class TicketContact {
  @PrimaryColumn({ name: 'ticket_id', type: 'uuid', primaryKeyConstraintName: 'PK_ticket_contacts' })
  ticketId: string;

  @ManyToOne(() => Ticket, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ticket_id', foreignKeyConstraintName: 'FK_ticket_contacts_ticket' })
  ticket?: Ticket;

  @PrimaryColumn({ type: 'varchar', length: 32, primaryKeyConstraintName: 'PK_ticket_contacts' })
  kind: IdentifierKind;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'PK_ticket_contacts' })
  value: string;

  @Column({ type: 'varchar', length: 16 })
  provenance: Provenance;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Tag } from '../../tags/entities/tag.entity';
import { Ticket } from './ticket.entity';

/** A tag on a ticket: any number per ticket, each once. */
@Entity({ name: 'ticket_tags' })
// The inbox filter and the report by tag start from the tag.
@Index('ix_ticket_tags_tag', ['tagId', 'ticketId'])
export class TicketTag {
  @PrimaryColumn({ name: 'ticket_id', type: 'uuid', primaryKeyConstraintName: 'PK_ticket_tags' })
  ticketId: string;

  @PrimaryColumn({ name: 'tag_id', type: 'uuid', primaryKeyConstraintName: 'PK_ticket_tags' })
  tagId: string;

  @ManyToOne(() => Ticket, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ticket_id', foreignKeyConstraintName: 'FK_ticket_tags_ticket' })
  ticket?: Ticket;

  @ManyToOne(() => Tag, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tag_id', foreignKeyConstraintName: 'FK_ticket_tags_tag' })
  tag?: Tag;

  @Column({ name: 'added_by_id', type: 'uuid', nullable: true })
  addedById: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

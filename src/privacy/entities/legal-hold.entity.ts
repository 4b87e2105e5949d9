import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Ticket } from '../../tickets/entities/ticket.entity';

/** A ticket that must be kept whole (a complaint under review, a court case): erasure and retention pass it by. */
@Entity({ name: 'legal_holds' })
export class LegalHold {
  @PrimaryColumn({ name: 'ticket_id', type: 'uuid', primaryKeyConstraintName: 'PK_legal_holds' })
  ticketId: string;

  @ManyToOne(() => Ticket, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ticket_id', foreignKeyConstraintName: 'FK_legal_holds_ticket' })
  ticket?: Ticket;

  @Column({ type: 'text' })
  reason: string;

  @Column({ name: 'set_by_id', type: 'uuid' })
  setById: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

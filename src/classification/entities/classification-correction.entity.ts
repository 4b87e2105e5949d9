import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Institution } from '../../institutions/entities/institution.entity';
import { Ticket } from '../../tickets/entities/ticket.entity';

/**
 * An operator's judgement of what a ticket is about: its institution, topic or kind as a person set it. One row per
 * ticket (the latest labels); the text is the ticket's own first customer message, read when the model is trained.
 */
@Entity({ name: 'classification_corrections' })
export class ClassificationCorrection {
  @PrimaryColumn({ name: 'ticket_id', type: 'uuid', primaryKeyConstraintName: 'PK_classification_corrections' })
  ticketId: string;

  @ManyToOne(() => Ticket, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ticket_id', foreignKeyConstraintName: 'FK_classification_corrections_ticket' })
  ticket?: Ticket;

  @Column({ name: 'institution_id', type: 'uuid', nullable: true })
  institutionId: string | null;

  @ManyToOne(() => Institution, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'institution_id', foreignKeyConstraintName: 'FK_classification_corrections_institution' })
  institution?: Institution;

  @Column({ type: 'text', nullable: true })
  topic: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  kind: string | null;

  @Column({ name: 'agent_id', type: 'uuid', nullable: true })
  agentId: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

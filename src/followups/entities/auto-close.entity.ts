import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Institution } from '../../institutions/entities/institution.entity';
import { Ticket } from '../../tickets/entities/ticket.entity';

/** "Close tickets pending the customer after N working days": one per institution, and the default (no institution). */
@Entity({ name: 'auto_close_policies' })
@Index('ux_auto_close_policies_institution', { synchronize: false })
@Check('CHK_auto_close_days', 'working_days BETWEEN 1 AND 60')
export class AutoClosePolicy {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_auto_close_policies' })
  id: string;

  @Column({ name: 'institution_id', type: 'uuid', nullable: true })
  institutionId: string | null;

  @ManyToOne(() => Institution, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'institution_id', foreignKeyConstraintName: 'FK_auto_close_policies_institution' })
  institution?: Institution;

  @Column({ type: 'boolean' })
  enabled: boolean;

  @Column({ name: 'working_days', type: 'smallint' })
  workingDays: number;

  @Column({ name: 'updated_by_id', type: 'uuid', nullable: true })
  updatedById: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** The closing notice of one stretch of waiting on the customer: sent once, then the ticket closed (or left open). */
@Entity({ name: 'auto_close_notices' })
@Index('ix_auto_close_notices_open', { synchronize: false })
export class AutoCloseNotice {
  @PrimaryColumn({ name: 'ticket_id', type: 'uuid', primaryKeyConstraintName: 'PK_auto_close_notices' })
  ticketId: string;

  @ManyToOne(() => Ticket, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ticket_id', foreignKeyConstraintName: 'FK_auto_close_notices_ticket' })
  ticket?: Ticket;

  @PrimaryColumn({ name: 'pending_since', type: 'timestamptz', primaryKeyConstraintName: 'PK_auto_close_notices' })
  pendingSince: Date;

  @Column({ name: 'message_id', type: 'uuid', nullable: true })
  messageId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt: Date | null;
}

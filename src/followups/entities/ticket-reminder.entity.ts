import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Agent } from '../../agents/entities/agent.entity';
import { Ticket } from '../../tickets/entities/ticket.entity';

/** An agent's reminder on a ticket: announced on their socket once at `at`, listed as due until dismissed. */
@Entity({ name: 'ticket_reminders' })
@Index('ix_ticket_reminders_agent', { synchronize: false })
@Index('ix_ticket_reminders_due', { synchronize: false })
export class TicketReminder {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_ticket_reminders' })
  id: string;

  @Column({ name: 'ticket_id', type: 'uuid' })
  ticketId: string;

  @ManyToOne(() => Ticket, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ticket_id', foreignKeyConstraintName: 'FK_ticket_reminders_ticket' })
  ticket?: Ticket;

  @Column({ name: 'agent_id', type: 'uuid' })
  agentId: string;

  @ManyToOne(() => Agent, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id', foreignKeyConstraintName: 'FK_ticket_reminders_agent' })
  agent?: Agent;

  @Column({ type: 'timestamptz' })
  at: Date;

  @Column({ type: 'text' })
  note: string;

  @Column({ name: 'fired_at', type: 'timestamptz', nullable: true })
  firedAt: Date | null;

  @Column({ name: 'dismissed_at', type: 'timestamptz', nullable: true })
  dismissedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

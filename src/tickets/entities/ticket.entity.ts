import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Customer } from '../../customers/entities/customer.entity';
import { Institution } from '../../institutions/entities/institution.entity';
import { Queue } from '../../routing/entities/queue.entity';
import { Message } from './message.entity';

export const CHANNELS = ['webform', 'email', 'voice', 'chat', 'social', 'counter', 'phone'] as const;
export type Channel = (typeof CHANNELS)[number];

export const TICKET_KINDS = ['application', 'consultation', 'complaint', 'suggestion', 'question'] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];

export const TICKET_STATUSES = [
  'new',
  'bot',
  'queued',
  'assigned',
  'pending_customer',
  'pending_institution',
  'resolved',
  'closed',
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const LANGUAGES = ['lv', 'ru', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const SLA_STATES = ['ok', 'warning', 'breached', 'met', 'paused'] as const;
export type SlaState = (typeof SLA_STATES)[number];

/** The unit of the one unified queue, whatever channel the contact came in on. */
@Entity({ name: 'tickets' })
@Index('ix_tickets_created', ['createdAt', 'id'])
@Index('ix_tickets_institution_created', ['institutionId', 'createdAt', 'id'])
// Routing looks for a queue's oldest waiting work, and for how much open work an agent holds per channel.
@Index('ix_tickets_waiting', ['queueId', 'createdAt'], { where: "assignee_id IS NULL AND status IN ('new', 'queued')" })
@Index('ix_tickets_assignee_open', ['assigneeId', 'channel'], { where: "assignee_id IS NOT NULL AND status NOT IN ('resolved', 'closed')" })
// The SLA's adoption of tickets without clocks and the board's resolved-today (migration SweepIndexes).
@Index('ix_tickets_sla_untracked', ['createdAt'], {
  where: "sla_policy_id IS NULL AND sla_state IS NULL AND status NOT IN ('resolved', 'closed', 'bot')",
})
@Index('ix_tickets_resolved_by', ['resolvedAt'], { where: 'assignee_id IS NOT NULL' })
// The router's oldest waiting tickets first (migration SweepIndexes, with statistics of status and assignee together).
// The queues' counts from the index alone (migration SweepIndexes: INCLUDE, which entities cannot declare).
@Index('ix_tickets_open_by_queue', { synchronize: false })
@Index('ix_tickets_waiting_oldest', ['createdAt', 'id'], { where: "assignee_id IS NULL AND status IN ('new', 'queued')" })
// The inbox sorted by SLA due time (tickets without a running clock last): whole centre, one queue, one institution;
// each with the status filter every inbox view has. Expressions, so created by migration InboxIndexes only.
@Index('ix_tickets_inbox_sla_due', { synchronize: false })
@Index('ix_tickets_inbox_queue_sla_due', { synchronize: false })
@Index('ix_tickets_inbox_institution_sla_due', { synchronize: false })
@Index('ix_tickets_reference_number', { synchronize: false })
@Index('ix_tickets_snoozed_until', { synchronize: false })
@Index('ix_tickets_pending_customer_since', { synchronize: false })
export class Ticket {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Public reference given to the customer, e.g. VP-2026-000123. */
  @Column({ type: 'varchar', length: 32, unique: true })
  reference: string;

  @Column({ type: 'varchar', length: 16 })
  channel: Channel;

  @Column({ name: 'institution_id', type: 'uuid', nullable: true })
  institutionId: string | null;

  @ManyToOne(() => Institution, { nullable: true })
  @JoinColumn({ name: 'institution_id' })
  institution?: Institution | null;

  /** Set when the contact was for an institution that only takes referrals: we route it on, we do not open a case for it. */
  @Column({ name: 'referred_institution_id', type: 'uuid', nullable: true })
  referredInstitutionId: string | null;

  @ManyToOne(() => Institution, { nullable: true })
  @JoinColumn({ name: 'referred_institution_id' })
  referredInstitution?: Institution | null;

  @Column({ type: 'text', nullable: true })
  topic: string | null;

  @Column({ type: 'varchar', length: 16 })
  kind: TicketKind;

  @Column({ type: 'varchar', length: 2, default: 'lv' })
  language: Language;

  @Column({ type: 'varchar', length: 8, default: 'normal' })
  priority: Priority;

  @Index()
  @Column({ type: 'varchar', length: 24, default: 'new' })
  status: TicketStatus;

  @Column({ type: 'smallint', default: 0 })
  level: number;

  @Index()
  @Column({ name: 'queue_id', type: 'uuid', nullable: true })
  queueId: string | null;

  @ManyToOne(() => Queue, { nullable: true })
  @JoinColumn({ name: 'queue_id' })
  queue?: Queue | null;

  @Index()
  @Column({ name: 'assignee_id', type: 'uuid', nullable: true })
  assigneeId: string | null;

  @Index()
  @Column({ name: 'customer_id', type: 'uuid', nullable: true })
  customerId: string | null;

  @ManyToOne(() => Customer, { nullable: true })
  @JoinColumn({ name: 'customer_id' })
  customer?: Customer | null;

  @Column({ type: 'text', nullable: true })
  subject: string | null;

  /** The address the contact came in on (a mailbox, a phone number): replies go out from it. */
  @Column({ name: 'origin_address', type: 'text', nullable: true })
  originAddress: string | null;

  /** Set on a ticket opened because the customer wrote again about a ticket closed too long ago to reopen. */
  @Column({ name: 'follow_up_of_id', type: 'uuid', nullable: true })
  followUpOfId: string | null;

  /** Set when this ticket was merged into another: its messages moved there and it was closed. */
  @Column({ name: 'merged_into_id', type: 'uuid', nullable: true })
  mergedIntoId: string | null;

  @OneToMany(() => Message, (m) => m.ticket)
  messages?: Message[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'first_response_at', type: 'timestamptz', nullable: true })
  firstResponseAt: Date | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  /** When an erasure or the retention job blanked its content (the ticket stays, counted). */
  @Column({ name: 'content_erased_at', type: 'timestamptz', nullable: true })
  contentErasedAt: Date | null;

  // --- SLA: the chosen policy and where its clocks stand (details and history in sla_clocks, sla_clock_events) ---

  @Column({ name: 'sla_policy_id', type: 'uuid', nullable: true })
  slaPolicyId: string | null;

  /** ok | warning | breached | met | paused as of the last change; the inbox also derives it from the due times. */
  @Column({ name: 'sla_state', type: 'varchar', length: 16, nullable: true })
  slaState: SlaState | null;

  /** The earliest due time of a clock still running (a breached one included): what `sort=sla_due` orders by. */
  @Column({ name: 'sla_due_at', type: 'timestamptz', nullable: true })
  slaDueAt: Date | null;

  /** The earliest warning time of a running clock not yet breached. */
  @Column({ name: 'sla_warning_at', type: 'timestamptz', nullable: true })
  slaWarningAt: Date | null;

  @Column({ name: 'first_response_due_at', type: 'timestamptz', nullable: true })
  firstResponseDueAt: Date | null;

  @Column({ name: 'next_response_due_at', type: 'timestamptz', nullable: true })
  nextResponseDueAt: Date | null;

  @Column({ name: 'resolution_due_at', type: 'timestamptz', nullable: true })
  resolutionDueAt: Date | null;

  /** The first breach of any target on this ticket; kept when the ticket is later answered. */
  @Column({ name: 'sla_breached_at', type: 'timestamptz', nullable: true })
  slaBreachedAt: Date | null;

  // --- CSAT: the one-question survey after resolution ---

  @Column({ name: 'csat_score', type: 'smallint', nullable: true })
  csatScore: number | null;

  @Column({ name: 'csat_at', type: 'timestamptz', nullable: true })
  csatAt: Date | null;

  /** The channel the answer came through (email link, chat buttons, an IVR digit). */
  @Column({ name: 'csat_channel', type: 'varchar', length: 16, nullable: true })
  csatChannel: string | null;

  @Column({ name: 'csat_comment', type: 'text', nullable: true })
  csatComment: string | null;

  // --- Level 0's classification of a free-text contact ---

  /** The classifier model that classified the contact; null when nothing was classified (the channel said). */
  @Column({ name: 'classifier_version', type: 'integer', nullable: true })
  classifierVersion: number | null;

  /** How sure the model was of the institution (0–1). */
  @Column({ name: 'classifier_confidence', type: 'real', nullable: true })
  classifierConfidence: number | null;

  /** Below the confidence threshold: routed to the general queue for a person to classify. */
  @Column({ type: 'boolean', default: false })
  unclassified: boolean;

  // --- Follow-ups: snoozed out of the inbox, and how long it has waited on the customer ---

  /** Set while snoozed: the ticket is out of the default inbox until `snoozedUntil` or the customer's reply. */
  @Column({ name: 'snoozed_at', type: 'timestamptz', nullable: true })
  snoozedAt: Date | null;

  @Column({ name: 'snoozed_until', type: 'timestamptz', nullable: true })
  snoozedUntil: Date | null;

  @Column({ name: 'snooze_until_reply', type: 'boolean', default: false })
  snoozeUntilReply: boolean;

  @Column({ name: 'snooze_note', type: 'text', nullable: true })
  snoozeNote: string | null;

  @Column({ name: 'snoozed_by_id', type: 'uuid', nullable: true })
  snoozedById: string | null;

  /** When the current wait on the customer began: auto-close counts working days from it. */
  @Column({ name: 'pending_customer_since', type: 'timestamptz', nullable: true })
  pendingCustomerSince: Date | null;
}

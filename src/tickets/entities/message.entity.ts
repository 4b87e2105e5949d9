import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Attachment } from './attachment.entity';
import type { Channel } from './ticket.entity';
import { Ticket } from './ticket.entity';

export type MessageDirection = 'inbound' | 'outbound';
export type MessageAuthor = 'customer' | 'agent' | 'bot' | 'system';
export type DeliveryStatus = 'queued' | 'sent' | 'delivered' | 'failed';

/**
 * One inbound or outbound item on a ticket. (channel, external_id) is unique: that is what makes every
 * inbound event idempotent, whatever the channel calls its id (Message-ID, CallSid, submission id...).
 */
@Entity({ name: 'messages' })
@Unique('uq_messages_channel_external_id', ['channel', 'externalId'])
@Index('ix_messages_ticket_created', ['ticketId', 'createdAt'])
@Index('ix_messages_bot_address', ['address', 'createdAt'], { where: "author_type = 'bot'" })
// The outbound sweep's and the board's (migration SweepIndexes).
@Index('ix_messages_outbound_queued', ['createdAt'], { where: "direction = 'outbound' AND delivery_status = 'queued'" })
@Index('ix_messages_agent_replies', ['createdAt'], { where: "author_type = 'agent' AND direction = 'outbound' AND NOT internal" })
export class Message {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'ticket_id', type: 'uuid' })
  ticketId: string;

  @ManyToOne(() => Ticket, (t) => t.messages, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ticket_id' })
  ticket?: Ticket;

  @Column({ type: 'varchar', length: 16 })
  channel: Channel;

  @Column({ name: 'external_id', type: 'text', nullable: true })
  externalId: string | null;

  @Column({ type: 'varchar', length: 8 })
  direction: MessageDirection;

  @Column({ name: 'author_type', type: 'varchar', length: 8 })
  authorType: MessageAuthor;

  @Column({ name: 'author_agent_id', type: 'uuid', nullable: true })
  authorAgentId: string | null;

  @Column({ type: 'text', nullable: true })
  subject: string | null;

  @Column({ type: 'text', default: '' })
  text: string;

  /** Already sanitised: safe to show in an agent's browser. */
  @Column({ type: 'text', nullable: true })
  html: string | null;

  /** Internal notes are never sent to the customer. */
  @Column({ type: 'boolean', default: false })
  internal: boolean;

  @Column({ name: 'delivery_status', type: 'varchar', length: 16, nullable: true })
  deliveryStatus: DeliveryStatus | null;

  @Column({ name: 'delivery_error', type: 'text', nullable: true })
  deliveryError: string | null;

  /** The customer's address on the channel: the sender of an inbound message, the recipient of an outbound one. */
  @Column({ type: 'text', nullable: true })
  address: string | null;

  /** Channel details worth keeping: the references chain of an e-mail, why no acknowledgement was sent, ... */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  meta: Record<string, unknown>;

  /** When the channel says the customer sent it (may be earlier than created_at). */
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  /** The words of subject and text, diacritics folded: its ticket's search document is built from them (src/tickets/ticket-search.ts). */
  @Column({
    name: 'search_vector',
    type: 'tsvector',
    select: false,
    insert: false,
    update: false,
    generatedType: 'STORED',
    asExpression: `to_tsvector('simple'::regconfig, kb_unaccent(coalesce("subject", '') || ' ' || coalesce("text", '')))`,
  })
  searchVector?: string;

  @OneToMany(() => Attachment, (a) => a.message)
  attachments?: Attachment[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

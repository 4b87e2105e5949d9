import { Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';

export type InboundEventStatus = 'accepted' | 'processed' | 'failed';

/**
 * Every inbound event the centre has accepted, written before the channel is answered. It makes acceptance
 * durable even if Redis loses the job (a sweep re-enqueues what is still `accepted`) and makes a replayed
 * webhook answer with the reference it got the first time.
 */
@Entity({ name: 'inbound_events' })
@Unique('uq_inbound_events_channel_external_id', ['channel', 'externalId'])
@Index('ix_inbound_events_pending', ['receivedAt'], { where: "status = 'accepted'" })
// A subject request reads, and an erasure blanks, the events of a person's tickets.
@Index('ix_inbound_events_ticket', ['ticketId'])
export class InboundEvent {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 16 })
  channel: string;

  @Column({ name: 'external_id', type: 'text' })
  externalId: string;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  /** The InboundMessage without attachment contents (those are rows of `attachments`). */
  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  /**
   * The events accepted by one INSERT share it, and one `inbound` job (inboundJobIdOf). Null for events accepted
   * before batches, whose job holds them alone.
   */
  @Column({ name: 'batch_id', type: 'uuid', nullable: true })
  batchId: string | null;

  /** Reserved on acceptance for channels that must answer with a reference (web forms). */
  @Column({ type: 'varchar', length: 32, nullable: true })
  reference: string | null;

  @Column({ type: 'varchar', length: 16, default: 'accepted' })
  status: InboundEventStatus;

  @Column({ name: 'ticket_id', type: 'uuid', nullable: true })
  ticketId: string | null;

  @Column({ name: 'message_id', type: 'uuid', nullable: true })
  messageId: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt: Date | null;
}

import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Message } from './message.entity';

/**
 * A file that came with an inbound event. It is stored when the event is accepted (so the queue never carries
 * megabytes) and linked to its message when the event is processed.
 */
@Entity({ name: 'attachments' })
// Full-text search of file names: an expression index, created by migration TicketSearch only.
@Index('ix_attachments_filename_search', { synchronize: false })
export class Attachment {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ name: 'message_id', type: 'uuid', nullable: true })
  messageId: string | null;

  @ManyToOne(() => Message, (m) => m.attachments, { nullable: true, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'message_id' })
  message?: Message | null;

  @Index()
  @Column({ name: 'inbound_event_id', type: 'uuid', nullable: true })
  inboundEventId: string | null;

  @Column({ type: 'text' })
  filename: string;

  /** Detected from the content, not taken from the sender's word. */
  @Column({ name: 'content_type', type: 'text' })
  contentType: string;

  @Column({ type: 'integer' })
  size: number;

  @Column({ type: 'varchar', length: 64 })
  sha256: string;

  @Column({ type: 'bytea', select: false })
  content: Buffer;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Message } from './message.entity';

/**
 * A file that came with an inbound event. It is stored when the event is accepted (so the queue never carries
 * megabytes) and linked to its message when the event is processed.
 */
export const ATTACHMENT_SCAN_STATUSES = ['pending', 'clean', 'infected', 'not_scanned'] as const;
export type AttachmentScanStatus = (typeof ATTACHMENT_SCAN_STATUSES)[number];

@Entity({ name: 'attachments' })
@Index('ix_attachments_scan_pending', ['createdAt'], { where: "scan_status = 'pending'" })
@Check('CHK_attachments_scan_status', `scan_status IN ('pending', 'clean', 'infected', 'not_scanned')`)
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

  /**
   * clamd's verdict. 'pending' files wait for clamd and are not served; 'infected' ones are quarantined: kept for
   * the record, never served; 'not_scanned' ones arrived while no scanner was configured (or before there was one).
   */
  @Column({ name: 'scan_status', type: 'text', default: 'not_scanned' })
  scanStatus: AttachmentScanStatus;

  /** The signature clamd named, for an infected file. */
  @Column({ name: 'scan_threat', type: 'text', nullable: true })
  scanThreat: string | null;

  @Column({ name: 'scanned_at', type: 'timestamptz', nullable: true })
  scannedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Institution } from '../../../institutions/entities/institution.entity';

/**
 * A mailbox the centre reads over IMAP (the shared one, or an institution's own). Progress is checkpointed
 * here by UIDVALIDITY + last UID, so a restart at any point neither loses nor repeats mail.
 */
@Entity({ name: 'mailboxes' })
export class Mailbox {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** `default` is the mailbox configured by the IMAP_* variables. */
  @Column({ type: 'varchar', length: 64, unique: true })
  name: string;

  /** The address people write to; replies go out from it. */
  @Column({ type: 'text' })
  address: string;

  @Column({ name: 'institution_id', type: 'uuid', nullable: true })
  institutionId: string | null;

  @ManyToOne(() => Institution, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'institution_id' })
  institution?: Institution | null;

  @Column({ type: 'text' })
  host: string;

  @Column({ type: 'integer' })
  port: number;

  @Column({ type: 'boolean', default: true })
  tls: boolean;

  @Column({ type: 'text' })
  username: string;

  /** Never returned by the API; sealed with AES-256-GCM under DATA_ENCRYPTION_KEY (src/secrets). */
  @Column({ type: 'text', select: false })
  password: string;

  @Column({ type: 'text', default: 'INBOX' })
  folder: string;

  @Column({ name: 'processed_action', type: 'varchar', length: 8, default: 'flag' })
  processedAction: 'flag' | 'move';

  @Column({ name: 'processed_folder', type: 'text', default: 'Processed' })
  processedFolder: string;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ name: 'uid_validity', type: 'bigint', nullable: true })
  uidValidity: string | null;

  @Column({ name: 'last_uid', type: 'bigint', default: 0 })
  lastUid: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

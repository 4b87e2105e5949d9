import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { SubjectRequest } from './subject-request.entity';

/** A download link of an access archive: it works once (consumed_at), and only until it expires. */
@Entity({ name: 'subject_request_downloads' })
@Index('ix_subject_request_downloads_request', ['requestId'])
export class SubjectRequestDownload {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_subject_request_downloads' })
  id: string;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId: string;

  @ManyToOne(() => SubjectRequest, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'request_id', foreignKeyConstraintName: 'FK_subject_request_downloads_request' })
  request?: SubjectRequest;

  @Column({ name: 'created_by_id', type: 'uuid' })
  createdById: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'consumed_at', type: 'timestamptz', nullable: true })
  consumedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const SUBJECT_REQUEST_KINDS = ['access', 'erasure'] as const;
export type SubjectRequestKind = (typeof SUBJECT_REQUEST_KINDS)[number];
export const SUBJECT_REQUEST_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type SubjectRequestStatus = (typeof SUBJECT_REQUEST_STATUSES)[number];

/**
 * A person's request under the GDPR, answered by a background job. `identifiers` and `working` hold personal data
 * only while the job needs them: an erasure clears both when it is done, so the request never outlives the person.
 */
@Entity({ name: 'subject_requests' })
export class SubjectRequest {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_subject_requests' })
  id: string;

  @Column({ type: 'varchar', length: 16 })
  kind: SubjectRequestKind;

  /** The kind of the identifier the request named first (kept after erasure, unlike the value). */
  @Column({ name: 'identifier_kind', type: 'varchar', length: 16 })
  identifierKind: string;

  /** Normalised [{kind, value}] the person is found by. */
  @Column({ type: 'jsonb', nullable: true })
  identifiers: Array<{ kind: string; value: string }> | null;

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'varchar', length: 16, default: 'queued' })
  status: SubjectRequestStatus;

  /** The last step that committed: a restarted job goes on from the next one. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  step: string | null;

  @Column({ type: 'smallint', default: 0 })
  progress: number;

  /** What the first step found (ids and the strings to scrub), for the steps after it. */
  @Column({ type: 'jsonb', nullable: true })
  working: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  result: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  /** The access archive (zip), until the person is erased. */
  @Column({ type: 'bytea', nullable: true, select: false })
  archive: Buffer | null;

  @Column({ name: 'archive_sha256', type: 'varchar', length: 64, nullable: true })
  archiveSha256: string | null;

  @Column({ name: 'requested_by_id', type: 'uuid' })
  requestedById: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}

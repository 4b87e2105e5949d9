import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Who read or changed which personal data, when and from where. Only ever appended: a trigger refuses UPDATE and
 * DELETE except for an erasure's redaction of `detail` and retention (see the PersonalData migration).
 */
@Entity({ name: 'audit_events' })
@Index(['subjectType', 'subjectId'])
@Index('ix_audit_events_created', ['createdAt', 'id'])
export class AuditEvent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ name: 'actor_agent_id', type: 'uuid', nullable: true })
  actorAgentId: string | null;

  @Column({ type: 'varchar', length: 64 })
  action: string;

  @Column({ name: 'subject_type', type: 'varchar', length: 32 })
  subjectType: string;

  @Column({ name: 'subject_id', type: 'text' })
  subjectId: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  detail: Record<string, unknown>;

  @Column({ type: 'text', nullable: true })
  ip: string | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

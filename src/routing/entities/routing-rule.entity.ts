import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Institution } from '../../institutions/entities/institution.entity';
import { Queue } from './queue.entity';

/**
 * Where a new contact goes, as data: the first active rule (lowest position) whose every given condition matches
 * sends the ticket to its queue. A condition left empty matches anything. No match: the institution's own queue,
 * or the general queue.
 */
@Entity({ name: 'routing_rules' })
@Index('ix_routing_rules_position', ['position'])
export class RoutingRule {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'integer' })
  position: number;

  @Column({ name: 'institution_id', type: 'uuid', nullable: true })
  institutionId: string | null;

  @ManyToOne(() => Institution, { nullable: true, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'institution_id' })
  institution?: Institution | null;

  @Column({ type: 'varchar', length: 2, nullable: true })
  language: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  channel: string | null;

  /** Compared case-insensitively with the ticket's topic. */
  @Column({ type: 'text', nullable: true })
  topic: string | null;

  @Column({ name: 'queue_id', type: 'uuid' })
  queueId: string;

  @ManyToOne(() => Queue, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'queue_id' })
  queue?: Queue;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

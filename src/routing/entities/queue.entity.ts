import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Institution } from '../../institutions/entities/institution.entity';

/**
 * How a queue's waiting work reaches people: `manual` (agents claim from the inbox), `round_robin` (the online agent
 * who was given work longest ago), `least_loaded` (the lowest share of capacity in use), `skills` (only agents whose
 * skills include the ticket's topic, least loaded first). Automatic strategies never exceed an agent's capacity.
 */
export const ASSIGNMENT_STRATEGIES = ['manual', 'round_robin', 'least_loaded', 'skills'] as const;
export type AssignmentStrategy = (typeof ASSIGNMENT_STRATEGIES)[number];

/** A named routing target: the general queue, or one per institution and level. */
@Entity({ name: 'queues' })
// At most one general queue, enforced by the database rather than by convention.
@Index('uq_queues_one_general', ['isGeneral'], { unique: true, where: 'is_general' })
export class Queue {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  code: string;

  @Column({ type: 'text' })
  name: string;

  @Index()
  @Column({ name: 'institution_id', type: 'uuid', nullable: true })
  institutionId: string | null;

  @ManyToOne(() => Institution, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'institution_id' })
  institution?: Institution | null;

  @Column({ type: 'smallint', default: 1 })
  level: number;

  /** The queue that takes what no rule sends elsewhere. Exactly one queue is general. */
  @Column({ name: 'is_general', type: 'boolean', default: false })
  isGeneral: boolean;

  @Column({ type: 'varchar', length: 16, default: 'manual' })
  strategy: AssignmentStrategy;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

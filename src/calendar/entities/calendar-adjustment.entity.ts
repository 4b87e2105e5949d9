import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * What the law on holidays cannot know in advance: a Cabinet order moving a working day (`transfer`: `date` is
 * the day off, `worked_on` the Saturday worked instead) or a one-off holiday (`holiday`, e.g. 29 May 2023).
 */
@Entity({ name: 'calendar_adjustments' })
@Unique('uq_calendar_adjustments_kind_date', ['kind', 'date'])
export class CalendarAdjustment {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 16 })
  kind: 'transfer' | 'holiday';

  @Column({ type: 'date' })
  date: string;

  @Column({ name: 'worked_on', type: 'date', nullable: true })
  workedOn: string | null;

  @Column({ type: 'text', nullable: true })
  name: string | null;

  /** A holiday that, on a weekend, moves to the next working day (the Song and Dance Festival closing day). */
  @Column({ name: 'weekend_moves', type: 'boolean', default: false })
  weekendMoves: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

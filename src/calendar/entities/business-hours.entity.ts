import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Working hours of a centre per weekday, in Riga time: { mon: [["08:30","17:00"]], ..., sun: [] }. */
@Entity({ name: 'business_hours' })
export class BusinessHours {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  centre: string;

  @Column({ type: 'jsonb' })
  hours: Record<string, Array<[string, string]>>;

  /** Dates whose hours replace the usual ones: { "2026-11-18": [["10:00","14:00"]], "2026-12-31": [] }. */
  @Column({ name: 'special_hours', type: 'jsonb', default: {} })
  specialHours: Record<string, Array<[string, string]>>;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export const CENTRE_KINDS = ['remote', 'vpvkac'] as const;
export type CentreKind = (typeof CENTRE_KINDS)[number];

/**
 * A service centre whose work is funded and reported on its own: the remote VPPPD line, or a VPVKAC one-stop
 * centre in a town. Agents work for one; counter contacts name the one they were served at. Its hours are in
 * `business_hours` under the same code.
 */
@Entity({ name: 'centres' })
export class Centre {
  @PrimaryColumn({ type: 'varchar', length: 32, primaryKeyConstraintName: 'PK_centres_code' })
  code: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'varchar', length: 16, default: 'vpvkac' })
  kind: CentreKind;

  /** Where a VPVKAC centre is: also what an old free-text counter location is matched against. */
  @Column({ type: 'text', nullable: true })
  town: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

import { Column, CreateDateColumn, Entity, Index, OneToMany, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { CustomerIdentifier } from './customer-identifier.entity';

/** One person or company across every channel. */
@Entity({ name: 'customers' })
// Search by name: an expression index, created by migration TicketSearch only.
@Index('ix_customers_name_search', { synchronize: false })
export class Customer {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'first_name', type: 'text', nullable: true })
  firstName: string | null;

  @Column({ name: 'last_name', type: 'text', nullable: true })
  lastName: string | null;

  @Column({ name: 'preferred_language', type: 'varchar', length: 2, nullable: true })
  preferredLanguage: string | null;

  /** The channel the person prefers to be answered on (as staff recorded it); null: the channel of each contact. */
  @Column({ name: 'preferred_channel', type: 'varchar', length: 16, nullable: true })
  preferredChannel: string | null;

  /** Set while this record is merged into another (its tickets and identifiers moved there); cleared by an undo. */
  @Column({ name: 'merged_into_id', type: 'uuid', nullable: true })
  mergedIntoId: string | null;

  @OneToMany(() => CustomerIdentifier, (i) => i.customer)
  identifiers?: CustomerIdentifier[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Customer } from './customer.entity';

export const IDENTIFIER_KINDS = ['email', 'phone', 'personal_code', 'e_address', 'latvija_lv', 'social'] as const;
export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

/** A way to recognise a customer; (kind, value) belongs to one customer only. Values are stored normalised. */
@Entity({ name: 'customer_identifiers' })
@Unique('uq_customer_identifier', ['kind', 'value'])
export class CustomerIdentifier {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ name: 'customer_id', type: 'uuid' })
  customerId: string;

  @ManyToOne(() => Customer, (c) => c.identifiers, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'customer_id' })
  customer?: Customer;

  @Column({ type: 'varchar', length: 32 })
  kind: IdentifierKind;

  @Column({ type: 'text' })
  value: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

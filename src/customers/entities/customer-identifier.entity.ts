import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { Provenance } from '../customer-matching';
import { Customer } from './customer.entity';

/**
 * Social ids are per platform and mean nothing elsewhere: a Messenger PSID is per page, an Instagram IGSID per
 * account, a Telegram chat id per bot. A WhatsApp sender is a phone number and is stored as one, so a caller and
 * a WhatsApp writer with the same number are one customer. (kind is a plain varchar: a new kind needs no migration.)
 */
export const IDENTIFIER_KINDS = [
  'email',
  'phone',
  'personal_code',
  'e_address',
  'latvija_lv',
  'social',
  'messenger_psid',
  'instagram_igsid',
  'telegram_chat',
  'chat_session',
] as const;
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

  /** Who vouches for it (see customer-matching.ts): decides whether it may join a later contact to this customer. */
  @Column({ type: 'varchar', length: 16, default: 'citizen' })
  provenance: Provenance;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

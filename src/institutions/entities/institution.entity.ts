import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'institutions' })
export class Institution {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Short code used by the portal and by people (VSAA, VID, ...). */
  @Column({ type: 'varchar', length: 32, unique: true })
  code: string;

  @Column({ name: 'name_lv', type: 'text' })
  nameLv: string;

  @Column({ name: 'name_en', type: 'text' })
  nameEn: string;

  @Column({ type: 'varchar', length: 16, default: 'state' })
  kind: 'state' | 'municipality' | 'emergency';

  /** False for services that cannot take a case from us (police, fire and rescue): contacts are routed on. */
  @Column({ name: 'accepts_cases', type: 'boolean', default: true })
  acceptsCases: boolean;

  /** Where a contact is routed on to when the institution only takes referrals. */
  @Column({ name: 'referral_info', type: 'text', nullable: true })
  referralInfo: string | null;

  /** Origins (scheme://host[:port]) of the sites that may embed the chat widget; empty: none may. */
  @Column({ name: 'chat_allowed_origins', type: 'text', array: true, default: () => "'{}'" })
  chatAllowedOrigins: string[];

  /** The widget's main colour (#rrggbb); null: the centre's default. */
  @Column({ name: 'chat_colour', type: 'varchar', length: 7, nullable: true })
  chatColour: string | null;

  /** The name the widget shows in its header; null: the centre's own. */
  @Column({ name: 'chat_centre_name', type: 'text', nullable: true })
  chatCentreName: string | null;

  /** An https address of the logo the widget shows; null: none. */
  @Column({ name: 'chat_logo_url', type: 'text', nullable: true })
  chatLogoUrl: string | null;

  /** The privacy notice the widget links before the first message; null: the notice is shown without a link. */
  @Column({ name: 'chat_privacy_url', type: 'text', nullable: true })
  chatPrivacyUrl: string | null;

  /** How citizens reach the institution (phone, e-mail, address), as canned answers' {{institution.contact}} writes it. */
  @Column({ name: 'public_contact', type: 'text', nullable: true })
  publicContact: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

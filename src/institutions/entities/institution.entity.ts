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

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const WEBHOOK_EVENTS = ['ticket.escalated', 'ticket.handed_back', 'ticket.closed', 'ticket.custom_fields_changed'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** An institution's own system that wants to hear about its tickets. The secret signs every delivery. */
@Entity({ name: 'webhook_subscriptions' })
export class WebhookSubscription {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ name: 'institution_id', type: 'uuid' })
  institutionId: string;

  @Column({ type: 'text' })
  url: string;

  /** Never returned by the API; sealed with AES-256-GCM under DATA_ENCRYPTION_KEY (src/secrets). */
  @Column({ type: 'text', select: false })
  secret: string;

  @Column({ type: 'text', array: true })
  events: WebhookEvent[];

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

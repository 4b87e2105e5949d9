import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const CALL_OUTCOMES = [
  'self_served',
  'answered',
  'abandoned',
  'voicemail',
  'callback_requested',
  'failed',
  'busy',
  'no_answer',
] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/**
 * The voice detail of a ticket, keyed by Twilio's CallSid: what the caller did in the IVR, how long they waited
 * and talked, and how it ended. The ticket itself is written by the inbound pipeline (channel voice, external id
 * = CallSid); this row is owned by the voice channel.
 */
@Entity('calls')
@Index('idx_calls_waiting', ['queueName', 'enqueuedAt'], {
  where: 'answered_at IS NULL AND left_queue_at IS NULL AND ended_at IS NULL AND enqueued_at IS NOT NULL',
})
export class Call {
  @PrimaryColumn({ name: 'call_sid', type: 'varchar', length: 64 })
  callSid: string;

  @Column({ name: 'from_number', type: 'text' })
  fromNumber: string;

  @Column({ name: 'to_number', type: 'text', nullable: true })
  toNumber: string | null;

  @Column({ type: 'varchar', length: 2, nullable: true })
  language: string | null;

  /** Menu keys and events in the order the caller met them; a step is appended once even if Twilio retries. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  path: string[];

  @Column({ name: 'institution_code', type: 'varchar', length: 32, nullable: true })
  institutionCode: string | null;

  @Column({ type: 'text', nullable: true })
  topic: string | null;

  /** The caller heard at least one answer (level 0). */
  @Column({ name: 'heard_answer', type: 'boolean', default: false })
  heardAnswer: boolean;

  @Column({ name: 'queue_name', type: 'varchar', length: 64, nullable: true })
  queueName: string | null;

  @Column({ name: 'enqueued_at', type: 'timestamptz', nullable: true })
  enqueuedAt: Date | null;

  /** The caller pressed a key to leave the queue (for a voicemail or a call-back). */
  @Column({ name: 'left_queue_at', type: 'timestamptz', nullable: true })
  leftQueueAt: Date | null;

  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true })
  answeredAt: Date | null;

  @Column({ name: 'answered_by', type: 'uuid', nullable: true })
  answeredBy: string | null;

  /** What the caller chose instead of waiting: voicemail or callback. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  choice: 'voicemail' | 'callback' | null;

  @Column({ name: 'callback_number', type: 'text', nullable: true })
  callbackNumber: string | null;

  @Column({ name: 'recording_sid', type: 'varchar', length: 64, nullable: true })
  recordingSid: string | null;

  @Column({ name: 'recording_url', type: 'text', nullable: true })
  recordingUrl: string | null;

  @Column({ name: 'recording_seconds', type: 'integer', nullable: true })
  recordingSeconds: number | null;

  /** When the call was handed to the inbound pipeline as a ticket (once). */
  @Column({ name: 'ticket_requested_at', type: 'timestamptz', nullable: true })
  ticketRequestedAt: Date | null;

  /** Twilio's final CallStatus. */
  @Column({ name: 'twilio_status', type: 'varchar', length: 16, nullable: true })
  twilioStatus: string | null;

  @Column({ type: 'varchar', length: 24, nullable: true })
  outcome: string | null;

  @Column({ name: 'duration_seconds', type: 'integer', nullable: true })
  durationSeconds: number | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  /** The last operator call-back placed through the REST API. */
  @Column({ name: 'callback_call_sid', type: 'varchar', length: 64, nullable: true })
  callbackCallSid: string | null;

  @Column({ name: 'callback_placed_at', type: 'timestamptz', nullable: true })
  callbackPlacedAt: Date | null;

  @Column({ name: 'callback_placed_by', type: 'uuid', nullable: true })
  callbackPlacedBy: string | null;

  @CreateDateColumn({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

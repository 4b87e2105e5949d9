/** The voice channel's call record as the IVR reads it, and the pure rules about it. */
import type { CallOutcome } from './entities/call.entity';

/** A row of `calls` as the IVR needs it. */
export interface CallRow {
  call_sid: string;
  from_number: string;
  to_number: string | null;
  language: string | null;
  path: string[];
  institution_code: string | null;
  topic: string | null;
  heard_answer: boolean;
  queue_name: string | null;
  enqueued_at: Date | null;
  left_queue_at: Date | null;
  answered_at: Date | null;
  answered_by: string | null;
  choice: 'voicemail' | 'callback' | null;
  callback_number: string | null;
  recording_url: string | null;
  ticket_requested_at: Date | null;
  twilio_status: string | null;
  outcome: CallOutcome | null;
  started_at: Date;
  ended_at: Date | null;
}

/** TypeORM answers an UPDATE … RETURNING with [rows, affected count]; a SELECT or INSERT with the rows. */
export function returned<T>(result: unknown): T[] {
  const r = result as unknown[];
  return (Array.isArray(r[0]) ? r[0] : r) as T[];
}

/** Where a call has got to, as each step knows it from its URL and Twilio's parameters. */
export interface Progress {
  callSid: string;
  from: string;
  to: string | null;
  path: string[];
  language?: string;
  heardAnswer?: boolean;
  institutionCode?: string | null;
  topic?: string | null;
}

/**
 * Joined into every write to `calls` (the channel's working state): that statement's commit does not wait for
 * the WAL flush. A database crash may forget the last fraction of a second of it, never a ticket or a message —
 * those go through the pipeline, whose writes stay synchronous — and each of these writes is safe to repeat (a
 * call missing its row is recreated by the status callback). set_config(…, true) lasts for the statement's own
 * transaction only, so the pooled connection is left as it was; one round trip, no explicit transaction.
 */
export const ASYNC_COMMIT = `(SELECT set_config('synchronous_commit', 'off', true)) AS async_commit`;

export const FINAL_STATUSES = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);
const E164 = /^\+[1-9][0-9]{6,14}$/;
export const isDiallable = (number: string | null | undefined): number is string => !!number && E164.test(number);

/** How a call ended, from what happened in it (the order matters: an answered call that also left a message was answered). */
export function callOutcome(call: CallRow, twilioStatus: string): CallOutcome {
  if (twilioStatus === 'busy') return 'busy';
  if (twilioStatus === 'no-answer') return 'no_answer';
  if (twilioStatus === 'failed') return 'failed';
  if (call.answered_at) return 'answered';
  if (call.choice === 'voicemail' && call.recording_url) return 'voicemail';
  if (call.choice === 'callback') return 'callback_requested';
  if (call.enqueued_at) return 'abandoned';
  if (call.heard_answer) return 'self_served';
  return 'abandoned';
}

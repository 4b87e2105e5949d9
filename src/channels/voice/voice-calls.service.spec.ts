import type { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/app-config';
import type { InboundMessage } from '../../inbound/inbound-message';
import type { InboundService } from '../../inbound/inbound.service';
import type { MetricsService } from '../../metrics/metrics.service';
import type { TicketActionsService } from '../../tickets/ticket-actions.service';
import type { CallProgressService } from './call-progress.service';
import type { CallRow } from './call-record';
import type { RecordingFetcher } from './recording-fetcher';
import { VoiceCallsService } from './voice-calls.service';

const CALL_SID = 'CA0123456789abcdef0123456789abcdef';

function callRow(overrides: Partial<CallRow> = {}): CallRow {
  return {
    call_sid: CALL_SID,
    from_number: '+37120000001',
    to_number: '+37167000000',
    language: 'lv',
    path: [],
    institution_code: null,
    topic: null,
    heard_answer: false,
    queue_name: null,
    enqueued_at: null,
    left_queue_at: null,
    answered_at: null,
    answered_by: null,
    choice: null,
    callback_number: null,
    recording_url: null,
    ticket_requested_at: null,
    twilio_status: null,
    outcome: null,
    started_at: new Date('2026-12-04T10:00:00Z'),
    ended_at: null,
    ...overrides,
  };
}

/**
 * The `calls` table behind a scripted `query`: the call's row as the status callback finds it. `written` is a
 * row the call's first steps left (another API process writes them behind its answers), `ended` one whose end a
 * delivery of the callback claimed before.
 */
function service(found: 'no row' | 'written' | 'ended, never handed over') {
  let row: CallRow | null =
    found === 'no row' ? null : callRow(found === 'written' ? {} : { ended_at: new Date(), twilio_status: 'completed' });
  const query = jest.fn(async (sql: string) => {
    if (sql.includes('INSERT INTO calls') && sql.includes('ON CONFLICT (call_sid) DO UPDATE')) {
      if (row?.ended_at) return []; // the WHERE of the update refuses an ended call
      row = { ...(row ?? callRow()), ended_at: new Date(), twilio_status: 'completed' };
      return [row];
    }
    if (sql.trim().startsWith('SELECT * FROM calls')) return row ? [row] : [];
    return [];
  });
  const accepted: InboundMessage[] = [];
  const inbound = {
    accept: jest.fn(async (message: InboundMessage) => {
      accepted.push(message);
      return { eventId: 'e1', reference: null, status: 'accepted', duplicate: false };
    }),
    isAccepted: jest.fn(async () => accepted.length > 0),
  };
  const calls = new VoiceCallsService(
    { query } as unknown as DataSource,
    inbound as unknown as InboundService,
    {} as TicketActionsService,
    { voiceCalls: { inc: () => undefined } } as unknown as MetricsService,
    { settled: async () => undefined } as unknown as CallProgressService,
    {} as RecordingFetcher,
    { TWILIO_SMS_FROM: '' } as AppConfig,
  );
  return { calls, accepted, row: () => row };
}

describe('VoiceCallsService.ended', () => {
  const completed = { status: 'completed', from: '+37120000001', to: '+37167000000', duration: 42 };

  it.each(['no row', 'written', 'ended, never handed over'] as const)('hands the call over once when it finds %s', async (found) => {
    const { calls, accepted, row } = service(found);
    expect(await calls.ended(CALL_SID, completed)).not.toBeNull();
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({ channel: 'voice', externalId: CALL_SID });
    expect(accepted[0].text).toMatch(/^Call from \+37120000001 /);
    expect(row()?.ended_at).toBeInstanceOf(Date);
  });

  it('changes nothing when the callback is delivered again', async () => {
    const { calls, accepted } = service('written');
    await calls.ended(CALL_SID, completed);
    expect(await calls.ended(CALL_SID, completed)).toBeNull();
    expect(accepted).toHaveLength(1);
  });
});

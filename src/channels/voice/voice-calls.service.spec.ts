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
 * The `calls` table as another API process sees it: the row of a call whose first steps that process answered
 * appears at a moment the test chooses, as its progress writes (behind its answers) land.
 */
function service(script: { rowAppears: 'before the look' | 'between the look and the insert' | 'never' }) {
  let row: CallRow | null = null;
  let ended: CallRow | null = null;
  const statements: string[] = [];
  const query = jest.fn(async (sql: string) => {
    const kind = sql.trim().split(/\s+/)[0];
    statements.push(kind);
    if (kind === 'UPDATE' && sql.includes('SET ended_at = now()')) {
      if (row && !row.ended_at) {
        row = { ...row, ended_at: new Date(), twilio_status: 'completed' };
        ended = row;
        return [[row], 1];
      }
      if (script.rowAppears === 'before the look' && !row) row = callRow(); // lands right after the claim missed it
      return [[], 0];
    }
    if (kind === 'SELECT') {
      const seen = row;
      if (script.rowAppears === 'between the look and the insert' && !row) row = callRow();
      return seen ? [seen] : [];
    }
    if (kind === 'INSERT') {
      if (row) return []; // ON CONFLICT DO NOTHING
      row = callRow({ ended_at: new Date(), twilio_status: 'completed' });
      ended = row;
      return [row];
    }
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
  return { calls, accepted, statements, ended: () => ended };
}

describe('VoiceCallsService.ended: the call whose first steps another API process is still writing', () => {
  const completed = { status: 'completed', from: '+37120000001', to: '+37167000000', duration: 42 };

  it.each(['before the look', 'between the look and the insert', 'never'] as const)(
    'hands the call over once when its row appears %s',
    async (rowAppears) => {
      const { calls, accepted, ended } = service({ rowAppears });
      const outcome = await calls.ended(CALL_SID, completed);
      expect(outcome).not.toBeNull();
      expect(accepted).toHaveLength(1);
      expect(accepted[0]).toMatchObject({ channel: 'voice', externalId: CALL_SID });
      expect(accepted[0].text).toMatch(/^Call from \+37120000001 /);
      expect(ended()?.ended_at).toBeInstanceOf(Date);
    },
  );

  it('changes nothing when the callback is delivered again', async () => {
    const { calls, accepted } = service({ rowAppears: 'never' });
    await calls.ended(CALL_SID, completed);
    expect(await calls.ended(CALL_SID, completed)).toBeNull();
    expect(accepted).toHaveLength(1);
  });
});

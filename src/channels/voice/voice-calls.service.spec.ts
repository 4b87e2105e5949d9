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

/** The service over a scripted `query` and pipeline; what else it holds is not used by a call's end. */
function callsService(query: jest.Mock, inbound: object): VoiceCallsService {
  return new VoiceCallsService(
    { query } as unknown as DataSource,
    inbound as unknown as InboundService,
    {} as TicketActionsService,
    { voiceCalls: { inc: () => undefined } } as unknown as MetricsService,
    { settled: async () => undefined } as unknown as CallProgressService,
    {} as RecordingFetcher,
    { TWILIO_SMS_FROM: '' } as AppConfig,
  );
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
  const calls = callsService(query, inbound);
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

/** The `calls` table of many calls behind a scripted `query`, as PostgreSQL would answer the batched claim. */
function manyCalls() {
  const ended = new Set<string>();
  const claimStatements: string[][] = [];
  const query = jest.fn(async (sql: string, params: unknown[] = []) => {
    if (sql.includes('INSERT INTO calls') && sql.includes('ON CONFLICT (call_sid) DO UPDATE')) {
      const sids = params[0] as string[];
      claimStatements.push(sids);
      await new Promise((resolve) => setTimeout(resolve, 5));
      // ON CONFLICT may touch a row once a statement: PostgreSQL refuses a statement that names a call twice.
      if (new Set(sids).size !== sids.length) throw new Error('ON CONFLICT DO UPDATE command cannot affect row a second time');
      if ((params[4] as Array<number | null>).some((d) => d !== null && d > 2_147_483_647)) throw new Error('integer out of range');
      const claimed = sids.filter((sid) => !ended.has(sid));
      claimed.forEach((sid) => ended.add(sid));
      return claimed.map((sid) => callRow({ call_sid: sid, ended_at: new Date(), twilio_status: 'completed' }));
    }
    if (sql.trim().startsWith('SELECT * FROM calls'))
      return ended.has(params[0] as string) ? [callRow({ call_sid: params[0] as string, ended_at: new Date() })] : [];
    return [];
  });
  const accepted: string[] = [];
  const inbound = {
    accept: jest.fn(async (message: InboundMessage) => (accepted.push(message.externalId), { eventId: 'e', reference: null })),
    isAccepted: jest.fn(async (_channel: string, externalId: string) => accepted.includes(externalId)),
  };
  const calls = callsService(query, inbound);
  const sids = [...Array(6)].map((_, i) => `CA${String(i).padStart(32, '0')}`);
  return { calls, claimStatements, accepted, sids };
}

describe('VoiceCallsService.ended, many calls at once', () => {
  const completed = { status: 'completed', from: '+37120000001', to: '+37167000000', duration: 42 };

  it('claims the ends that arrive while a claim runs in one statement, and a call twice in it once', async () => {
    const { calls, claimStatements, accepted, sids } = manyCalls();
    const first = calls.ended(sids[0], completed);
    while (claimStatements.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    // While the first claim runs, five more calls end, one of them delivered twice.
    const rest = await Promise.all([...sids.slice(1), sids[3]].map((sid) => calls.ended(sid, completed)));
    expect(await first).not.toBeNull();

    expect(claimStatements).toEqual([[sids[0]], sids.slice(1)]);
    expect(rest.filter((outcome) => outcome !== null)).toHaveLength(5);
    expect([...accepted].sort()).toEqual(sids);
  });

  it('claims the others of a batch when one end cannot be stored, and fails only that one', async () => {
    const { calls, claimStatements, accepted, sids } = manyCalls();
    const first = calls.ended(sids[0], completed);
    while (claimStatements.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    const results = await Promise.allSettled([
      calls.ended(sids[1], completed),
      calls.ended(sids[2], { ...completed, duration: 3_000_000_000 }),
      calls.ended(sids[3], completed),
    ]);
    await first;
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect([...accepted].sort()).toEqual([sids[0], sids[1], sids[3]]);
  });
});

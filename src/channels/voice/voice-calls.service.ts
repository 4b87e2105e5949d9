import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { batchOrOneByOne, MicroBatcher, Settled } from '@lib/micro-batcher';
import { AuthUser } from '../../auth/auth-user';
import { AppConfig } from '../../config/app-config';
import { InboundMessage } from '../../inbound/inbound-message';
import { InboundService } from '../../inbound/inbound.service';
import { MetricsService } from '../../metrics/metrics.service';
import type { Language } from '../../tickets/entities/ticket.entity';
import { TicketActionsService } from '../../tickets/ticket-actions.service';
import type { CallOutcome } from './entities/call.entity';
import { canTakeSms } from '../sms/sms-number';
import { ASYNC_COMMIT, callOutcome, CallRow, FINAL_STATUSES, isDiallable, returned } from './call-record';
import { CallProgressService } from './call-progress.service';
import { RecordingFetcher } from './recording-fetcher';

/** What Twilio's status callback says of a call that has ended. */
interface EndedCall {
  callSid: string;
  status: string;
  from: string;
  to: string | null;
  duration: number | null;
}

/**
 * The voice channel's record of each call (the `calls` table) and its hand-over to the shared inbound pipeline:
 * a call becomes a ticket (external id = CallSid) the first moment it needs a person — queued, a voicemail, a
 * call-back — or when it ends; a voicemail and a call-back request are further messages threaded onto it.
 */
@Injectable()
export class VoiceCallsService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(VoiceCallsService.name);

  /**
   * A call's outcome, written after its ticket is accepted. Twilio does not wait for it, so it is written behind
   * the answer, many calls to a statement; like every write to `calls` it may be lost with the last moments of a
   * crash (the ticket is not: it went through the pipeline first).
   */
  private readonly outcomes = new MicroBatcher<{ callSid: string; outcome: CallOutcome }, Settled<void>>(
    (items) => this.writeOutcomes(items),
    {
      maxSize: 500,
      maxWaitMs: 25,
    },
  );

  /**
   * Calls' ends claimed together: at a low rate each goes at once, alone; while one statement runs, the ends that
   * arrive meanwhile wait for it and go as the next one (at saturation a fifth of the IVR's steps are ends).
   */
  private readonly endClaims = new MicroBatcher<EndedCall, Settled<CallRow | null>>((items) => this.claimEnds(items), {
    maxSize: 200,
    maxWaitMs: 0,
    maxInFlight: 1,
  });

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly inbound: InboundService,
    private readonly actions: TicketActionsService,
    private readonly metrics: MetricsService,
    private readonly progress: CallProgressService,
    private readonly recordings: RecordingFetcher,
    private readonly config: AppConfig,
  ) {}

  async find(callSid: string): Promise<CallRow | null> {
    const [row] = await this.dataSource.query(`SELECT * FROM calls WHERE call_sid = $1`, [callSid]);
    return (row as CallRow) ?? null;
  }

  async enqueued(
    callSid: string,
    queueName: string,
    context: { institutionCode: string | null; topic: string | null; language: string },
  ): Promise<CallRow | null> {
    const [row] = returned<CallRow>(
      await this.dataSource.query(
        `UPDATE calls SET queue_name = $2, enqueued_at = coalesce(enqueued_at, now()), institution_code = $3, topic = $4, language = $5, updated_at = now()
         FROM ${ASYNC_COMMIT} WHERE call_sid = $1 RETURNING calls.*`,
        [callSid, queueName, context.institutionCode, context.topic, context.language],
      ),
    );
    return row ?? null;
  }

  async choose(callSid: string, choice: 'voicemail' | 'callback', leavingQueue: boolean): Promise<CallRow | null> {
    const [row] = returned<CallRow>(
      await this.dataSource.query(
        `UPDATE calls SET choice = $2::varchar, callback_number = CASE WHEN $2::varchar = 'callback' THEN from_number ELSE callback_number END,
              left_queue_at = CASE WHEN $3 THEN coalesce(left_queue_at, now()) ELSE left_queue_at END, updated_at = now()
       FROM ${ASYNC_COMMIT} WHERE call_sid = $1 RETURNING calls.*`,
        [callSid, choice, leavingQueue],
      ),
    );
    return row ?? null;
  }

  /** The call as a ticket, once; safe to call at every step (the pipeline also refuses a second CallSid). */
  async ensureTicket(call: CallRow, why: string, servedAtLevel0 = false): Promise<void> {
    if (call.ticket_requested_at) return;
    await this.inbound.accept(this.callMessage(call, why, servedAtLevel0));
    await this.dataSource.query(
      `UPDATE calls SET ticket_requested_at = coalesce(ticket_requested_at, now()) FROM ${ASYNC_COMMIT} WHERE call_sid = $1`,
      [call.call_sid],
    );
    call.ticket_requested_at = new Date();
  }

  async requestCallback(call: CallRow): Promise<void> {
    await this.ensureTicket(call, 'asked for a call-back');
    await this.inbound.accept({
      ...this.base(call),
      externalId: `${call.call_sid}/callback`,
      threadHints: { externalIds: [call.call_sid] },
      text: `Call-back requested to ${call.from_number}.`,
      meta: { callSid: call.call_sid, callbackTo: call.from_number },
      ...this.smsNotice(call),
    });
  }

  /** The recording is ready: it becomes a message on the call's ticket (or opens one, if it is first). */
  async voicemailRecorded(callSid: string, recording: { sid: string; url: string; seconds: number }): Promise<void> {
    // The call's row may still be on its way from the steps before (written after their answers went back).
    await this.progress.settled(callSid);
    const [call] = returned<CallRow>(
      await this.dataSource.query(
        `UPDATE calls SET recording_sid = $2, recording_url = $3, recording_seconds = $4, choice = coalesce(choice, 'voicemail'), updated_at = now()
       FROM ${ASYNC_COMMIT} WHERE call_sid = $1 RETURNING calls.*`,
        [callSid, recording.sid, recording.url, recording.seconds],
      ),
    );
    if (!call) {
      this.logger.warn({ callSid }, 'recording for a call we never saw');
      return;
    }
    // A replayed callback finds the message already there: the audio is not fetched twice.
    if (await this.inbound.isAccepted('voice', recording.sid)) return;
    const audio = await this.recordings.fetch(recording.sid, recording.url);
    await this.inbound.accept({
      ...this.base(call),
      externalId: recording.sid,
      threadHints: { externalIds: [call.call_sid] },
      text: audio ? `Voicemail, ${recording.seconds} s (attached).` : `Voicemail, ${recording.seconds} s: ${recording.url}`,
      attachments: audio ? [audio] : [],
      ...this.smsNotice(call),
      meta: {
        callSid,
        recordingSid: recording.sid,
        recordingUrl: recording.url,
        recordingSeconds: recording.seconds,
        recordingStored: !!audio,
      },
    });
  }

  /**
   * Twilio's status callback. Only the first final status counts: a replay finds the call ended and changes
   * nothing. A call that never became a ticket becomes one now, resolved at level 0 when it was self-served.
   */
  async ended(
    callSid: string,
    params: { status: string; from: string; to: string | null; duration: number | null },
  ): Promise<CallOutcome | null> {
    if (!FINAL_STATUSES.has(params.status)) return null;
    // The caller may hang up a moment after a step whose progress is still being written here.
    await this.progress.settled(callSid);
    const claimed = await this.endClaims.submit({ callSid, ...params });
    if (!claimed.ok) throw claimed.error;
    if (claimed.value) return this.handOverEnded(claimed.value, params.status);
    // Ended already, but perhaps never handed over: the delivery that claimed the end may have died with its
    // process, or lost PostgreSQL before the hand-over and before it could open the call again. Twilio's retry
    // then finishes the job (the pipeline refuses a second CallSid, so a plain replay still changes nothing).
    const seen = await this.find(callSid);
    if (seen?.ended_at && !seen.ticket_requested_at && !(await this.inbound.isAccepted('voice', callSid))) {
      return this.handOverEnded(seen, params.status);
    }
    return null;
  }

  /**
   * One statement claims the end of each call, so that of two deliveries of a callback only one goes on. It
   * inserts the row when there is none yet: a call that never reached the IVR (busy, failed before answering), or
   * one whose first steps another API process answered and still writes behind its answers. Claiming and
   * inserting in one statement leaves no moment in which that row can appear unseen. A call twice in one batch (a
   * callback and its replay) is claimed once, for the first; ON CONFLICT may change a row only once a statement.
   */
  private async claimEnds(items: EndedCall[]): Promise<Array<Settled<CallRow | null>>> {
    const first = new Map<string, EndedCall>();
    for (const item of items) if (!first.has(item.callSid)) first.set(item.callSid, item);
    const ends = [...first.values()];
    // One malformed end (a duration no integer column holds) must not fail the calls claimed with it.
    const settled = await batchOrOneByOne(
      ends,
      (batch) => this.claimEndsTogether(batch),
      (error, size) => this.logger.warn({ err: error, size }, 'could not claim the ends of calls together; claiming them one by one'),
    );
    const byCall = new Map(ends.map((end, i) => [end.callSid, settled[i]]));
    return items.map((item) => (first.get(item.callSid) === item ? byCall.get(item.callSid)! : { ok: true as const, value: null }));
  }

  private async claimEndsTogether(ends: EndedCall[]): Promise<Array<CallRow | null>> {
    const rows = returned<CallRow>(
      await this.dataSource.query(
        `INSERT INTO calls AS c (call_sid, from_number, to_number, ended_at, twilio_status, duration_seconds)
         SELECT u.call_sid, u.from_number, u.to_number, now(), u.status, u.duration
         FROM unnest($1::varchar[], $2::text[], $3::text[], $4::varchar[], $5::int[]) AS u(call_sid, from_number, to_number, status, duration),
           ${ASYNC_COMMIT}
         ON CONFLICT (call_sid) DO UPDATE SET ended_at = now(), twilio_status = EXCLUDED.twilio_status,
           duration_seconds = EXCLUDED.duration_seconds, updated_at = now()
         WHERE c.ended_at IS NULL
         RETURNING c.*`,
        [
          ends.map((e) => e.callSid),
          ends.map((e) => e.from || 'unknown'),
          ends.map((e) => e.to),
          ends.map((e) => e.status),
          ends.map((e) => e.duration),
        ],
      ),
    );
    const claimed = new Map(rows.map((row) => [row.call_sid, row]));
    return ends.map((end) => claimed.get(end.callSid) ?? null);
  }

  /** The ended call's ticket (unless it has one), then its outcome behind the answer. */
  private async handOverEnded(call: CallRow, status: string): Promise<CallOutcome> {
    const callSid = call.call_sid;
    const outcome = callOutcome(call, status);
    try {
      // A caller who never asked for a person (served by an answer, or gone before choosing) leaves nothing for
      // an operator to do: the ticket is recorded for the figures and resolved at level 0.
      const neededPerson = !!(call.enqueued_at || call.choice);
      if (!call.ticket_requested_at) {
        const message = this.callMessage(call, `call ended: ${outcome.replace('_', ' ')}`, !neededPerson);
        // Served by the IVR's answer: the caller is asked how it did (by SMS; the keys are the menu's during the call).
        await this.inbound.accept(outcome === 'self_served' ? { ...message, askSatisfaction: true } : message);
      }
    } catch (error) {
      // Not handed over: the call is opened again, so that Twilio's retry of this callback can finish the job.
      // With PostgreSQL gone that fails too; the retry then finds the call ended without a ticket and goes on.
      await this.dataSource
        .query(`UPDATE calls SET ended_at = NULL WHERE call_sid = $1 AND ticket_requested_at IS NULL`, [callSid])
        .catch((reopen: unknown) => this.logger.warn({ err: reopen, callSid }, 'could not reopen a call whose hand-over failed'));
      throw error;
    }
    void this.outcomes.submit({ callSid, outcome }).then((settled) => {
      if (!settled.ok) this.logger.warn({ err: settled.error, callSid, outcome }, 'could not record the outcome of a call');
    });
    this.metrics.voiceCalls.inc({ outcome });
    // A second chance for the answering operator's assignment, should the ticket have been late at the answer.
    if (call.answered_by) void this.assignWhenTicketExists(callSid, call.answered_by, { onlyIfUnassigned: true, attempts: 5 });
    return outcome;
  }

  /** Ends claimed and outcomes already known are written before the process lets its database connections go. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.endClaims.drain();
    await this.outcomes.drain();
  }

  private async writeOutcomes(items: Array<{ callSid: string; outcome: CallOutcome }>): Promise<Array<Settled<void>>> {
    try {
      await this.dataSource.query(
        `UPDATE calls c SET outcome = u.outcome, ticket_requested_at = coalesce(c.ticket_requested_at, now()), updated_at = now()
         FROM unnest($1::varchar[], $2::varchar[]) AS u(call_sid, outcome), ${ASYNC_COMMIT} WHERE c.call_sid = u.call_sid`,
        [items.map((i) => i.callSid), items.map((i) => i.outcome)],
      );
      return items.map(() => ({ ok: true as const, value: undefined }));
    } catch (error) {
      return items.map(() => ({ ok: false as const, error }));
    }
  }

  /** The operator who took the caller from the queue: noted on the call, and the ticket assigned to them. */
  async answered(callSid: string, agentId: string): Promise<CallRow | null> {
    const [call] = returned<CallRow>(
      await this.dataSource.query(
        `UPDATE calls SET answered_at = now(), answered_by = $2, updated_at = now() FROM ${ASYNC_COMMIT} WHERE call_sid = $1 AND answered_at IS NULL RETURNING calls.*`,
        [callSid, agentId],
      ),
    );
    if (!call) return this.find(callSid);
    void this.assignWhenTicketExists(callSid, agentId, { onlyIfUnassigned: false, attempts: 20 });
    return call;
  }

  /** The ticket a call became (through the pipeline: the inbound event of its CallSid), if it has become one yet. */
  async ticketIdOf(callSid: string): Promise<string | null> {
    const [row]: Array<{ ticket_id: string | null }> = await this.dataSource.query(
      `SELECT ticket_id FROM inbound_events WHERE channel = 'voice' AND external_id = $1`,
      [callSid],
    );
    return row?.ticket_id ?? null;
  }

  /** The ticket is written by the worker a moment after the call was queued; wait for it briefly. */
  private async assignWhenTicketExists(
    callSid: string,
    agentId: string,
    options: { onlyIfUnassigned: boolean; attempts: number },
  ): Promise<void> {
    for (let i = 0; i < options.attempts; i++) {
      const [row]: Array<{ reference: string; assignee_id: string | null }> = await this.dataSource.query(
        `SELECT t.reference, t.assignee_id FROM inbound_events e JOIN tickets t ON t.id = e.ticket_id WHERE e.channel = 'voice' AND e.external_id = $1`,
        [callSid],
      );
      if (row && options.onlyIfUnassigned && row.assignee_id) return;
      if (row) {
        const [agent]: Array<{ roles: AuthUser['roles'] }> = await this.dataSource.query(`SELECT roles FROM agents WHERE id = $1`, [
          agentId,
        ]);
        const operator: AuthUser = { id: agentId, email: '', roles: agent?.roles ?? ['operator'], institutionIds: [] };
        try {
          await this.actions.assign(operator, row.reference, agentId, true, {});
        } catch (error) {
          this.logger.warn({ err: error, callSid, agentId }, 'could not assign the answered call to its operator');
        }
        return;
      }
      await new Promise((r) => setTimeout(r, 250 * (i + 1)));
    }
    this.logger.warn({ callSid, agentId }, 'answered call has no ticket yet; left unassigned');
  }

  /** A caller who left a voicemail or asked to be called back is told the reference by SMS, when SMS is set up. */
  private smsNotice(call: CallRow): Pick<InboundMessage, 'referenceNotice'> {
    return this.config.TWILIO_SMS_FROM && canTakeSms(call.from_number)
      ? { referenceNotice: { channel: 'sms', address: call.from_number } }
      : {};
  }

  private base(call: CallRow): Omit<InboundMessage, 'externalId' | 'text'> {
    return {
      channel: 'voice',
      sentAt: call.started_at instanceof Date ? call.started_at.toISOString() : String(call.started_at),
      from: {
        address: call.from_number,
        identifiers: isDiallable(call.from_number) ? [{ kind: 'phone', value: call.from_number, provenance: 'channel' }] : [],
      },
      to: call.to_number ?? undefined,
      institutionCode: call.institution_code ?? undefined,
      topic: call.topic ?? undefined,
      kind: 'consultation',
      language: (call.language as Language) ?? 'lv',
    };
  }

  private callMessage(call: CallRow, why: string, servedAtLevel0: boolean): InboundMessage {
    const path = call.path.filter((p) => !p.startsWith('language:')).join(' › ') || '(none)';
    return {
      ...this.base(call),
      externalId: call.call_sid,
      subject: `Call from ${call.from_number}`,
      text: `Call from ${call.from_number} in ${call.language ?? 'lv'}; IVR path: ${path}; ${why}.`,
      servedAtLevel0,
      meta: { callSid: call.call_sid, ivrPath: call.path, queue: call.queue_name },
    };
  }
}

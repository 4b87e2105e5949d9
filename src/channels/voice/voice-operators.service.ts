import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import twilio from 'twilio';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { AuthUser } from '../../auth/auth-user';
import { ProblemException } from '../../common/problem';
import { AppConfig } from '../../config/app-config';
import { isDiallable } from './call-record';
import { identityForAgent } from './voice-ivr.service';
import { TWILIO_REST, TwilioRestClient } from './twilio-rest';

const TOKEN_TTL_SECONDS = 3600;
/** A second click on "call back" within this time is refused: the customer would get two calls. */
const CALLBACK_GUARD_SECONDS = 120;

export interface CallView {
  callSid: string;
  from: string;
  to: string | null;
  language: string | null;
  ivrPath: string[];
  institution: string | null;
  topic: string | null;
  queue: string | null;
  outcome: string | null;
  startedAt: string;
  secondsInIvr: number | null;
  secondsWaiting: number | null;
  secondsTalking: number | null;
  answeredBy: string | null;
  callbackNumber: string | null;
  recordingUrl: string | null;
  callbackPlacedAt: string | null;
}

/** The call an operator is talking on, and the ticket it became: what the softphone opens beside the call. */
export interface CurrentCallView {
  callSid: string;
  ticketReference: string | null;
  kind: 'queue' | 'call-back';
  from: string;
  language: string | null;
  queue: string | null;
  institution: string | null;
  answeredAt: string | null;
}

const unavailable = (what: string) =>
  new ProblemException(
    HttpStatus.SERVICE_UNAVAILABLE,
    'voice-not-configured',
    'Unavailable',
    `The voice channel is not configured: ${what}.`,
  );

/** What operators do with calls: take them in the browser, see a ticket's calls, and call a customer back. */
@Injectable()
export class VoiceOperatorsService {
  constructor(
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TWILIO_REST) private readonly rest: TwilioRestClient | null,
    private readonly audit: AuditService,
  ) {}

  /** An access token for Twilio's Voice SDK: this operator's identity, outgoing calls through the TwiML App, incoming allowed. */
  token(user: AuthUser): { token: string; identity: string; expiresInSeconds: number } {
    const { TWILIO_ACCOUNT_SID: account, TWILIO_API_KEY: key, TWILIO_API_SECRET: secret, TWILIO_TWIML_APP_SID: app } = this.config;
    if (!account || !key || !secret || !app)
      throw unavailable('TWILIO_ACCOUNT_SID, TWILIO_API_KEY, TWILIO_API_SECRET, TWILIO_TWIML_APP_SID');
    const identity = identityForAgent(user.id);
    const token = new twilio.jwt.AccessToken(account, key, secret, { identity, ttl: TOKEN_TTL_SECONDS });
    token.addGrant(new twilio.jwt.AccessToken.VoiceGrant({ outgoingApplicationSid: app, incomingAllow: true }));
    return { token: token.toJwt(), identity, expiresInSeconds: TOKEN_TTL_SECONDS };
  }

  /**
   * The call this operator is on now. A caller taken from the queue is noted on the call by Twilio's queue URL
   * (answered_by); a call-back is known by the SID Twilio gave the operator's leg, which the browser has as the
   * incoming call's CallSid parameter. The ticket may not exist yet for a few hundred milliseconds after the caller
   * was queued, so ticketReference can be null and the console asks again.
   */
  async currentCall(user: AuthUser, legSid: string | undefined): Promise<CurrentCallView> {
    const [row]: Array<Record<string, any>> = await this.dataSource.query(
      `SELECT c.call_sid, c.from_number, c.language, c.queue_name, c.institution_code, c.answered_at,
              (c.callback_call_sid IS NOT NULL AND c.callback_call_sid = $2) AS is_callback, t.reference
       FROM calls c
       LEFT JOIN inbound_events e ON e.channel = 'voice' AND e.external_id = c.call_sid
       LEFT JOIN tickets t ON t.id = e.ticket_id
       WHERE (c.callback_call_sid = $2 AND c.callback_placed_by = $1)
          OR (c.answered_by = $1 AND c.ended_at IS NULL)
       ORDER BY (c.callback_call_sid IS NOT NULL AND c.callback_call_sid = $2) DESC, c.answered_at DESC NULLS LAST
       LIMIT 1`,
      [user.id, legSid ?? null],
    );
    if (!row)
      throw new ProblemException(HttpStatus.NOT_FOUND, 'no-current-call', 'Not found', 'You are not on a call the centre knows of.');
    return {
      callSid: row.call_sid,
      ticketReference: row.reference ?? null,
      kind: row.is_callback ? 'call-back' : 'queue',
      from: row.from_number,
      language: row.language,
      queue: row.queue_name,
      institution: row.institution_code,
      answeredAt: row.answered_at ? new Date(row.answered_at).toISOString() : null,
    };
  }

  async callsOfTicket(reference: string, user?: AuthUser, context: { ip?: string; requestId?: string } = {}): Promise<CallView[]> {
    const rows: Array<Record<string, any>> = await this.dataSource.query(
      `SELECT c.*, 
              extract(epoch FROM coalesce(c.enqueued_at, c.ended_at) - c.started_at)::int AS ivr_s,
              extract(epoch FROM coalesce(c.answered_at, c.left_queue_at, c.ended_at) - c.enqueued_at)::int AS wait_s,
              extract(epoch FROM c.ended_at - c.answered_at)::int AS talk_s
       FROM tickets t
       JOIN messages m ON m.ticket_id = t.id AND m.channel = 'voice' AND m.direction = 'inbound'
       JOIN calls c ON c.call_sid = m.meta->>'callSid'
       WHERE t.reference = $1
       GROUP BY c.call_sid ORDER BY c.started_at`,
      [reference.toUpperCase()],
    );
    const [ticket]: Array<{ id: string }> = await this.dataSource.query(`SELECT id FROM tickets WHERE reference = $1`, [
      reference.toUpperCase(),
    ]);
    if (!ticket) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No ticket ${reference}.`);
    // The links to voice recordings and callers' numbers were shown: one audit row for the request.
    const recordings = rows.filter((r) => r.recording_url).length;
    if (user && rows.length > 0) {
      await this.audit.record([
        {
          actorAgentId: user.id,
          action: recordings > 0 ? 'call_recordings.read' : 'calls.read',
          subjectType: 'ticket',
          subjectId: ticket.id,
          detail: { reference: reference.toUpperCase(), calls: rows.length, recordings },
          ip: context.ip ?? null,
          requestId: context.requestId ?? null,
        },
      ]);
    }
    return rows.map((r) => ({
      callSid: r.call_sid,
      from: r.from_number,
      to: r.to_number,
      language: r.language,
      ivrPath: r.path,
      institution: r.institution_code,
      topic: r.topic,
      queue: r.queue_name,
      outcome: r.outcome,
      startedAt: new Date(r.started_at).toISOString(),
      secondsInIvr: r.ivr_s,
      secondsWaiting: r.wait_s,
      secondsTalking: r.talk_s,
      answeredBy: r.answered_by,
      callbackNumber: r.callback_number,
      recordingUrl: r.recording_url,
      callbackPlacedAt: r.callback_placed_at ? new Date(r.callback_placed_at).toISOString() : null,
    }));
  }

  /**
   * Calls the customer back for the operator: Twilio first rings the operator's browser, then dials the
   * customer's number with the centre's number as caller id. The number is the one the customer called from.
   */
  async callBack(user: AuthUser, reference: string, context: { requestId?: string }): Promise<{ callSid: string; to: string }> {
    if (!this.rest || !this.config.TWILIO_CALLER_ID) throw unavailable('TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_CALLER_ID');
    const [call]: Array<{ call_sid: string; ticket_id: string; number: string; placed_recently: boolean }> = await this.dataSource.query(
      `SELECT c.call_sid, t.id AS ticket_id, coalesce(c.callback_number, c.from_number) AS number,
              coalesce(c.callback_placed_at > now() - make_interval(secs => $2), false) AS placed_recently
       FROM tickets t
       JOIN messages m ON m.ticket_id = t.id AND m.channel = 'voice' AND m.direction = 'inbound'
       JOIN calls c ON c.call_sid = m.meta->>'callSid'
       WHERE t.reference = $1
       ORDER BY (c.choice = 'callback') DESC NULLS LAST, c.started_at DESC LIMIT 1`,
      [reference.toUpperCase(), CALLBACK_GUARD_SECONDS],
    );
    if (!call) {
      const [ticket]: Array<{ id: string }> = await this.dataSource.query(`SELECT id FROM tickets WHERE reference = $1`, [
        reference.toUpperCase(),
      ]);
      if (!ticket) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No ticket ${reference}.`);
      throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, 'not-a-call', 'Not a call', 'This ticket has no call to return.');
    }
    if (!isDiallable(call.number)) {
      throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, 'number-hidden', 'No number', 'The caller withheld their number.');
    }
    // Claimed before Twilio is asked, so that two clicks at once (or two operators) ring the customer once.
    const claimed: unknown[] = await this.dataSource.query(
      `UPDATE calls SET callback_placed_at = now(), callback_placed_by = $2
       WHERE call_sid = $1 AND (callback_placed_at IS NULL OR callback_placed_at <= now() - make_interval(secs => $3)) RETURNING 1`,
      [call.call_sid, user.id, CALLBACK_GUARD_SECONDS],
    );
    if (call.placed_recently || (claimed[0] as unknown[]).length === 0) {
      throw new ProblemException(
        HttpStatus.CONFLICT,
        'callback-in-progress',
        'Conflict',
        `A call-back was placed less than ${CALLBACK_GUARD_SECONDS} s ago.`,
      );
    }
    const twiml = new twilio.twiml.VoiceResponse();
    twiml.dial({ callerId: this.config.TWILIO_CALLER_ID, answerOnBridge: true }).number(call.number);
    let created: { sid: string };
    try {
      created = await this.rest.calls.create({
        to: `client:${identityForAgent(user.id)}`,
        from: this.config.TWILIO_CALLER_ID,
        twiml: twiml.toString(),
      });
    } catch (error) {
      await this.dataSource.query(`UPDATE calls SET callback_placed_at = NULL WHERE call_sid = $1 AND callback_placed_by = $2`, [
        call.call_sid,
        user.id,
      ]);
      throw new ProblemException(
        HttpStatus.BAD_GATEWAY,
        'twilio-refused',
        'Bad gateway',
        `Twilio did not place the call: ${(error as Error).message}`,
      );
    }
    await this.dataSource.query(`UPDATE calls SET callback_call_sid = $2, updated_at = now() WHERE call_sid = $1`, [
      call.call_sid,
      created.sid,
    ]);
    await this.audit.record([
      {
        actorAgentId: user.id,
        action: 'ticket.call_back',
        subjectType: 'ticket',
        subjectId: call.ticket_id,
        detail: { reference, callSid: created.sid, to: call.number },
        requestId: context.requestId ?? null,
      },
    ]);
    return { callSid: created.sid, to: call.number };
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { contextOf, MenuLanguage, MenuNode, MENU_LANGUAGES } from '@lib/ivr-menu';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CsatService } from '../../csat/csat.service';
import { CalendarService } from '../../calendar/calendar.service';
import { AppConfig } from '../../config/app-config';
import { IvrTwiml, Where } from './ivr-twiml';
import { CallProgressService } from './call-progress.service';
import { CallRow, isDiallable, Progress } from './call-record';
import { VoiceCallsService } from './voice-calls.service';
import { LoadedMenu, VoiceMenuService } from './voice-menu.service';
import { expectedWaitMinutes, PHRASES, spokenOpening } from './voice-phrases';

/** Twilio's POST parameters, as the urlencoded body parser gives them. */
export type TwilioParams = Record<string, string | undefined>;

/** A caller who misses twice in a row (no key, or one not offered) is helped by a person instead. */
const MAX_MISSES = 2;
/** Longest IVR path kept for a call (a caller pressing keys for ever must not grow URLs without end). */
const MAX_PATH = 40;

const toLanguage = (value: string | undefined): MenuLanguage =>
  (MENU_LANGUAGES as readonly string[]).includes(value ?? '') ? (value as MenuLanguage) : 'lv';
const toInt = (value: string | undefined) => (value && /^\d{1,6}$/.test(value) ? Number(value) : 0);
export const queueName = (language: string, institutionCode: string | null) => `${language}-${institutionCode ?? 'GENERAL'}`;

/**
 * The caller's side of the voice channel: each Twilio request in, the next TwiML document out. Position in the
 * menu travels in the URLs; what happened is recorded on the call; the ticket goes through the shared pipeline.
 */
@Injectable()
export class VoiceIvrService {
  private readonly logger = new Logger(VoiceIvrService.name);
  readonly twiml: IvrTwiml;

  constructor(
    private readonly config: AppConfig,
    private readonly menus: VoiceMenuService,
    private readonly calls: VoiceCallsService,
    private readonly callProgress: CallProgressService,
    private readonly calendars: CalendarService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly csatService: CsatService,
  ) {
    this.twiml = new IvrTwiml({
      publicBaseUrl: config.PUBLIC_BASE_URL ?? '',
      languages: menus.languages,
      gatherTimeoutSeconds: config.VOICE_GATHER_TIMEOUT_SECONDS,
      voicemailMaxSeconds: config.VOICE_VOICEMAIL_MAX_SECONDS,
      holdMusicUrl: config.VOICE_HOLD_MUSIC_URL,
    });
  }

  /** The path so far, as the signed URL carries it; capped so that a caller pressing keys for ever cannot grow it without end. */
  private pathOf(q: TwilioParams): string[] {
    return (q.p ?? '')
      .split('.')
      .filter((entry) => /^[a-z0-9:-]{1,70}$/.test(entry))
      .slice(-MAX_PATH);
  }

  private progress(p: TwilioParams, path: string[], extra: Omit<Progress, 'callSid' | 'from' | 'to' | 'path'> = {}): Progress {
    return { callSid: p.CallSid!, from: p.From ?? '', to: p.To ?? null, path: path.slice(-MAX_PATH), ...extra };
  }

  async incoming(p: TwilioParams): Promise<string> {
    if (this.menus.languages.length > 1) {
      this.callProgress.remember(this.progress(p, []));
      return this.twiml.languageMenu([], 0);
    }
    const menu = await this.menus.menu();
    const path = ['language:lv'];
    this.callProgress.remember(this.progress(p, path, { language: 'lv' }));
    return this.twiml.menu(menu.nodes, menu.root, { language: 'lv', node: menu.root.key, path, tries: 0 });
  }

  async language(p: TwilioParams, q: TwilioParams): Promise<string> {
    const tries = toInt(q.t);
    const digits = p.Digits ?? '';
    const chosen = /^[1-9]$/.test(digits) ? this.menus.languages[Number(digits) - 1] : undefined;
    const menu = await this.menus.menu();
    if (chosen) {
      const path = [...this.pathOf(q), `language:${chosen}`];
      this.callProgress.remember(this.progress(p, path, { language: chosen }));
      return this.twiml.menu(menu.nodes, menu.root, { language: chosen, node: menu.root.key, path, tries: 0 });
    }
    const missed = [...this.pathOf(q), digits ? `invalid:${digits}` : 'timeout'];
    // Whoever cannot choose a language is served in the state language rather than dropped.
    if (tries + 1 >= MAX_MISSES) {
      const path = [...missed, 'language:lv'];
      this.callProgress.remember(this.progress(p, path, { language: 'lv' }));
      return this.twiml.menu(menu.nodes, menu.root, { language: 'lv', node: menu.root.key, path, tries: 0 });
    }
    this.callProgress.remember(this.progress(p, missed));
    return this.twiml.languageMenu(missed, tries + 1, digits ? PHRASES.lv.invalid : PHRASES.lv.noInput);
  }

  /** A key pressed (or none) at a menu or after an answer. */
  async menuInput(p: TwilioParams, q: TwilioParams): Promise<string> {
    const language = toLanguage(q.l);
    const tries = toInt(q.t);
    const digits = p.Digits ?? '';
    const before = this.pathOf(q);
    const menu = await this.menus.menu();
    // The menu may have been edited since this URL was made: start again from the top rather than fail.
    const node = menu.byKey.get(q.n ?? '') ?? menu.root;
    const go = (target: MenuNode, entry = target.key) => {
      const path = [...before, entry];
      if (target.kind === 'operator') return this.toOperator(p, menu, target, language, path);
      this.callProgress.remember(
        this.progress(p, path, { language, heardAnswer: target.kind === 'answer', ...contextOf(menu.byKey, target.key) }),
      );
      return this.render(menu, target, { language, node: target.key, path, tries: 0 });
    };

    if (digits === '0') return this.toOperator(p, menu, node, language, [...before, 'operator']);
    if (digits === '*') return go(node, 'repeat');
    if (node.kind === 'answer') {
      if (digits === '1' && node.parentKey) return go(menu.byKey.get(node.parentKey) ?? menu.root);
      if (!digits) {
        // Silence after an answer is the caller done listening: served at level 0.
        this.callProgress.remember(this.progress(p, [...before, 'goodbye'], { language, heardAnswer: true }));
        return this.twiml.goodbye(language);
      }
    } else if (node.kind === 'menu') {
      const child = menu.nodes.find((n) => n.parentKey === node.key && n.digit === digits);
      if (child) return go(child);
    } else {
      return this.toOperator(p, menu, node, language, before);
    }
    const missed = [...before, digits ? `invalid:${digits}` : 'timeout'];
    if (tries + 1 >= MAX_MISSES) return this.toOperator(p, menu, node, language, [...missed, 'operator']);
    this.callProgress.remember(this.progress(p, missed, { language }));
    return this.render(
      menu,
      node,
      { language, node: node.key, path: missed, tries: tries + 1 },
      digits ? PHRASES[language].invalid : PHRASES[language].noInput,
    );
  }

  private render(menu: LoadedMenu, node: MenuNode, where: Where, notice?: string): string {
    return node.kind === 'menu' ? this.twiml.menu(menu.nodes, node, where, notice) : this.twiml.answer(node, where, notice);
  }

  /** To a person: the queue of the caller's language and institution in working hours, otherwise a way to reach one later. */
  private async toOperator(p: TwilioParams, menu: LoadedMenu, node: MenuNode, language: MenuLanguage, path: string[]): Promise<string> {
    const callSid = p.CallSid!;
    const context = contextOf(menu.byKey, node.key);
    // What follows reads and changes the call's row, so its progress is stored first.
    await this.callProgress.progress(this.progress(p, path, { language, ...context }));
    const calendar = await this.calendars.calendar();
    const now = new Date();
    if (!calendar.isOpen(now)) {
      let next: string | null = null;
      try {
        next = spokenOpening(calendar.nextOpening(now), now, language);
      } catch {
        next = null;
      }
      return this.twiml.noOperator(language, 'closed', 0, next);
    }
    const name = queueName(language, context.institutionCode);
    const call = await this.calls.enqueued(callSid, name, { ...context, language });
    try {
      if (call) await this.calls.ensureTicket(call, `waiting for an operator in queue ${name}`);
    } catch (error) {
      // The caller is queued all the same; the call becomes a ticket at its end at the latest (status callback).
      this.logger.warn({ err: error, callSid }, 'queued call not yet handed to the pipeline');
    }
    return this.twiml.enqueue(language, name);
  }

  /** After "closed" or queue trouble: 1 voicemail, 2 call-back. */
  async choice(p: TwilioParams, q: TwilioParams): Promise<string> {
    const language = toLanguage(q.l);
    const tries = toInt(q.t);
    const digits = p.Digits ?? '';
    if (digits === '1' || digits === '2') return this.takeChoice(p.CallSid!, language, digits === '1' ? 'voicemail' : 'callback', false);
    if (tries + 1 >= MAX_MISSES) return this.twiml.goodbye(language, digits ? PHRASES[language].invalid : PHRASES[language].noInput);
    return this.twiml.noOperator(language, 'closed', tries + 1, null, digits ? PHRASES[language].invalid : PHRASES[language].noInput);
  }

  private async takeChoice(
    callSid: string,
    language: MenuLanguage,
    choice: 'voicemail' | 'callback',
    leavingQueue: boolean,
  ): Promise<string> {
    const existing = await this.calls.find(callSid);
    const hidden = choice === 'callback' && !isDiallable(existing?.from_number);
    const call = await this.calls.choose(callSid, hidden ? 'voicemail' : choice, leavingQueue);
    if (!call) return this.twiml.goodbye(language);
    if (leavingQueue) return this.twiml.leaveQueue();
    return this.afterChoice(call, language, hidden);
  }

  private async afterChoice(call: CallRow, language: MenuLanguage, hidden = false): Promise<string> {
    if (call.choice === 'callback') {
      await this.calls.requestCallback(call);
      return this.twiml.callbackConfirmed(language, call.from_number);
    }
    await this.calls.ensureTicket(call, 'left a voicemail');
    return this.twiml.voicemail(language, hidden ? PHRASES[language].numberHidden : undefined);
  }

  /** The wait URL: no database work, Twilio calls it for every caller in every queue over and over. */
  queueWait(p: TwilioParams, q: TwilioParams): string {
    const language = toLanguage(q.l);
    const position = Math.max(1, toInt(p.QueuePosition));
    const waited = toInt(p.QueueTime);
    const minutes = expectedWaitMinutes(position, toInt(p.AvgQueueTime), waited);
    return this.twiml.wait(language, position, minutes, waited >= this.config.VOICE_MAX_WAIT_SECONDS);
  }

  async queueLeave(p: TwilioParams, q: TwilioParams): Promise<string> {
    const language = toLanguage(q.l);
    const digits = p.Digits ?? '';
    if (digits === '1' || digits === '2') return this.takeChoice(p.CallSid!, language, digits === '1' ? 'voicemail' : 'callback', true);
    return this.twiml.keepWaiting(language);
  }

  /** The Enqueue action: the caller's time in the queue is over, one way or another. */
  async queueDone(p: TwilioParams, q: TwilioParams): Promise<string> {
    const language = toLanguage(q.l);
    const result = p.QueueResult ?? '';
    if (result === 'leave') {
      const call = await this.calls.find(p.CallSid!);
      if (call?.choice) return this.afterChoice(call, language);
      return this.twiml.goodbye(language);
    }
    // Bridged: the operator has hung up and the caller is still here, the moment to ask how it went.
    if (result === 'bridged') return this.twiml.csatSurvey(language);
    if (result === 'hangup' || result === 'redirected') return this.twiml.hangup();
    return this.twiml.noOperator(language, 'trouble', 0, null);
  }

  /** The survey's digit: 1-5 is stored on the call's ticket; anything else ends the call without a score. */
  async csat(p: TwilioParams, q: TwilioParams): Promise<string> {
    const language = toLanguage(q.l);
    const score = /^[1-5]$/.test(p.Digits ?? '') ? Number(p.Digits) : null;
    if (score === null) return this.twiml.goodbye(language);
    const ticketId = await this.calls.ticketIdOf(p.CallSid!);
    if (!ticketId) return this.twiml.goodbye(language);
    await this.csatService.record(ticketId, score, 'voice');
    return this.twiml.goodbye(language, PHRASES[language].csatThanks);
  }

  /** The caller taken from the queue by an operator (the <Queue url> of the operator's dial). */
  async queueAnswered(p: TwilioParams, q: TwilioParams): Promise<string> {
    const agentId = q.a ?? '';
    const call = /^[0-9a-f-]{36}$/.test(agentId) ? await this.calls.answered(p.CallSid!, agentId) : await this.calls.find(p.CallSid!);
    return this.twiml.connecting(toLanguage(call?.language ?? 'lv'));
  }

  async voicemailDone(_p: TwilioParams, q: TwilioParams): Promise<string> {
    const language = toLanguage(q.l);
    return this.twiml.goodbye(language, PHRASES[language].voicemailThanks);
  }

  async voicemailRecording(p: TwilioParams): Promise<void> {
    if (p.RecordingStatus && p.RecordingStatus !== 'completed') return;
    if (!p.RecordingSid || !p.RecordingUrl) return;
    await this.calls.voicemailRecorded(p.CallSid!, { sid: p.RecordingSid, url: p.RecordingUrl, seconds: toInt(p.RecordingDuration) });
  }

  async status(p: TwilioParams): Promise<void> {
    await this.calls.ended(p.CallSid!, {
      status: p.CallStatus ?? '',
      from: p.From ?? '',
      to: p.To ?? null,
      duration: p.CallDuration ? toInt(p.CallDuration) : null,
    });
  }

  /**
   * The TwiML App's request from an operator's browser: connect them to the longest-waiting caller of a queue
   * they can serve (their languages), and say so when nobody waits.
   */
  async operator(p: TwilioParams): Promise<string> {
    const agentId = agentIdFromIdentity((p.From ?? '').replace(/^client:/, ''));
    const [agent]: Array<{ id: string; languages: string[] }> = agentId
      ? await this.dataSource.query(
          `SELECT id, languages FROM agents WHERE id = $1 AND active AND roles && ARRAY['operator', 'supervisor']::text[]`,
          [agentId],
        )
      : [];
    if (!agent) return this.twiml.operatorNotice('Šim lietotājam nav tiesību pieņemt zvanus.');
    const [waiting]: Array<{ queue_name: string }> = await this.dataSource.query(
      `SELECT queue_name FROM calls
       WHERE enqueued_at IS NOT NULL AND answered_at IS NULL AND left_queue_at IS NULL AND ended_at IS NULL AND language = ANY($1::text[])
       ORDER BY enqueued_at LIMIT 1`,
      [agent.languages],
    );
    if (!waiting) return this.twiml.operatorNotice('Rindā neviens negaida.');
    return this.twiml.dialQueue(waiting.queue_name, agent.id);
  }
}

/** Voice SDK identities allow letters, digits and underscores only, so an agent's UUID travels without dashes. */
export const identityForAgent = (agentId: string) => `agent_${agentId.replace(/-/g, '')}`;
export function agentIdFromIdentity(identity: string): string | null {
  const hex = /^agent_([0-9a-f]{32})$/.exec(identity)?.[1];
  return hex ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` : null;
}

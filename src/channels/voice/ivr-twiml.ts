import { childrenOf, MenuLanguage, MenuNode, Prompt } from '@lib/ivr-menu';
import { TwimlResponse, TwimlSpeaker, TwimlWriter } from './twiml-writer';
import { PHRASES, SPEECH_LANGUAGE } from './voice-phrases';

export const WEBHOOK_PREFIX = '/v1/channels/voice/twilio';

export interface TwimlSettings {
  publicBaseUrl: string;
  languages: readonly MenuLanguage[];
  gatherTimeoutSeconds: number;
  voicemailMaxSeconds: number;
  holdMusicUrl?: string;
}

/** Where the caller is in the IVR, carried in the URLs handed to Twilio so that no step needs to look it up. */
export interface Where {
  language: MenuLanguage;
  node: string;
  /** Everything the caller did so far (menu keys and events): signed by Twilio with the URL, so it cannot be forged. */
  path: string[];
  /** Consecutive misses (no key, or a key that is not offered) at this node. */
  tries: number;
}

/**
 * Builds every TwiML document the IVR answers with, from the menu data and the caller's position: small, pure
 * functions, so they can be tested and benchmarked without a server. They write through TwimlWriter; given
 * twilio's own VoiceResponse instead (`newResponse`), they write the same bytes, which is how that is tested.
 */
export class IvrTwiml {
  constructor(
    private readonly settings: TwimlSettings,
    private readonly newResponse: () => TwimlResponse = () => new TwimlWriter(),
  ) {}

  url(step: string, query: Record<string, string | number> = {}): string {
    const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
    return `${this.settings.publicBaseUrl}${WEBHOOK_PREFIX}/${step}${qs ? `?${qs}` : ''}`;
  }

  private speak(target: TwimlSpeaker, language: MenuLanguage, prompt: Prompt | undefined): void {
    if (prompt?.audioUrl) target.play({}, prompt.audioUrl);
    else if (prompt?.text) target.say({ language: SPEECH_LANGUAGE[language] }, prompt.text);
  }

  private say(target: TwimlSpeaker, language: MenuLanguage, text: string): void {
    target.say({ language: SPEECH_LANGUAGE[language] }, text);
  }

  private gather(response: TwimlResponse, language: MenuLanguage, action: string, timeout = this.settings.gatherTimeoutSeconds) {
    return response.gather({
      input: ['dtmf'],
      numDigits: 1,
      timeout,
      action,
      method: 'POST',
      // A silent caller comes back to the action too, so that timeouts are counted like wrong keys.
      actionOnEmptyResult: true,
      language: SPEECH_LANGUAGE[language],
    });
  }

  /** Latvian first and always; then the other offered languages, each announced in itself. */
  languageMenu(path: string[], tries: number, notice?: string): string {
    const response = this.newResponse();
    if (notice) this.say(response, 'lv', notice);
    const gather = this.gather(response, 'lv', this.url('language', { p: path.join('.'), t: tries }));
    this.settings.languages.forEach((language, i) => this.say(gather, language, PHRASES[language].chooseLanguage(i + 1)));
    return response.toString();
  }

  /** A menu: its introduction, then each choice announced from the choice's own title, then 0 and *. */
  menu(nodes: readonly MenuNode[], node: MenuNode, where: Where, notice?: string): string {
    const response = this.newResponse();
    const { language } = where;
    if (notice) this.say(response, language, notice);
    const gather = this.gather(response, language, this.url('menu', { n: node.key, l: language, p: where.path.join('.'), t: where.tries }));
    this.speak(gather, language, node.prompt[language]);
    for (const child of childrenOf(nodes, node.key)) {
      this.say(gather, language, PHRASES[language].option(child.title[language] ?? child.key, child.digit!));
    }
    this.say(gather, language, PHRASES[language].operatorAndRepeat);
    return response.toString();
  }

  /** Level 0: the answer itself, then what the caller can do next (or just hang up). */
  answer(node: MenuNode, where: Where, notice?: string): string {
    const response = this.newResponse();
    const { language } = where;
    if (notice) this.say(response, language, notice);
    const gather = this.gather(response, language, this.url('menu', { n: node.key, l: language, p: where.path.join('.'), t: where.tries }));
    if (where.tries === 0) this.speak(gather, language, node.prompt[language]);
    this.say(gather, language, PHRASES[language].afterAnswer);
    return response.toString();
  }

  /** After the operator hangs up, the caller is still on the line: one digit rates the conversation, or silence ends it. */
  csatSurvey(language: MenuLanguage): string {
    const response = this.newResponse();
    const gather = response.gather({
      input: ['dtmf'],
      numDigits: 1,
      timeout: this.settings.gatherTimeoutSeconds,
      action: this.url('csat', { l: language }),
      method: 'POST',
    });
    this.say(gather, language, PHRASES[language].csatQuestion);
    response.hangup();
    return response.toString();
  }

  goodbye(language: MenuLanguage, notice?: string): string {
    const response = this.newResponse();
    if (notice) this.say(response, language, notice);
    this.say(response, language, PHRASES[language].goodbye);
    response.hangup();
    return response.toString();
  }

  /** Out of hours (or no way into the queue): say so, and offer a voicemail or a call-back. */
  noOperator(language: MenuLanguage, reason: 'closed' | 'trouble', tries: number, nextOpening: string | null, notice?: string): string {
    const response = this.newResponse();
    const phrases = PHRASES[language];
    if (notice) this.say(response, language, notice);
    if (tries === 0) this.say(response, language, reason === 'closed' ? phrases.closed(nextOpening) : phrases.queueTrouble);
    const gather = this.gather(response, language, this.url('choice', { l: language, t: tries }));
    this.say(gather, language, phrases.closedChoices);
    return response.toString();
  }

  enqueue(language: MenuLanguage, queueName: string): string {
    const response = this.newResponse();
    this.say(response, language, PHRASES[language].queued);
    response.enqueue(
      {
        action: this.url('queue-done', { l: language }),
        method: 'POST',
        waitUrl: this.url('queue-wait', { l: language }),
        waitUrlMethod: 'POST',
      },
      queueName,
    );
    return response.toString();
  }

  /** Played to a caller in the queue, again and again: position, expected wait, and after a while a way out. */
  wait(language: MenuLanguage, position: number, minutes: number, offerWayOut: boolean): string {
    const response = this.newResponse();
    this.say(response, language, PHRASES[language].position(position, minutes));
    if (offerWayOut) {
      const gather = this.gather(response, language, this.url('queue-leave', { l: language }), 5);
      this.say(gather, language, PHRASES[language].waitTooLong);
    }
    if (this.settings.holdMusicUrl) response.play({}, this.settings.holdMusicUrl);
    else response.pause({ length: 20 });
    return response.toString();
  }

  leaveQueue(): string {
    const response = this.newResponse();
    response.leave();
    return response.toString();
  }

  /** Empty: the caller stays in the queue and Twilio asks the wait URL again. */
  keepWaiting(language: MenuLanguage): string {
    const response = this.newResponse();
    this.say(response, language, PHRASES[language].invalid);
    return response.toString();
  }

  voicemail(language: MenuLanguage, notice?: string): string {
    const response = this.newResponse();
    if (notice) this.say(response, language, notice);
    this.say(response, language, PHRASES[language].voicemailPrompt);
    response.record({
      action: this.url('voicemail-done', { l: language }),
      method: 'POST',
      recordingStatusCallback: this.url('voicemail-recording', { l: language }),
      recordingStatusCallbackMethod: 'POST',
      recordingStatusCallbackEvent: ['completed'],
      maxLength: this.settings.voicemailMaxSeconds,
      finishOnKey: '#',
      playBeep: true,
      timeout: 5,
      trim: 'trim-silence',
    });
    this.say(response, language, PHRASES[language].voicemailEmpty);
    this.say(response, language, PHRASES[language].goodbye);
    response.hangup();
    return response.toString();
  }

  callbackConfirmed(language: MenuLanguage, number: string): string {
    const response = this.newResponse();
    this.say(response, language, PHRASES[language].callbackConfirmed(number));
    this.say(response, language, PHRASES[language].goodbye);
    response.hangup();
    return response.toString();
  }

  /** Said to the caller taken from the queue, just before the operator is on the line. */
  connecting(language: MenuLanguage): string {
    const response = this.newResponse();
    this.say(response, language, PHRASES[language].connecting);
    return response.toString();
  }

  /** The operator's browser leg: connect it to the next caller of that queue, and note who answered. */
  dialQueue(queueName: string, agentId: string): string {
    const response = this.newResponse();
    const dial = response.dial({});
    dial.queue({ url: this.url('queue-answered', { a: agentId }), method: 'POST' }, queueName);
    return response.toString();
  }

  /** For an operator's leg: a short notice in the operator's working language, then the end. */
  operatorNotice(text: string): string {
    const response = this.newResponse();
    this.say(response, 'lv', text);
    response.hangup();
    return response.toString();
  }

  hangup(): string {
    const response = this.newResponse();
    response.hangup();
    return response.toString();
  }

  empty(): string {
    return this.newResponse().toString();
  }
}

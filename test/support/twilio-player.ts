import { INestApplication } from '@nestjs/common';
import { XMLParser } from 'fast-xml-parser';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { twilioSignature } from '../../bench/support/webhook-signing';

export const TWILIO_ACCOUNT_SID = `AC${'a1'.repeat(16)}`;
export const TWILIO_AUTH_TOKEN = 'test-twilio-auth-token-0123456789';
export const PUBLIC_BASE_URL = 'https://voice.vpppd.test';
export const VOICE_PREFIX = '/v1/channels/voice/twilio';

/** The Twilio settings a voice test starts the app with (the REST API base is a local recording server). */
export function voiceConfig(restBaseUrl = 'http://127.0.0.1:9'): Record<string, string> {
  return {
    PUBLIC_BASE_URL,
    TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN,
    TWILIO_API_KEY: `SK${'b2'.repeat(16)}`,
    TWILIO_API_SECRET: 'test-twilio-api-secret-0123456789',
    TWILIO_TWIML_APP_SID: `AP${'c3'.repeat(16)}`,
    TWILIO_CALLER_ID: '+37167000000',
    TWILIO_API_BASE_URL: restBaseUrl,
    VOICE_EXTRA_LANGUAGES: 'en,ru',
    VOICE_MAX_WAIT_SECONDS: '60',
  };
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name, _path, _leaf, isAttribute) => !isAttribute && name !== 'Response',
  textNodeName: '#text',
});

type Node = Record<string, any>;

/** A TwiML document as Twilio would read it: the verbs, what is said, and the URLs it names. */
export class Twiml {
  readonly root: Node;

  constructor(readonly xml: string) {
    const doc = parser.parse(xml);
    if (!doc.Response) throw new Error(`not TwiML: ${xml}`);
    this.root = doc.Response === '' ? {} : doc.Response;
  }

  verbs(): string[] {
    return Object.keys(this.root).filter((k) => !k.startsWith('?'));
  }

  one(verb: string): Node | undefined {
    return this.root[verb]?.[0];
  }

  gather(): Node {
    const g = this.one('Gather');
    if (!g) throw new Error(`no <Gather> in ${this.xml}`);
    return g;
  }

  /** Every <Say> in document order inside the response and its Gather, with its language. */
  says(): Array<{ text: string; language: string }> {
    const out: Array<{ text: string; language: string }> = [];
    const collect = (node: Node) => {
      for (const say of node.Say ?? []) out.push({ text: typeof say === 'string' ? say : say['#text'], language: say.language });
      for (const g of node.Gather ?? []) collect(g);
    };
    collect(this.root);
    return out;
  }

  said(): string {
    return this.says()
      .map((s) => s.text)
      .join(' ');
  }
}

/** Plays Twilio: signs each request with the package's own function, posts it, parses what comes back. */
export class TwilioPlayer {
  constructor(
    private readonly app: INestApplication,
    private readonly authToken = TWILIO_AUTH_TOKEN,
  ) {}

  static newCallSid(): string {
    return `CA${randomBytes(16).toString('hex')}`;
  }

  /** `target` is a path under the webhook prefix ("incoming") or an absolute URL our TwiML named. */
  async post(target: string, params: Record<string, string>, options: { signature?: string | null } = {}) {
    const url = target.startsWith('http') ? target : `${PUBLIC_BASE_URL}${VOICE_PREFIX}/${target}`;
    if (!url.startsWith(PUBLIC_BASE_URL)) throw new Error(`TwiML named a URL outside the service: ${url}`);
    const path = url.slice(PUBLIC_BASE_URL.length);
    const signature = options.signature === undefined ? twilioSignature(this.authToken, url, params) : options.signature;
    const req = request(this.app.getHttpServer()).post(path).type('form');
    if (signature !== null) req.set('X-Twilio-Signature', signature);
    const res = await req.send(params);
    return { status: res.status, body: res.body, text: res.text, twiml: res.status === 200 ? new Twiml(res.text) : null };
  }
}

/** One caller: keeps the call's parameters and follows the URLs the TwiML names. */
export class Caller {
  readonly callSid = TwilioPlayer.newCallSid();
  last: Twiml | null = null;

  constructor(
    private readonly player: TwilioPlayer,
    readonly from = '+37120000001',
    readonly to = '+37167000000',
  ) {}

  params(extra: Record<string, string> = {}): Record<string, string> {
    return {
      AccountSid: `AC${'a1'.repeat(16)}`,
      CallSid: this.callSid,
      From: this.from,
      To: this.to,
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
      ...extra,
    };
  }

  async dial(): Promise<Twiml> {
    return this.expectTwiml(await this.player.post('incoming', this.params({ CallStatus: 'ringing' })));
  }

  /** Presses keys at the current <Gather>; '' is the caller keeping silent until it times out. */
  async press(digits: string): Promise<Twiml> {
    const action = this.last?.gather().action;
    if (!action) throw new Error(`nothing to press at: ${this.last?.xml}`);
    return this.expectTwiml(
      await this.player.post(action, this.params({ CallStatus: 'in-progress', ...(digits ? { Digits: digits } : {}), FinishedOnKey: '' })),
    );
  }

  async post(url: string, extra: Record<string, string>) {
    return this.player.post(url, this.params(extra));
  }

  async follow(url: string, extra: Record<string, string> = {}): Promise<Twiml> {
    return this.expectTwiml(await this.player.post(url, this.params({ CallStatus: 'in-progress', ...extra })));
  }

  async hangUp(extra: Record<string, string> = {}) {
    return this.player.post('status', this.params({ CallStatus: 'completed', CallDuration: '42', ...extra }));
  }

  private expectTwiml(res: { status: number; text: string; twiml: Twiml | null }): Twiml {
    if (res.status !== 200 || !res.twiml) throw new Error(`expected TwiML, got ${res.status}: ${res.text}`);
    this.last = res.twiml;
    return res.twiml;
  }
}

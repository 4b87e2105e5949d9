import type { Call, Device } from '@twilio/voice-sdk';
import { api, ApiError } from './session';

export interface VoiceToken {
  token: string;
  identity: string;
  expiresInSeconds: number;
}

/** The call an operator is on and its ticket, as GET /v1/voice/calls/current gives it. */
export interface CurrentCall {
  callSid: string;
  ticketReference: string | null;
  kind: 'queue' | 'call-back';
  from: string;
  language: string | null;
  queue: string | null;
  institution: string | null;
}

/**
 * Where the softphone is. `wrap-up` holds the operator after a call until they say they are done: no next caller
 * is offered in it. `unreachable` is the SDK failing to reach Twilio (network, firewall, a refused token).
 */
export type SoftphoneState =
  | { kind: 'starting' }
  | { kind: 'unreachable'; code: number | null; detail: string }
  | { kind: 'ready'; notice?: 'no-caller' }
  | { kind: 'connecting' }
  | { kind: 'ringing'; from: string }
  | { kind: 'on-call'; muted: boolean; current: CurrentCall | null; since: number }
  | { kind: 'wrap-up'; current: CurrentCall | null };

/** Twilio answers the SDK's registration within seconds; past this the pane says Twilio cannot be reached. */
const REGISTER_TIMEOUT_MS = 20_000;
/** Ask for a new token this long before the old one expires (the SDK's tokenWillExpire event). */
const TOKEN_REFRESH_MS = 120_000;
const TOKEN_RETRY_MS = 15_000;
/** How long the TwiML App's "nobody is waiting" notice takes at most; a longer call with no ticket found was a caller. */
const NOBODY_WAITING_MS = 10_000;
/** The ticket of a just-queued caller is written a moment after the call; ask for it this many times, once a second. */
const TICKET_LOOKUPS = 20;

export const fetchVoiceToken = () => api<VoiceToken>('POST', '/v1/voice/token');

/**
 * The browser phone: one Device of Twilio's Voice SDK, registered for this operator's identity. The SDK is loaded
 * only here (a dynamic import, its own chunk), so the console's first load does not carry it.
 */
export class Softphone {
  private device: Device | null = null;
  private call: Call | null = null;
  private registerTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private lookup = 0;
  private stopped = false;
  state: SoftphoneState = { kind: 'starting' };

  constructor(private readonly onChange: (state: SoftphoneState) => void) {}

  private set(state: SoftphoneState): void {
    if (this.stopped) return;
    this.state = state;
    this.onChange(state);
  }

  async start(token: VoiceToken): Promise<void> {
    this.set({ kind: 'starting' });
    let sdk: typeof import('@twilio/voice-sdk');
    try {
      sdk = await import('@twilio/voice-sdk');
    } catch (e) {
      this.set({ kind: 'unreachable', code: null, detail: e instanceof Error ? e.message : String(e) });
      return;
    }
    if (this.stopped) return;
    const device = new sdk.Device(token.token, {
      closeProtection: true,
      tokenRefreshMs: TOKEN_REFRESH_MS,
      // The ring and beep files would come from Twilio's CDN, which the console's CSP does not allow: the pane shows
      // the ringing instead.
      disableAudioContextSounds: true,
      logLevel: 'silent',
    });
    device.audio?.incoming(false);
    device.audio?.outgoing(false);
    device.audio?.disconnect(false);
    this.device = device;
    device.on('registered', () => {
      clearTimeout(this.registerTimer);
      if (this.state.kind === 'starting' || this.state.kind === 'unreachable') this.set({ kind: 'ready' });
    });
    device.on('error', (error: { code?: number; message?: string }) => {
      // An error during a call ends it through the call's own events; before registration it means no Twilio.
      if (this.state.kind === 'starting' || this.state.kind === 'ready') {
        clearTimeout(this.registerTimer);
        this.set({ kind: 'unreachable', code: error.code ?? null, detail: error.message ?? '' });
      }
    });
    device.on('tokenWillExpire', () => void this.refreshToken());
    device.on('incoming', (call: Call) => this.incoming(call));
    this.registerTimer = setTimeout(() => {
      if (this.state.kind === 'starting') this.set({ kind: 'unreachable', code: null, detail: '' });
    }, REGISTER_TIMEOUT_MS);
    try {
      await device.register();
    } catch (error) {
      if (this.state.kind === 'starting') {
        clearTimeout(this.registerTimer);
        const e = error as { code?: number; message?: string };
        this.set({ kind: 'unreachable', code: e.code ?? null, detail: e.message ?? String(error) });
      }
    }
  }

  private async refreshToken(): Promise<void> {
    if (this.stopped) return;
    try {
      const next = await fetchVoiceToken();
      this.device?.updateToken(next.token);
    } catch {
      // The old token holds for up to two minutes more: ask again shortly. Past its expiry the SDK's error event
      // puts the pane in the unreachable state with the SDK's own words.
      this.refreshTimer = setTimeout(() => void this.refreshToken(), TOKEN_RETRY_MS);
    }
  }

  /** Ask the centre's TwiML App for the longest-waiting caller this operator serves. */
  async takeNext(): Promise<void> {
    if (!this.device || this.state.kind !== 'ready') return;
    this.set({ kind: 'connecting' });
    try {
      const call = await this.device.connect({ params: { intent: 'next-caller' } });
      this.follow(call);
      call.on('accept', () => this.answered(call));
    } catch (error) {
      const e = error as { code?: number; message?: string };
      this.set({ kind: 'unreachable', code: e.code ?? null, detail: e.message ?? String(error) });
    }
  }

  /** A call to this browser: a call-back the operator asked for (Twilio rings them first, then the customer). */
  private incoming(call: Call): void {
    if (this.call || this.state.kind !== 'ready') {
      call.reject();
      return;
    }
    this.follow(call);
    this.set({ kind: 'ringing', from: call.parameters.From ?? '' });
  }

  accept(): void {
    if (this.call && this.state.kind === 'ringing') {
      const call = this.call;
      call.on('accept', () => this.answered(call));
      call.accept();
    }
  }

  reject(): void {
    if (this.call && this.state.kind === 'ringing') this.call.reject();
  }

  private follow(call: Call): void {
    this.call = call;
    const ended = () => {
      if (this.call !== call) return;
      this.call = null;
      this.lookup++;
      const current = this.state.kind === 'on-call' ? this.state.current : null;
      const lasted = this.state.kind === 'on-call' ? Date.now() - this.state.since : 0;
      // A call that reached a caller is wrapped up (also one whose ticket was not found in time); the TwiML App
      // saying nobody waits, a few seconds of Latvian and the end, is not.
      if (current || lasted > NOBODY_WAITING_MS) this.set({ kind: 'wrap-up', current });
      else this.set({ kind: 'ready', notice: this.state.kind === 'on-call' ? 'no-caller' : undefined });
    };
    call.on('disconnect', ended);
    call.on('cancel', ended);
    call.on('reject', ended);
    call.on('error', ended);
    call.on('mute', (muted: boolean) => {
      if (this.state.kind === 'on-call') this.set({ ...this.state, muted });
    });
  }

  /** Connected: find the caller's ticket by this leg's CallSid (a call-back) or by who took the caller (the queue). */
  private answered(call: Call): void {
    this.set({ kind: 'on-call', muted: false, current: null, since: Date.now() });
    const attempt = ++this.lookup;
    const legSid = call.parameters.CallSid;
    void (async () => {
      for (let i = 0; i < TICKET_LOOKUPS && attempt === this.lookup; i++) {
        try {
          const query = legSid ? `?callSid=${encodeURIComponent(legSid)}` : '';
          const current = await api<CurrentCall>('GET', `/v1/voice/calls/current${query}`);
          if (attempt !== this.lookup || this.state.kind !== 'on-call') return;
          this.set({ ...this.state, current });
          if (current.ticketReference) return;
        } catch (error) {
          if (!(error instanceof ApiError) || error.status !== 404) return;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
  }

  mute(muted: boolean): void {
    this.call?.mute(muted);
  }

  hangUp(): void {
    this.call?.disconnect();
  }

  finishWrapUp(): void {
    if (this.state.kind === 'wrap-up') this.set({ kind: 'ready' });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.registerTimer);
    clearTimeout(this.refreshTimer);
    this.lookup++;
    this.call?.disconnect();
    this.device?.destroy();
    this.device = null;
  }
}

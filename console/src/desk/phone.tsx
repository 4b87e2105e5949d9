import { useCallback, useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n/i18n';
import { realtime, type PresenceState } from '../lib/realtime';
import { href, onLinkClick } from '../lib/router';
import { ApiError, type Profile } from '../lib/session';
import { fetchVoiceToken, Softphone, type SoftphoneState } from '../lib/softphone';
import { TicketPage } from '../pages/ticket';

type PhoneState =
  | { kind: 'checking' }
  | { kind: 'not-allowed' }
  | { kind: 'not-configured'; detail: string }
  | { kind: 'failed'; detail: string }
  | { kind: 'token'; identity: string };

/**
 * The softphone pane. It asks POST /v1/voice/token for the operator's Twilio Voice identity: where Twilio is not
 * configured (503 voice-not-configured) it says so and why, and the rest of the console is unaffected. With a token
 * it loads Twilio's Voice SDK (only then) and registers the browser: the operator takes the next caller from the
 * queue, sees the caller's ticket beside the call, mutes, hangs up and wraps up before the next one.
 */
export function PhonePane({ me }: { me: Profile }) {
  const { t } = useI18n();
  const allowed = me.roles.includes('operator') || me.roles.includes('supervisor');
  const [state, setState] = useState<PhoneState>(allowed ? { kind: 'checking' } : { kind: 'not-allowed' });

  const check = useCallback(async () => {
    if (!allowed) return;
    setState({ kind: 'checking' });
    try {
      const token = await fetchVoiceToken();
      setState({ kind: 'token', identity: token.identity });
      return token;
    } catch (e) {
      if (e instanceof ApiError && e.code === 'voice-not-configured') setState({ kind: 'not-configured', detail: e.message });
      else setState({ kind: 'failed', detail: e instanceof Error ? e.message : String(e) });
    }
  }, [allowed]);

  const [attempt, setAttempt] = useState(0);
  const [firstToken, setFirstToken] = useState<Awaited<ReturnType<typeof fetchVoiceToken>> | null>(null);
  useEffect(() => {
    let live = true;
    void check().then((token) => live && setFirstToken(token ?? null));
    return () => {
      live = false;
    };
  }, [check, attempt]);

  return (
    <section className="phone card" aria-labelledby="phone-heading" data-state={state.kind}>
      <h1 id="phone-heading">
        <span aria-hidden="true">☎</span> {t('phone.heading')}
      </h1>
      {state.kind === 'checking' && <p role="status">{t('phone.checking')}</p>}
      {state.kind === 'not-allowed' && <p>{t('phone.notAllowed')}</p>}
      {state.kind === 'not-configured' && (
        <div className="notice" role="status">
          <p>{t('phone.notConfigured', { detail: state.detail })}</p>
          <p>{t('phone.notConfiguredWhy')}</p>
        </div>
      )}
      {state.kind === 'token' && firstToken && <SoftphoneView key={attempt} identity={state.identity} token={firstToken} />}
      {state.kind === 'failed' && (
        <p className="error" role="alert">
          {t('app.error', { detail: state.detail })}
        </p>
      )}
      {allowed && state.kind !== 'checking' && state.kind !== 'token' && (
        <button type="button" onClick={() => setAttempt((n) => n + 1)}>
          {t('phone.retry')}
        </button>
      )}
    </section>
  );
}

/** Available takes calls (and new work from the router); busy keeps the operator's work but offers nothing new. */
function usePresence(): PresenceState {
  const [presence, setPresence] = useState<PresenceState>(realtime.presence);
  useEffect(() => realtime.onPresence(setPresence), []);
  return presence;
}

function SoftphoneView({ identity, token }: { identity: string; token: Awaited<ReturnType<typeof fetchVoiceToken>> }) {
  const { t } = useI18n();
  const [phone, setPhone] = useState<SoftphoneState>({ kind: 'starting' });
  const [restart, setRestart] = useState(0);
  const softphone = useRef<Softphone | null>(null);
  const presence = usePresence();
  // The presence before a call: a call and its wrap-up make the operator busy for the router, and then it is restored.
  const before = useRef<PresenceState | null>(null);

  useEffect(() => {
    const instance = new Softphone(setPhone);
    softphone.current = instance;
    void (restart === 0 ? Promise.resolve(token) : fetchVoiceToken()).then(
      (tk) => instance.start(tk),
      (e) => setPhone({ kind: 'unreachable', code: null, detail: e instanceof Error ? e.message : String(e) }),
    );
    return () => instance.stop();
  }, [token, restart]);

  const inCall = phone.kind === 'connecting' || phone.kind === 'ringing' || phone.kind === 'on-call' || phone.kind === 'wrap-up';
  useEffect(() => {
    if (inCall && before.current === null && presence !== 'offline') {
      before.current = presence;
      if (presence === 'online') void realtime.setPresenceState('away');
    } else if (!inCall && before.current !== null) {
      if (before.current === 'online') void realtime.setPresenceState('online');
      before.current = null;
    }
  }, [inCall, presence]);

  const sp = softphone.current;
  const available = presence === 'online';
  const current = phone.kind === 'on-call' || phone.kind === 'wrap-up' ? phone.current : null;

  return (
    <div className="softphone" data-phone={phone.kind}>
      <p className="phone-identity">{t('phone.identity', { identity })}</p>
      <div role="status" aria-live="polite" className={phone.kind === 'unreachable' ? 'notice' : 'phone-status'}>
        {phone.kind === 'starting' && <p>{t('phone.starting')}</p>}
        {phone.kind === 'unreachable' && (
          <>
            <p>{t('phone.unreachable')}</p>
            <p>{t('phone.unreachableWhy', { detail: phone.code ? `${phone.code} ${phone.detail}` : phone.detail || '—' })}</p>
          </>
        )}
        {phone.kind === 'ready' && <p>{available ? t('phone.ready') : t('phone.readyBusy')}</p>}
        {phone.kind === 'ready' && phone.notice === 'no-caller' && <p>{t('phone.noCaller')}</p>}
        {phone.kind === 'connecting' && <p>{t('phone.connecting')}</p>}
        {phone.kind === 'ringing' && <p>{t('phone.ringing', { from: phone.from })}</p>}
        {phone.kind === 'on-call' && (
          <p>
            {current ? t('phone.onCallWith', { from: current.from }) : t('phone.onCall')}
            {phone.muted && <> — {t('phone.mutedNote')}</>}
          </p>
        )}
        {phone.kind === 'wrap-up' && <p>{t('phone.wrapUpNote')}</p>}
      </div>

      {phone.kind !== 'starting' && (
        <fieldset className="phone-availability">
          <legend>{t('phone.availability')}</legend>
          <button
            type="button"
            aria-pressed={available}
            disabled={inCall || presence === 'offline'}
            onClick={() => void realtime.setPresenceState('online')}
          >
            {t('phone.available')}
          </button>
          <button
            type="button"
            aria-pressed={presence === 'away'}
            disabled={inCall || presence === 'offline'}
            onClick={() => void realtime.setPresenceState('away')}
          >
            {t('phone.busy')}
          </button>
          {presence === 'offline' && <p>{t('phone.offline')}</p>}
        </fieldset>
      )}

      <div className="phone-actions">
        {phone.kind === 'ready' && (
          <button type="button" className="primary" disabled={!available} onClick={() => void sp?.takeNext()}>
            {t('phone.takeNext')}
          </button>
        )}
        {phone.kind === 'ringing' && (
          <>
            <button type="button" className="primary" onClick={() => sp?.accept()}>
              {t('phone.accept')}
            </button>
            <button type="button" onClick={() => sp?.reject()}>
              {t('phone.reject')}
            </button>
          </>
        )}
        {phone.kind === 'on-call' && (
          <>
            <button type="button" aria-pressed={phone.muted} onClick={() => sp?.mute(!phone.muted)}>
              {phone.muted ? t('phone.unmute') : t('phone.mute')}
            </button>
            <button type="button" onClick={() => sp?.hangUp()}>
              {t('phone.hangUp')}
            </button>
          </>
        )}
        {phone.kind === 'connecting' && (
          <button type="button" onClick={() => sp?.hangUp()}>
            {t('phone.cancel')}
          </button>
        )}
        {phone.kind === 'wrap-up' && (
          <button type="button" className="primary" onClick={() => sp?.finishWrapUp()}>
            {t('phone.finishWrapUp')}
          </button>
        )}
        {phone.kind === 'unreachable' && (
          <button type="button" onClick={() => setRestart((n) => n + 1)}>
            {t('phone.retry')}
          </button>
        )}
      </div>

      {(phone.kind === 'on-call' || phone.kind === 'wrap-up') && (
        <div className="phone-ticket" aria-label={t('phone.callersTicket')} role="region">
          {current?.ticketReference ? (
            <>
              <p>
                <a href={href({ name: 'ticket', reference: current.ticketReference })} onClick={onLinkClick}>
                  {t('phone.openTicket', { reference: current.ticketReference })}
                </a>
              </p>
              <TicketPage key={current.ticketReference} reference={current.ticketReference} />
            </>
          ) : (
            <p>{t('phone.findingTicket')}</p>
          )}
        </div>
      )}
    </div>
  );
}

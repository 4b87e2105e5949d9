import { useCallback, useEffect, useState } from 'react';
import { useI18n } from '../i18n/i18n';
import { api, ApiError, type Profile } from '../lib/session';

type PhoneState =
  | { kind: 'checking' }
  | { kind: 'not-allowed' }
  | { kind: 'not-configured'; detail: string }
  | { kind: 'failed'; detail: string }
  | { kind: 'token'; identity: string; expiresInSeconds: number };

/**
 * The softphone pane. It asks POST /v1/voice/token for the operator's Twilio Voice identity: where Twilio is not
 * configured (503 voice-not-configured) it says so and why, and the rest of the console is unaffected. Taking calls
 * in the browser needs Twilio's Voice JavaScript SDK (@twilio/voice-sdk), which this build does not include; the
 * pane says that too rather than pretending to ring.
 */
export function PhonePane({ me }: { me: Profile }) {
  const { t } = useI18n();
  const allowed = me.roles.includes('operator') || me.roles.includes('supervisor');
  const [state, setState] = useState<PhoneState>(allowed ? { kind: 'checking' } : { kind: 'not-allowed' });

  const check = useCallback(async () => {
    if (!allowed) return;
    setState({ kind: 'checking' });
    try {
      const token = await api<{ token: string; identity: string; expiresInSeconds: number }>('POST', '/v1/voice/token');
      setState({ kind: 'token', identity: token.identity, expiresInSeconds: token.expiresInSeconds });
    } catch (e) {
      if (e instanceof ApiError && e.code === 'voice-not-configured') setState({ kind: 'not-configured', detail: e.message });
      else setState({ kind: 'failed', detail: e instanceof Error ? e.message : String(e) });
    }
  }, [allowed]);

  useEffect(() => {
    void check();
  }, [check]);

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
      {state.kind === 'token' && (
        <div className="notice" role="status">
          <p>{t('phone.sdkMissing', { identity: state.identity })}</p>
        </div>
      )}
      {state.kind === 'failed' && (
        <p className="error" role="alert">
          {t('app.error', { detail: state.detail })}
        </p>
      )}
      {allowed && state.kind !== 'checking' && (
        <button type="button" onClick={() => void check()}>
          {t('phone.retry')}
        </button>
      )}
    </section>
  );
}

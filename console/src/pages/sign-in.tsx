import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/lv';
import { ApiError, session } from '../lib/session';

/** The API's refusal codes, in plain words. */
const REFUSALS: Record<string, MessageKey> = {
  'invalid-credentials': 'signIn.error.invalid',
  // Refused for a while at this address after repeated failures (the account-wide lock reads as invalid-credentials).
  'rate-limited': 'signIn.error.locked',
  'account-disabled': 'signIn.error.disabled',
  network: 'signIn.error.network',
};

export function SignInPage() {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await session.signIn(email, password);
    } catch (e) {
      const code = e instanceof ApiError ? e.code : 'network';
      setError(REFUSALS[code] ? t(REFUSALS[code]) : t('signIn.error.other', { detail: e instanceof Error ? e.message : String(e) }));
      setBusy(false);
    }
  }

  return (
    <form className="sign-in card" onSubmit={(e) => void submit(e)} noValidate={false}>
      <h1>{t('signIn.heading')}</h1>
      {session.ended && !error && (
        <p className="notice" role="status">
          {t('signIn.sessionEnded')}
        </p>
      )}
      <label htmlFor="email">{t('signIn.email')}</label>
      <input id="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
      <label htmlFor="password">{t('signIn.password')}</label>
      <input
        id="password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? t('signIn.busy') : t('signIn.submit')}
      </button>
    </form>
  );
}

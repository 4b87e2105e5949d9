import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/i18n';
import { realtime, type PresenceState } from '../lib/realtime';

const STATES: PresenceState[] = ['online', 'away', 'offline'];

/**
 * The person's own presence: online takes new work from the router, away keeps their work but takes none, offline
 * closes the live connection (the server then gives back unanswered work in automatic queues).
 */
export function PresenceControl() {
  const { t } = useI18n();
  const [state, setState] = useState<PresenceState>(realtime.presence);
  const [busy, setBusy] = useState(false);
  useEffect(() => realtime.onPresence(setState), []);
  return (
    <label className="presence-control">
      <span className={`presence-dot presence-${state}`} aria-hidden="true" />
      <span>{t('desk.presence.label')}</span>
      <select
        value={state}
        disabled={busy}
        onChange={(e) => {
          setBusy(true);
          void realtime.setPresenceState(e.target.value as PresenceState).finally(() => setBusy(false));
        }}
      >
        {STATES.map((s) => (
          <option key={s} value={s}>
            {t(`presence.${s}`)}
          </option>
        ))}
      </select>
    </label>
  );
}

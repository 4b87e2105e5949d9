import { useI18n } from '../i18n/i18n';
import type { TicketSla } from '../lib/tickets';

const ICONS: Record<string, string> = { ok: '✓', warning: '!', breached: '✕', met: '✓', paused: '‖', none: '–' };

/**
 * The SLA state as a word and an icon (never colour alone), coloured, with a countdown to the due time while the
 * clock runs. The state turns to warning and breached in the browser as the time passes, like the API computes it.
 */
export function SlaBadge({ sla, now }: { sla: TicketSla; now: number }) {
  const { t, duration, dateTime } = useI18n();
  const due = sla.dueAt ? Date.parse(sla.dueAt) : null;
  let state = sla.state ?? 'none';
  if (due !== null && (state === 'ok' || state === 'warning') && due <= now) state = 'breached';
  const running = due !== null && (state === 'ok' || state === 'warning' || state === 'breached') && sla.state !== 'met';
  const left = due !== null ? due - now : 0;
  return (
    <span className={`sla sla-${state}`} title={due !== null ? t('sla.due', { at: dateTime(new Date(due)) }) : undefined}>
      <span className="sla-icon" aria-hidden="true">
        {ICONS[state] ?? '–'}
      </span>
      <span className="sla-word">{t(`sla.${state}` as 'sla.ok')}</span>
      {running && (
        <span className="sla-time">
          {left >= 0 ? t('sla.dueIn', { time: duration(left) }) : t('sla.overdue', { time: duration(-left) })}
        </span>
      )}
    </span>
  );
}

import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n/i18n';
import { realtime } from '../lib/realtime';
import { api } from '../lib/session';

export interface QueueWaiting {
  queue: string;
  name: string;
  level: number;
  institution: string | null;
  waiting: number;
  longestWaitSeconds: number | null;
  atRisk: number;
  breached: number;
}

/** How long the list waits after a ticket event before asking again: a burst of events costs one request. */
const REFRESH_DEBOUNCE_MS = 400;
/** Longest waits grow without any event: read again this often as well. */
const REFRESH_EVERY_MS = 30_000;

/**
 * The queues this person may work, each with what waits there (GET /v1/queues, one request), kept current by the
 * ticket events of the socket. Choosing a queue filters the inbox by it.
 */
export function QueueList({ selected, onSelect }: { selected: string; onSelect: (queue: string) => void }) {
  const { t, duration } = useI18n();
  const [queues, setQueues] = useState<QueueWaiting[] | null>(null);
  const [error, setError] = useState(false);
  const [showEmpty, setShowEmpty] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    let alive = true;
    const load = () =>
      api<QueueWaiting[]>('GET', '/v1/queues')
        .then((q) => alive && (setQueues(q), setError(false)))
        .catch(() => alive && setError(true));
    void load();
    const off = realtime.onTicket(() => {
      clearTimeout(timer.current);
      timer.current = setTimeout(() => void load(), REFRESH_DEBOUNCE_MS);
    });
    const every = setInterval(() => void load(), REFRESH_EVERY_MS);
    return () => {
      alive = false;
      off();
      clearInterval(every);
      clearTimeout(timer.current);
    };
  }, []);

  const total = queues?.reduce((n, q) => n + q.waiting, 0) ?? 0;
  // Queues with nothing waiting fold away (the chosen one stays), so the work is what the eye meets first.
  const shown = queues?.filter((q) => showEmpty || q.waiting > 0 || q.atRisk > 0 || q.breached > 0 || q.queue === selected) ?? [];
  const hidden = (queues?.length ?? 0) - shown.length;
  const levels = [...new Set(shown.map((q) => q.level))];
  return (
    <nav className="queue-list card" aria-labelledby="queues-heading">
      <h2 id="queues-heading">{t('desk.queues.heading')}</h2>
      {error && <p className="error">{t('desk.queues.error')}</p>}
      {!queues && !error && <p role="status">{t('app.loading')}</p>}
      {queues && (
        <>
          <button type="button" className="q-all" aria-pressed={selected === ''} onClick={() => onSelect('')} data-queue="">
            <span className="q-name">{t('desk.queues.all')}</span>
            <span className="q-waiting">{t('desk.queues.waiting', { count: total })}</span>
          </button>
          {levels.map((level) => (
            <section key={level} aria-label={t('desk.queues.levelHeading', { level })}>
              <h3>{t('desk.queues.levelHeading', { level })}</h3>
              <ul>
                {shown
                  .filter((q) => q.level === level)
                  .map((q) => (
                    <li key={q.queue}>
                      <button
                        type="button"
                        aria-pressed={selected === q.queue}
                        onClick={() => onSelect(q.queue)}
                        data-queue={q.queue}
                        title={q.name}
                      >
                        <span className="q-line">
                          <span className="q-name">{q.queue}</span>
                          <span className={`q-waiting${q.waiting > 0 ? ' has' : ''}`}>
                            {t('desk.queues.waiting', { count: q.waiting })}
                          </span>
                        </span>
                        {q.longestWaitSeconds !== null && q.waiting > 0 && (
                          <span className="q-detail">{t('desk.queues.longest', { time: duration(q.longestWaitSeconds * 1000) })}</span>
                        )}
                        {q.breached > 0 && <span className="q-detail q-bad">✖ {t('desk.queues.breached', { count: q.breached })}</span>}
                        {q.atRisk > 0 && <span className="q-detail q-warn">⚠ {t('desk.queues.atRisk', { count: q.atRisk })}</span>}
                      </button>
                    </li>
                  ))}
              </ul>
            </section>
          ))}
          {(hidden > 0 || showEmpty) && (
            <button type="button" className="q-toggle" aria-expanded={showEmpty} onClick={() => setShowEmpty(!showEmpty)}>
              {showEmpty ? t('desk.queues.hideEmpty') : t('desk.queues.showEmpty', { count: hidden })}
            </button>
          )}
        </>
      )}
    </nav>
  );
}

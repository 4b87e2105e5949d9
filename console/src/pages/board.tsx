import { useCallback, useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/lv';
import type { Board } from '../lib/board';
import { realtime } from '../lib/realtime';
import { api } from '../lib/session';

/**
 * The supervisor's live board: the snapshot of GET /v1/supervisor/board, replaced by every `board` push, and read
 * again shortly after a ticket event (so a new contact shows in the waiting counts without waiting for the push).
 */
export function BoardPage() {
  const { t, dateTime, duration } = useI18n();
  const [board, setBoard] = useState<Board | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pending = useRef<ReturnType<typeof setTimeout>>(undefined);

  const load = useCallback(async () => {
    try {
      setBoard(await api<Board>('GET', '/v1/supervisor/board'));
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, []);

  useEffect(() => {
    void load();
    const offBoard = realtime.onBoard(setBoard);
    const offTicket = realtime.onTicket(() => {
      clearTimeout(pending.current);
      pending.current = setTimeout(() => void load(), 300);
    });
    return () => {
      offBoard();
      offTicket();
      clearTimeout(pending.current);
    };
  }, [load]);

  if (!board) return error ? <p role="alert">{t('app.error', { detail: error })}</p> : <p role="status">{t('app.loading')}</p>;
  const seconds = (s: number | null) => (s === null ? '—' : duration(s * 1000));
  const percent = (r: number | null) => (r === null ? '—' : `${Math.round(r * 100)} %`);
  const queues = board.queues.filter((q) => q.waiting > 0 || q.offeredToday > 0 || q.atRisk > 0 || q.breached > 0);
  return (
    <section aria-labelledby="board-heading" className="board">
      <h1 id="board-heading">{t('board.heading')}</h1>
      <p className="hint">{t('board.updated', { at: dateTime(board.at) })}</p>
      <h2 className="visually-hidden">{t('board.totals')}</h2>
      <ul className="totals">
        <li data-total="waiting">
          <span className="n">{board.totals.waiting}</span> {t('board.waiting')}
        </li>
        <li className={board.totals.atRisk ? 'sla-warning' : undefined}>
          <span className="n">{board.totals.atRisk}</span> <span aria-hidden="true">!</span> {t('board.atRisk')}
        </li>
        <li className={board.totals.breached ? 'sla-breached' : undefined}>
          <span className="n">{board.totals.breached}</span> <span aria-hidden="true">✕</span> {t('board.breached')}
        </li>
        <li>
          <span className="n">{board.totals.online}</span> {t('board.online')}
        </li>
        <li>
          <span className="n">{board.totals.away}</span> {t('board.away')}
        </li>
      </ul>

      <h2 id="queues-heading">{t('board.queues')}</h2>
      {queues.length === 0 ? (
        <p>{t('board.noQueues')}</p>
      ) : (
        <table className="inbox" aria-labelledby="queues-heading">
          <thead>
            <tr>
              <th scope="col">{t('board.queue')}</th>
              <th scope="col">{t('board.channel')}</th>
              <th scope="col">{t('board.waiting')}</th>
              <th scope="col">{t('board.longestWait')}</th>
              <th scope="col">{t('board.offered')}</th>
              <th scope="col">{t('board.answered')}</th>
              <th scope="col">{t('board.abandoned')}</th>
              <th scope="col">{t('board.serviceLevel')}</th>
              <th scope="col">{t('board.asa')}</th>
              <th scope="col">{t('board.atRisk')}</th>
              <th scope="col">{t('board.breached')}</th>
            </tr>
          </thead>
          <tbody>
            {queues.map((q) => (
              <tr key={`${q.queue}:${q.channel}`} data-queue={q.queue} data-channel={q.channel}>
                <th scope="row">{q.queue}</th>
                <td>{t(`channel.${q.channel}` as MessageKey)}</td>
                <td data-col="waiting">{q.waiting}</td>
                <td>{seconds(q.longestWaitSeconds)}</td>
                <td>{q.offeredToday}</td>
                <td>{q.answeredToday}</td>
                <td>{q.abandonedToday}</td>
                <td>{percent(q.serviceLevel)}</td>
                <td>{seconds(q.averageSpeedOfAnswerSeconds)}</td>
                <td>{q.atRisk}</td>
                <td>{q.breached}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2 id="agents-heading">{t('board.agents')}</h2>
      <table className="inbox" aria-labelledby="agents-heading">
        <thead>
          <tr>
            <th scope="col">{t('board.agent')}</th>
            <th scope="col">{t('board.state')}</th>
            <th scope="col">{t('board.load')}</th>
            <th scope="col">{t('board.handled')}</th>
          </tr>
        </thead>
        <tbody>
          {board.agents.map((a) => (
            <tr key={a.agentId}>
              <th scope="row">{a.displayName}</th>
              <td>
                <span className={`presence presence-${a.state}`}>
                  <span aria-hidden="true">{a.state === 'online' ? '●' : a.state === 'away' ? '◐' : '○'}</span>{' '}
                  {t(`presence.${a.state}` as MessageKey)}
                </span>
              </td>
              <td>
                {Object.keys({ ...a.capacity, ...a.load })
                  .filter((c) => (a.load[c] ?? 0) > 0)
                  .map((c) => `${t(`channel.${c}` as MessageKey)} ${a.load[c] ?? 0}/${a.capacity[c] ?? 0}`)
                  .join(', ') || '—'}
              </td>
              <td>{a.handledToday}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

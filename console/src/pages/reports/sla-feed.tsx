import { useCallback, useEffect, useRef, useState } from 'react';
import { capitalized, useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/lv';
import { realtime } from '../../lib/realtime';
import { href, onLinkClick } from '../../lib/router';
import { api } from '../../lib/session';

interface FeedEvent {
  id: string;
  reference: string;
  policy: string | null;
  metric: string;
  kind: 'warning' | 'breached';
  at: string;
  actions: Array<{ type: string }> | null;
  queue: string | null;
  institution: string | null;
  priority: string;
}

const PAGE = 50;

/**
 * The SLA events feed: the latest warnings and breaches (GET /v1/sla/events?order=newest), with new ones added as
 * the `sla` push announces them and, after a reconnect, whatever was recorded meanwhile (after = the newest seen).
 */
export function SlaFeedPage() {
  const { t, dateTime } = useI18n();
  const [events, setEvents] = useState<FeedEvent[] | null>(null);
  const [older, setOlder] = useState<string | null>(null);
  const [kind, setKind] = useState<'' | 'warning' | 'breached'>('');
  const [error, setError] = useState<string | null>(null);
  const newest = useRef<string | null>(null);
  const kindQuery = kind ? `&kind=${kind}` : '';

  const catchUp = useCallback(async () => {
    if (newest.current === null) return;
    try {
      const page = await api<{ items: FeedEvent[] }>('GET', `/v1/sla/events?after=${newest.current}&limit=500${kindQuery}`);
      if (page.items.length === 0) return;
      newest.current = page.items[page.items.length - 1].id;
      setEvents((list) => [...page.items.reverse(), ...(list ?? [])]);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, [kindQuery]);

  useEffect(() => {
    let live = true;
    setEvents(null);
    newest.current = null;
    api<{ items: FeedEvent[]; nextCursor: string | null }>('GET', `/v1/sla/events?order=newest&limit=${PAGE}${kindQuery}`).then(
      (page) => {
        if (!live) return;
        newest.current = page.items[0]?.id ?? '0';
        setEvents(page.items);
        setOlder(page.nextCursor);
        setError(null);
      },
      (e) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    const offSla = realtime.onSla(() => void catchUp());
    const offStatus = realtime.onStatus((connected) => connected && void catchUp());
    return () => {
      live = false;
      offSla();
      offStatus();
    };
  }, [kindQuery, catchUp]);

  async function more() {
    if (!older) return;
    const page = await api<{ items: FeedEvent[]; nextCursor: string | null }>(
      'GET',
      `/v1/sla/events?order=newest&limit=${PAGE}&before=${older}${kindQuery}`,
    );
    setEvents((list) => [...(list ?? []), ...page.items]);
    setOlder(page.nextCursor);
  }

  return (
    <section aria-labelledby="sla-feed-heading">
      <h1 id="sla-feed-heading">{t('slaFeed.heading')}</h1>
      <p className="hint">{t('slaFeed.hint')}</p>
      <div className="filters">
        <div className="filter">
          <label htmlFor="sla-feed-kind">{t('slaFeed.kind')}</label>
          <select id="sla-feed-kind" value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
            <option value="">{t('inbox.any')}</option>
            <option value="warning">{t('slaFeed.warning')}</option>
            <option value="breached">{t('slaFeed.breached')}</option>
          </select>
        </div>
      </div>
      {error && (
        <p className="error" role="alert">
          {t('app.error', { detail: error })}
        </p>
      )}
      {events === null ? (
        <p role="status">{t('app.loading')}</p>
      ) : events.length === 0 ? (
        <p>{t('slaFeed.empty')}</p>
      ) : (
        <table className="inbox" aria-labelledby="sla-feed-heading">
          <thead>
            <tr>
              <th scope="col">{t('slaFeed.when')}</th>
              <th scope="col">{t('slaFeed.event')}</th>
              <th scope="col">{t('inbox.col.reference')}</th>
              <th scope="col">{t('reports.metric')}</th>
              <th scope="col">{t('reports.policy')}</th>
              <th scope="col">{t('reports.queue')}</th>
              <th scope="col">{t('inbox.col.institution')}</th>
              <th scope="col">{t('slaFeed.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id} data-event={e.id}>
                <td>
                  <time dateTime={e.at}>{dateTime(e.at)}</time>
                </td>
                <td>
                  <span className={`sla sla-${e.kind}`}>
                    <span className="sla-icon" aria-hidden="true">
                      {e.kind === 'breached' ? '✕' : '!'}
                    </span>
                    <span className="sla-word">{t(`slaFeed.${e.kind}`)}</span>
                  </span>
                </td>
                <td>
                  <a className="ref" href={href({ name: 'ticket', reference: e.reference })} onClick={onLinkClick}>
                    {e.reference}
                  </a>
                </td>
                <td>{capitalized(t(`metric.${e.metric}` as MessageKey))}</td>
                <td>{e.policy ?? '—'}</td>
                <td>{e.queue ?? '—'}</td>
                <td>{e.institution ?? '—'}</td>
                <td>{e.actions?.length ? e.actions.map((a) => t(`slaAction.${a.type}` as MessageKey)).join(', ') : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {older && (
        <button type="button" onClick={() => void more()}>
          {t('inbox.more')}
        </button>
      )}
    </section>
  );
}

import { useCallback, useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/lv';
import { realtime, type TicketEvent } from '../lib/realtime';
import { href, navigate, onLinkClick } from '../lib/router';
import { api } from '../lib/session';
import { bySlaDue, CHANNELS, customerName, SLA_STATES, STATUSES, type TicketItem, type TicketPage } from '../lib/tickets';
import { useNow } from '../lib/use-now';
import { SlaBadge } from './sla-badge';
import { QueueList } from '../desk/queue-list';

interface Filters {
  queue: string;
  status: string;
  channel: string;
  level: string;
  assignee: string;
  sla: string;
  /** '' leaves snoozed tickets out (the API's default); 'include' or 'only'. */
  snoozed: string;
  q: string;
}

const NO_FILTERS: Filters = { queue: '', status: '', channel: '', level: '', assignee: '', sla: '', snoozed: '', q: '' };
const FILTERS_KEY = 'console.inbox.filters';
const PAGE_SIZE = 50;

export const CHANNEL_ICONS: Record<string, string> = {
  webform: '▤',
  email: '✉',
  voice: '☎',
  chat: '✎',
  social: '#',
  counter: '⌂',
  phone: '☏',
};

function query(filters: Filters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({ sort: 'sla_due', limit: String(PAGE_SIZE) });
  for (const [k, v] of Object.entries(filters)) if (v.trim()) params.set(k, v.trim());
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  return params.toString();
}

function savedFilters(): Filters {
  try {
    return { ...NO_FILTERS, ...JSON.parse(sessionStorage.getItem(FILTERS_KEY) ?? '{}') };
  } catch {
    return NO_FILTERS;
  }
}

/**
 * The unified inbox: every ticket the person may see, most urgent SLA first, filtered and searched by the API,
 * paged with its keyset cursor, and kept current by the /agents socket (an event names a ticket; the row is read
 * again with the same filters, so it appears, moves or leaves as the list would have it).
 */
export function InboxPage() {
  const { t } = useI18n();
  const now = useNow();
  const [filters, setFilters] = useState<Filters>(savedFilters);
  const [search, setSearch] = useState(filters.q);
  const [items, setItems] = useState<TicketItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  // No row is selected until the person moves: the first j or arrow selects the first row.
  const [selected, setSelected] = useState(-1);
  const [notice, setNotice] = useState('');
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const tableRef = useRef<HTMLTableSectionElement>(null);

  const load = useCallback(async (f: Filters) => {
    setLoading(true);
    try {
      const page = await api<TicketPage>('GET', `/v1/tickets?${query(f)}`);
      if (filtersRef.current !== f) return;
      setItems(page.items);
      setCursor(page.nextCursor);
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    sessionStorage.setItem(FILTERS_KEY, JSON.stringify(filters));
    void load(filters);
  }, [filters, load]);

  // Live: the event names the ticket; reading it through the list with the same filters says whether it belongs.
  useEffect(() => {
    // Every failure is caught inside, so the socket's listener may start it and not wait.
    const refresh = async (event: TicketEvent) => {
      const f = filtersRef.current;
      if (f.q.trim()) return void load(f);
      try {
        const page = await api<TicketPage>('GET', `/v1/tickets?${query(f, { q: event.reference, limit: '5' })}`);
        if (filtersRef.current !== f) return;
        const row = page.items.find((i) => i.reference === event.reference);
        setItems((current) => {
          const rest = current.filter((i) => i.reference !== event.reference);
          return row ? [...rest, row].sort(bySlaDue) : rest;
        });
        if (row) setNotice(t('inbox.live', { reference: event.reference }));
      } catch {
        // The next event or reload repairs the list.
      }
    };
    return realtime.onTicket((event) => void refresh(event));
  }, [load, t]);

  async function more() {
    if (!cursor) return;
    const f = filters;
    const page = await api<TicketPage>('GET', `/v1/tickets?${query(f, { cursor })}`);
    if (filtersRef.current !== f) return;
    setItems((current) => [...current, ...page.items.filter((i) => !current.some((c) => c.id === i.id))]);
    setCursor(page.nextCursor);
  }

  // j/k and the arrow keys move through the list; Enter opens (the selected row's link has the focus).
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      const target = event.target as HTMLElement;
      if (event.altKey || event.ctrlKey || event.metaKey || /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(target.tagName)) return;
      const step = event.key === 'j' || event.key === 'ArrowDown' ? 1 : event.key === 'k' || event.key === 'ArrowUp' ? -1 : 0;
      if (step === 0) {
        if (event.key === 'Enter' && target === document.body && items[selected])
          navigate(href({ name: 'ticket', reference: items[selected].reference }));
        return;
      }
      event.preventDefault();
      setSelected((s) => {
        const next = Math.min(Math.max(0, s + step), items.length - 1);
        tableRef.current?.querySelectorAll<HTMLAnchorElement>('a.ref')[next]?.focus();
        return next;
      });
    }
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [items, selected]);

  const set = (key: keyof Filters) => (e: React.ChangeEvent<HTMLSelectElement>) => setFilters({ ...filters, [key]: e.target.value });
  const select = (
    key: keyof Filters,
    label: MessageKey,
    options: ReadonlyArray<readonly [string, string]>,
    any: MessageKey = 'inbox.any',
  ) => (
    <div className="filter">
      <label htmlFor={`filter-${key}`}>{t(label)}</label>
      <select id={`filter-${key}`} value={filters[key]} onChange={set(key)}>
        <option value="">{t(any)}</option>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <div className="inbox-layout">
      <QueueList selected={filters.queue} onSelect={(queue) => setFilters({ ...filters, queue })} />
      <section aria-labelledby="inbox-heading">
        <h1 id="inbox-heading">
          {t('inbox.heading')}
          {filters.queue && <span className="queue-filter"> · {t('desk.queues.filtered', { queue: filters.queue })}</span>}
        </h1>
        <form
          className="filters"
          role="search"
          aria-label={t('inbox.filters')}
          onSubmit={(e) => {
            e.preventDefault();
            setFilters({ ...filters, q: search });
          }}
        >
          <div className="filter search">
            <label htmlFor="filter-q">{t('inbox.search')}</label>
            <input
              id="filter-q"
              type="search"
              value={search}
              placeholder={t('inbox.searchHint')}
              title={t('inbox.searchTip')}
              onChange={(e) => setSearch(e.target.value)}
            />
          </div>
          <button type="submit">{t('inbox.search')}</button>
          {select(
            'status',
            'inbox.status',
            STATUSES.map((s) => [s, t(`status.${s}` as MessageKey)] as const),
          )}
          {select(
            'channel',
            'inbox.channel',
            CHANNELS.map((c) => [c, t(`channel.${c}` as MessageKey)] as const),
          )}
          {select(
            'level',
            'inbox.level',
            ['0', '1', '2', '3'].map((l) => [l, l] as const),
          )}
          {select(
            'assignee',
            'inbox.assignee',
            [
              ['me', t('inbox.assignee.me')],
              ['none', t('inbox.assignee.none')],
            ] as const,
            'desk.assignee.anyone',
          )}
          {select(
            'sla',
            'inbox.sla',
            SLA_STATES.map((s) => [s, t(`sla.${s}` as MessageKey)] as const),
          )}
          {select(
            'snoozed',
            'inbox.snoozed',
            [
              ['include', t('inbox.snoozed.include')],
              ['only', t('inbox.snoozed.only')],
            ] as const,
            'inbox.snoozed.exclude',
          )}
        </form>
        <p className="hint">{t('inbox.keyboardHint')}</p>
        <p className="visually-hidden" aria-live="polite">
          {notice}
        </p>
        {error && (
          <p className="error" role="alert">
            {t('app.error', { detail: error })}
          </p>
        )}
        <table className="inbox">
          <caption className="visually-hidden">{t('inbox.heading')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('inbox.col.channel')}</th>
              <th scope="col">{t('inbox.col.reference')}</th>
              <th scope="col">{t('inbox.col.customer')}</th>
              <th scope="col">{t('inbox.col.subject')}</th>
              <th scope="col">{t('inbox.col.institution')}</th>
              <th scope="col">{t('inbox.col.level')}</th>
              <th scope="col">{t('inbox.col.assignee')}</th>
              <th scope="col">{t('inbox.col.sla')}</th>
            </tr>
          </thead>
          <tbody ref={tableRef}>
            {items.map((item, i) => (
              <tr key={item.id} className={i === selected ? 'selected' : undefined} data-reference={item.reference}>
                <td>
                  <span className="channel-icon" aria-hidden="true">
                    {CHANNEL_ICONS[item.channel] ?? '•'}
                  </span>{' '}
                  {t(`channel.${item.channel}` as MessageKey)}
                </td>
                <td>
                  <a
                    className="ref"
                    href={href({ name: 'ticket', reference: item.reference })}
                    onClick={onLinkClick}
                    onFocus={() => setSelected(i)}
                  >
                    {item.reference}
                  </a>
                </td>
                <td>{customerName(item.customer) ?? <span className="muted">{t('inbox.noCustomer')}</span>}</td>
                <td className="subject">
                  {item.subject ?? <span className="muted">{t('ticket.noSubject')}</span>}
                  {item.snooze && <span className="snoozed-tag"> · {t('snooze.label')}</span>}
                  {item.match?.snippet && item.match.field !== 'subject' && <Snippet snippet={item.match.snippet} />}
                </td>
                <td>{item.institution ?? '—'}</td>
                <td>{item.level}</td>
                <td>{item.assignee?.displayName ?? t('inbox.unassigned')}</td>
                <td>
                  <SlaBadge sla={item.sla} now={now} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {!loading && items.length === 0 && !error && <p>{t('inbox.empty')}</p>}
        {loading && items.length === 0 && <p role="status">{t('app.loading')}</p>}
        <p className="count">{t('inbox.count', { count: items.length })}</p>
        {cursor && (
          <button type="button" onClick={() => void more()}>
            {t('inbox.more')}
          </button>
        )}
      </section>
    </div>
  );
}

/** A search match: the text as text, its matching words marked (the API gives offsets, never markup). */
function Snippet({ snippet }: { snippet: { text: string; highlights: Array<[number, number]> } }) {
  const parts: Array<{ text: string; marked: boolean }> = [];
  let at = 0;
  for (const [start, end] of snippet.highlights) {
    if (start < at || end > snippet.text.length) continue;
    if (start > at) parts.push({ text: snippet.text.slice(at, start), marked: false });
    parts.push({ text: snippet.text.slice(start, end), marked: true });
    at = end;
  }
  if (at < snippet.text.length) parts.push({ text: snippet.text.slice(at), marked: false });
  return <span className="snippet">{parts.map((p, i) => (p.marked ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}</span>;
}

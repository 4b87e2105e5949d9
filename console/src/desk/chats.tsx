import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/i18n';
import { realtime, type ChatEvent } from '../lib/realtime';
import { href, navigate, onLinkClick } from '../lib/router';
import { api, ApiError, session } from '../lib/session';
import { customerName, type TicketDetail, type TicketItem, type TicketPage } from '../lib/tickets';
import { useNow } from '../lib/use-now';
import { SlaBadge } from '../pages/sla-badge';
import { AssignTransferForm } from './ticket-desk';

/** A line of the conversation, as the chat keeps it (docs/chat.md). */
interface ChatEntry {
  id: string;
  author: 'visitor' | 'assistant' | 'agent' | 'system';
  text: string;
  at: string;
  name?: string;
  attachments?: Array<{ filename: string; size: number }>;
}

interface JoinAnswer {
  session: { id: string; mode: string; operatorId: string | null; operatorName: string | null; name: string | null };
  history: ChatEntry[];
}

type Lists = { waiting: TicketItem[]; bot: TicketItem[]; mine: TicketItem[] };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** How long without a keystroke before the visitor is told the operator stopped typing. */
const TYPING_IDLE_MS = 2500;

const chatList = (params: string) =>
  api<TicketPage>('GET', `/v1/tickets?channel=chat&sort=created&order=oldest&limit=50&${params}`).then((p) => p.items);

/**
 * Live chats: those handed over and waiting for a person, those the assistant still holds (which an operator may
 * take over), and the person's own; the chosen one opens beside the lists. Everything comes from the ticket list
 * API and the /agents socket's chat events.
 */
export function ChatsPage({ reference }: { reference?: string }) {
  const { t } = useI18n();
  const [lists, setLists] = useState<Lists | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = useCallback(async () => {
    try {
      const [waiting, bot, mine] = await Promise.all([
        chatList('status=queued&assignee=none'),
        chatList('status=bot'),
        chatList('status=assigned&assignee=me'),
      ]);
      setLists({ waiting, bot, mine });
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, []);

  useEffect(() => {
    void load();
    const off = realtime.onTicket((event) => {
      // Only chats change these lists; an event without its channel is read as possibly one.
      if (event.channel !== undefined && event.channel !== 'chat') return;
      clearTimeout(timer.current);
      timer.current = setTimeout(() => void load(), 300);
    });
    return () => {
      off();
      clearTimeout(timer.current);
    };
  }, [load]);

  async function take(item: TicketItem, how: 'claim' | 'takeOver' | 'open') {
    setError(null);
    if (how === 'claim') {
      try {
        await api('POST', `/v1/tickets/${item.reference}/claim`, {});
      } catch (e) {
        setError(
          t('chat.refused', {
            detail:
              e instanceof ApiError && e.code === 'already-assigned'
                ? t('claim.taken', { name: item.assignee?.displayName ?? '?' })
                : String((e as Error).message),
          }),
        );
        return void load();
      }
    }
    if (how === 'takeOver') {
      const answer = await realtime.joinChat<JoinAnswer>(item.reference, true);
      if (!answer.ok) return setError(t('chat.refused', { detail: answer.detail }));
    }
    navigate(href({ name: 'chats', reference: item.reference }));
  }

  const group = (id: string, title: string, items: TicketItem[] | undefined, how: 'claim' | 'takeOver' | 'open') => (
    <section aria-labelledby={`chats-${id}`} className="chat-group" data-group={id}>
      <h2 id={`chats-${id}`}>
        {title} <span className="count-badge">{items?.length ?? '…'}</span>
      </h2>
      {items && items.length === 0 && <p className="muted">{t('chat.none')}</p>}
      <ul>
        {items?.map((item) => (
          <li key={item.reference} className={item.reference === reference ? 'current' : undefined}>
            <ChatListItem item={item} />
            <button type="button" className={how === 'open' ? undefined : 'primary'} onClick={() => void take(item, how)}>
              {t(how === 'claim' ? 'chat.take' : how === 'takeOver' ? 'chat.takeOver' : 'chat.open', { reference: item.reference })}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );

  return (
    <div className="chats-layout">
      <div className="chat-lists">
        <h1>{t('chat.heading')}</h1>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {group('mine', t('chat.mine'), lists?.mine, 'open')}
        {group('waiting', t('chat.waiting'), lists?.waiting, 'claim')}
        {group('bot', t('chat.withAssistant'), lists?.bot, 'takeOver')}
      </div>
      {reference ? (
        <Conversation key={reference} reference={reference} onChanged={load} />
      ) : (
        <p className="chat-pick muted">{t('chat.pick')}</p>
      )}
    </div>
  );
}

function ChatListItem({ item }: { item: TicketItem }) {
  const { t, dateTime } = useI18n();
  const now = useNow();
  return (
    <div className="chat-item">
      <span className="ref">{item.reference}</span> {customerName(item.customer) ?? t('inbox.noCustomer')}
      <span className="muted"> · {item.subject ?? t('ticket.noSubject')}</span>
      <span className="muted">
        {' '}
        · <time dateTime={item.createdAt}>{dateTime(item.createdAt)}</time>
      </span>{' '}
      {item.sla.dueAt && <SlaBadge sla={item.sla} now={now} />}
    </div>
  );
}

/** One conversation: its history, the visitor's lines and typing as they come, the operator's answer with receipts. */
function Conversation({ reference, onChanged }: { reference: string; onChanged: () => Promise<void> }) {
  const { t, dateTime } = useI18n();
  const [entries, setEntries] = useState<ChatEntry[]>([]);
  const [mode, setMode] = useState<string | null>(null);
  const [holder, setHolder] = useState<string | null>(null);
  const [ticket, setTicket] = useState<TicketDetail | null>(null);
  const [refused, setRefused] = useState<string | null>(null);
  const [visitorTyping, setVisitorTyping] = useState(false);
  const [receipts, setReceipts] = useState<Record<string, 'delivered' | 'read'>>({});
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [collided, setCollided] = useState(false);
  const typingTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const typing = useRef(false);
  const logRef = useRef<HTMLOListElement>(null);

  const add = useCallback(
    (list: ChatEntry[]) => {
      setEntries((current) => {
        const known = new Set(current.map((e) => e.id));
        const fresh = list.filter((e) => !known.has(e.id));
        return fresh.length ? [...current, ...fresh] : current;
      });
      // What the visitor wrote is shown now: they see it was read.
      const ids = list.filter((e) => e.author === 'visitor').map((e) => e.id);
      if (ids.length) void realtime.request('chat.receipt', { reference, kind: 'read', ids });
    },
    [reference],
  );

  const loadTicket = useCallback(async () => {
    setTicket(await api<TicketDetail>('GET', `/v1/tickets/${encodeURIComponent(reference)}`).catch(() => null));
  }, [reference]);

  useEffect(() => {
    let alive = true;
    void loadTicket();
    const join = async () => {
      const answer = await realtime.joinChat<JoinAnswer>(reference);
      if (!alive) return;
      if (!answer.ok) return setRefused(answer.detail);
      setRefused(null);
      setMode(answer.session.mode);
      setHolder(answer.session.operatorName);
      add(answer.history);
    };
    void join();
    // A reconnect (or the first connection) joins again: rooms do not outlive a socket.
    const offStatus = realtime.onStatus((connected) => connected && void join());
    const offChat = realtime.onChat((event: ChatEvent) => {
      if (event.reference !== reference) return;
      const p = event.payload;
      if (event.type === 'message') {
        add([p.message as ChatEntry]);
        if ((p.message as ChatEntry).author === 'visitor') setVisitorTyping(false);
      } else if (event.type === 'typing') setVisitorTyping(p.typing !== false);
      else if (event.type === 'receipt')
        setReceipts((r) => ({ ...r, ...Object.fromEntries((p.ids as string[]).map((id) => [id, r[id] === 'read' ? 'read' : p.kind])) }));
      else if (event.type === 'session') {
        setMode(p.mode);
        setHolder(p.operatorName ?? null);
      } else if (event.type === 'closed') setMode('closed');
    });
    const offTicket = realtime.onTicket((event) => event.reference === reference && void loadTicket());
    return () => {
      alive = false;
      offStatus();
      offChat();
      offTicket();
      clearTimeout(typingTimer.current);
      if (typing.current) void realtime.request('chat.typing', { reference, typing: false });
      realtime.leaveChat(reference);
    };
  }, [reference, add, loadTicket]);

  useEffect(() => {
    logRef.current?.lastElementChild?.scrollIntoView?.({ block: 'nearest' });
  }, [entries.length, receipts]);

  function setTyping(now: boolean) {
    clearTimeout(typingTimer.current);
    if (now) typingTimer.current = setTimeout(() => setTyping(false), TYPING_IDLE_MS);
    if (typing.current === now) return;
    typing.current = now;
    void realtime.request('chat.typing', { reference, typing: now });
  }

  async function send(e: FormEvent) {
    e.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    setError(null);
    try {
      // Every line is on screen as it comes, so the newest staff line shown is what this person has seen; a
      // colleague's answer after it is the API's collision, which a second press sends anyway.
      const lastSeen = [...entries].reverse().find((x) => x.author === 'agent' && UUID.test(x.id))?.id;
      const sent = await api<{ id: string }>('POST', `/v1/tickets/${reference}/replies`, {
        text,
        ...(lastSeen ? { lastSeenMessageId: lastSeen } : {}),
        ...(collided ? { force: true } : {}),
      });
      setCollided(false);
      add([{ id: sent.id, author: 'agent', name: session.profile?.displayName, text, at: new Date().toISOString() }]);
      setText('');
      setTyping(false);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'reply-collision') {
        setCollided(true);
        setError(`${t('reply.collision')} ${err.message}`);
      } else setError(t('chat.refused', { detail: err instanceof Error ? err.message : String(err) }));
    } finally {
      setBusy(false);
    }
  }

  async function close() {
    const answer = await realtime.request('chat.close', { reference });
    if (answer.ok) setMode('closed');
    else setError(t('chat.refused', { detail: answer.detail }));
    await onChanged();
  }

  const closed = mode === 'closed';
  const authorName = (e: ChatEntry) => (e.author === 'agent' && e.name ? e.name : t(`chat.author.${e.author}`));
  return (
    <section className="conversation card" aria-labelledby="conversation-heading">
      <h2 id="conversation-heading">{t('chat.conversation', { reference })}</h2>
      <p className="conversation-meta">
        {ticket && <span>{customerName(ticket.customer) ?? t('inbox.noCustomer')}</span>}
        {holder && <span> · {t('chat.heldBy', { name: holder })}</span>}{' '}
        <a href={href({ name: 'ticket', reference })} onClick={onLinkClick}>
          {t('chat.ticket')}
        </a>
      </p>
      {refused && (
        <p className="error" role="alert">
          {t('chat.refused', { detail: refused })}
        </p>
      )}
      <ol
        className="chat-log"
        ref={logRef}
        tabIndex={0}
        aria-live="polite"
        aria-relevant="additions"
        aria-label={t('chat.conversation', { reference })}
      >
        {entries.map((e) => (
          <li key={e.id} className={`chat-line chat-${e.author}`} data-id={e.id}>
            <span className="who">{authorName(e)}</span> <time dateTime={e.at}>{dateTime(e.at)}</time>
            <p>{e.text}</p>
            {e.attachments?.map((a) => (
              <span key={a.filename} className="muted">
                📎 {a.filename}{' '}
              </span>
            ))}
            {e.author === 'agent' && receipts[e.id] && (
              <span className={`receipt receipt-${receipts[e.id]}`}>
                {receipts[e.id] === 'read' ? `✓✓ ${t('chat.read')}` : `✓ ${t('chat.delivered')}`}
              </span>
            )}
          </li>
        ))}
      </ol>
      <p className="typing" role="status">
        {visitorTyping && !closed ? t('chat.visitorTyping') : ''}
      </p>
      {closed ? (
        <p className="notice">{t('chat.closed')}</p>
      ) : (
        <form className="chat-compose" onSubmit={(e) => void send(e)}>
          <label htmlFor="chat-text">{t('chat.message')}</label>
          <textarea
            id="chat-text"
            rows={3}
            value={text}
            disabled={Boolean(refused)}
            onChange={(e) => {
              setText(e.target.value);
              setTyping(e.target.value.length > 0);
            }}
            onKeyDown={(e) => {
              // Enter sends, as in every chat; Shift+Enter is a new line.
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                e.currentTarget.form?.requestSubmit();
              }
            }}
          />
          <div className="chat-buttons">
            <button type="submit" className="primary" disabled={busy || !text.trim() || Boolean(refused)}>
              {collided ? t('reply.sendAnyway') : t('chat.send')}
            </button>
            <button type="button" onClick={() => void close()} disabled={Boolean(refused)}>
              {t('chat.close')}
            </button>
          </div>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
        </form>
      )}
      {ticket && session.profile && !closed && (
        <AssignTransferForm
          ticket={ticket}
          me={session.profile}
          idPrefix="chat-transfer"
          onChanged={async () => {
            await onChanged();
            navigate(href({ name: 'chats' }));
          }}
        />
      )}
    </section>
  );
}

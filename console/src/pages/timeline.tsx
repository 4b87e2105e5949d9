import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/lv';
import type { Message, TicketDetail, TimelineEntry } from '../lib/tickets';
import { formatNumber } from '../lib/numbers';
import type { TicketCustomField } from './custom-fields-panel';

/**
 * A message's words, always as text: the API's HTML (sanitised at the door) is never put into the page; when a
 * message has only HTML, its text is read out of an inert document that runs nothing and loads nothing.
 */
export function messageText(m: Message): string {
  if (m.text) return m.text;
  if (!m.html) return '';
  return new DOMParser().parseFromString(m.html, 'text/html').body.textContent ?? '';
}

/** `customFields`: the institution's fields, so that a change names each by its label, not its key. */
export function Timeline({ ticket, customFields = [] }: { ticket: TicketDetail; customFields?: TicketCustomField[] }) {
  const { t, dateTime, lang } = useI18n();
  const fieldLabels = new Map(customFields.map((f) => [f.key, f.labels[lang]]));
  const names = new Map(ticket.agents.map((a) => [a.id, a.displayName]));
  const messages = new Map(ticket.messages.map((m) => [m.id, m]));
  const who = (id: string | null | undefined) => (id ? (names.get(id) ?? id) : t('timeline.system'));

  if (ticket.timeline.length === 0) return <p>{t('timeline.empty')}</p>;
  return (
    <ol className="timeline">
      {ticket.timeline.map((entry, i) => (
        <li
          key={i}
          className={`entry entry-${entry.type}${entry.type === 'message' ? ` entry-${messages.get(entry.messageId!)?.direction}` : ''}`}
        >
          <Entry entry={entry} message={entry.messageId ? messages.get(entry.messageId) : undefined} who={who} />
          <time dateTime={entry.at}>{dateTime(entry.at)}</time>
        </li>
      ))}
    </ol>
  );

  function Entry({ entry, message, who }: { entry: TimelineEntry; message?: Message; who: (id: string | null | undefined) => string }) {
    if (message) {
      const heading =
        entry.type === 'note'
          ? t('timeline.note')
          : message.direction === 'inbound'
            ? t('timeline.message.inbound')
            : t('timeline.message.outbound');
      const author = message.direction === 'inbound' ? t('timeline.customer') : who(message.authorAgentId);
      return (
        <div>
          <p className="entry-head">
            <strong>{heading}</strong> · {author}
            {message.direction === 'outbound' && !message.internal && message.deliveryStatus && (
              <> · {t(`timeline.delivery.${message.deliveryStatus}` as MessageKey)}</>
            )}
          </p>
          {message.subject && <p className="entry-subject">{message.subject}</p>}
          <p className="entry-text">{messageText(message)}</p>
          {message.attachments.length > 0 && (
            <ul className="attachments" aria-label={t('ticket.attachments')}>
              {message.attachments.map((a) => (
                <li key={a.id}>
                  {a.filename} ({Math.ceil(a.size / 1024)} KB)
                </li>
              ))}
            </ul>
          )}
        </div>
      );
    }
    if (entry.type === 'escalation') {
      return (
        <div>
          <p className="entry-head">
            <strong>{t('timeline.escalation', { from: entry.fromLevel ?? '?', to: entry.toLevel ?? '?' })}</strong>
            {entry.toQueue && <> · {t('timeline.escalation.queue', { queue: entry.toQueue })}</>} · {who(entry.actorAgentId)}
          </p>
          {entry.comment && <p className="entry-text">{t('timeline.reason', { reason: entry.comment })}</p>}
          {entry.summary && <p className="entry-text">{entry.summary}</p>}
        </div>
      );
    }
    if (entry.type === 'sla_warning' || entry.type === 'sla_breached') {
      return (
        <p className="entry-head">
          <strong>{t(`timeline.${entry.type}`, { metric: t(`metric.${entry.metric}` as MessageKey) })}</strong>
        </p>
      );
    }
    if (entry.type === 'custom_fields_changed') {
      const changes = (entry.fields ?? []) as Array<{ key: string; from: unknown; to: unknown }>;
      const shown = (v: unknown) =>
        v === null || v === undefined ? '—' : typeof v === 'string' ? v : typeof v === 'number' ? formatNumber(v, lang) : JSON.stringify(v);
      return (
        <div>
          <p className="entry-head">
            <strong>{t('timeline.custom_fields_changed')}</strong> · {who(entry.actorAgentId)}
          </p>
          <ul className="entry-text">
            {changes.map((c) => (
              <li key={c.key}>
                {fieldLabels.get(c.key) ?? c.key}: {shown(c.from)} → {shown(c.to)}
              </li>
            ))}
          </ul>
        </div>
      );
    }
    const key = `timeline.${entry.type}` as MessageKey;
    return (
      <p className="entry-head">
        <strong>{TYPES[entry.type] ? t(key) : entry.type}</strong>
        {typeof entry.to === 'string' && <> · {t('timeline.to', { name: who(entry.to) })}</>} · {who(entry.actorAgentId)}
      </p>
    );
  }
}

const TYPES: Record<string, true> = {
  claimed: true,
  assigned: true,
  auto_assigned: true,
  returned_to_queue: true,
  updated: true,
  merged: true,
  customer_linked: true,
};

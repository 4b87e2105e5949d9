import { useCallback, useEffect, useState } from 'react';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/lv';
import { realtime, type Viewer } from '../lib/realtime';
import { href, onLinkClick } from '../lib/router';
import { api, ApiError, session } from '../lib/session';
import { type TicketDetail } from '../lib/tickets';
import { useNow } from '../lib/use-now';
import { CustomerPanel } from './customer-panel';
import { CustomFieldsPanel, type TicketCustomField } from './custom-fields-panel';
import { OtherTickets } from '../desk/ticket-desk';
import { SlaBadge } from './sla-badge';
import { TicketActions } from './ticket-actions';
import { TicketManage } from './ticket-manage';
import { Timeline } from './timeline';
import { FollowUpForms, useSnoozeText } from '../desk/follow-ups';

/** One ticket at its own address: details, the customer, the timeline, and what can be done with it. */
export function TicketPage({ reference }: { reference: string }) {
  const { t, dateTime } = useI18n();
  const now = useNow();
  const [ticket, setTicket] = useState<TicketDetail | null>(null);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [viewers, setViewers] = useState<Viewer[]>([]);
  const [customFields, setCustomFields] = useState<TicketCustomField[]>([]);
  const snoozed = useSnoozeText(ticket);

  const load = useCallback(async () => {
    try {
      setTicket(await api<TicketDetail>('GET', `/v1/tickets/${encodeURIComponent(reference)}`));
      setError(null);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) setMissing(true);
      else setError(e instanceof Error ? e.message : String(e));
    }
  }, [reference]);

  useEffect(() => {
    void load();
    realtime.view(reference, true);
    const off = realtime.onTicket((event) => event.reference === reference && void load());
    const offViewers = realtime.onViewers((ref, list) => ref === reference && setViewers(list));
    return () => {
      off();
      offViewers();
      realtime.view(reference, false);
    };
  }, [reference, load]);

  if (missing) {
    return (
      <section>
        <h1>{reference}</h1>
        <p role="alert">{t('ticket.notFound', { reference })}</p>
        <a href={href({ name: 'inbox' })} onClick={onLinkClick}>
          {t('ticket.back')}
        </a>
      </section>
    );
  }
  if (!ticket) return error ? <p role="alert">{t('app.error', { detail: error })}</p> : <p role="status">{t('app.loading')}</p>;

  const assignee = ticket.assignee?.displayName ?? t('inbox.unassigned');
  return (
    <article className="ticket" aria-labelledby="ticket-heading">
      <a className="back" href={href({ name: 'inbox' })} onClick={onLinkClick}>
        ← {t('ticket.back')}
      </a>
      <h1 id="ticket-heading">
        <span className="ref">{ticket.reference}</span> <span className="subject">{ticket.subject ?? t('ticket.noSubject')}</span>
      </h1>
      <Viewers viewers={viewers.filter((v) => v.agentId !== session.profile?.id)} />
      <div className="ticket-grid">
        <div className="ticket-main">
          <section aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">{t('ticket.timeline')}</h2>
            <Timeline ticket={ticket} customFields={customFields} />
          </section>
          <TicketActions ticket={ticket} me={session.profile!} onChanged={load} />
          <TicketManage ticket={ticket} me={session.profile!} onChanged={load} />
          <FollowUpForms ticket={ticket} me={session.profile!} onChanged={load} />
        </div>
        <aside className="ticket-side">
          <section aria-labelledby="details-heading" className="card">
            <h2 id="details-heading">{t('ticket.details')}</h2>
            <dl>
              <dt>{t('ticket.status')}</dt>
              <dd>{t(`status.${ticket.status}` as MessageKey)}</dd>
              {snoozed && (
                <>
                  <dt>{t('snooze.label')}</dt>
                  <dd className="snoozed">{snoozed}</dd>
                </>
              )}
              <dt>{t('ticket.channel')}</dt>
              <dd>{t(`channel.${ticket.channel}` as MessageKey)}</dd>
              <dt>{t('ticket.institution')}</dt>
              <dd>{ticket.institution ?? '—'}</dd>
              <dt>{t('ticket.level')}</dt>
              <dd>{ticket.level}</dd>
              <dt>{t('ticket.queue')}</dt>
              <dd>{ticket.queue ?? '—'}</dd>
              <dt>{t('ticket.assignee')}</dt>
              <dd>{assignee}</dd>
              <dt>{t('ticket.created')}</dt>
              <dd>{dateTime(ticket.createdAt)}</dd>
              <dt>{t('ticket.sla')}</dt>
              <dd>
                <SlaBadge sla={ticket.sla} now={now} />
              </dd>
            </dl>
          </section>
          <CustomFieldsPanel ticket={ticket} me={session.profile!} onChanged={load} onFields={setCustomFields} />
          <CustomerPanel ticket={ticket} />
          <OtherTickets ticket={ticket} />
        </aside>
      </div>
    </article>
  );
}

function Viewers({ viewers }: { viewers: Viewer[] }) {
  const { t } = useI18n();
  if (viewers.length === 0) return null;
  return (
    <p className="viewers" role="status">
      {t('viewers.label')}:{' '}
      {viewers.map((v, i) => (
        <span key={v.agentId} className={v.replying ? 'replying' : undefined}>
          {i > 0 && ', '}
          {v.displayName}
          {v.replying && ` (${t('viewers.replying')})`}
        </span>
      ))}
    </p>
  );
}

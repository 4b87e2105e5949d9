import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/i18n';
import { realtime } from '../lib/realtime';
import { href, onLinkClick } from '../lib/router';
import { api, type Profile } from '../lib/session';
import type { TicketDetail } from '../lib/tickets';
import { fieldErrorProps, Outcome } from '../pages/forms';
import { doesTicketWork, useSubmit } from './ticket-desk';

type Props = { ticket: TicketDetail; me: Profile; onChanged: () => Promise<void> };

/** A `datetime-local` value (the browser's own time zone) as the API's ISO time; empty stays absent. */
const isoOf = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** What the ticket is snoozed for, in words, or null when it is awake. */
export function useSnoozeText(ticket: TicketDetail | null): string | null {
  const { t, dateTime } = useI18n();
  const s = ticket?.snooze;
  if (!s) return null;
  const parts = [s.until ? t('snooze.untilTime', { time: dateTime(s.until) }) : null, s.untilReply ? t('snooze.untilReply') : null].filter(
    Boolean,
  );
  return `${parts.join(` ${t('snooze.or')} `)}${s.note ? ` — ${s.note}` : ''}`;
}

/** Snooze the ticket until a time or the customer's reply (or wake it), and set a reminder for yourself. */
export function FollowUpForms(props: Props) {
  if (!doesTicketWork(props.me) || props.ticket.status === 'closed') return null;
  return (
    <>
      <SnoozeForm {...props} />
      <ReminderForm {...props} />
    </>
  );
}

function SnoozeForm({ ticket, onChanged }: Props) {
  const { t } = useI18n();
  const [until, setUntil] = useState('');
  const [untilReply, setUntilReply] = useState(false);
  const [note, setNote] = useState('');
  const form = useSubmit();
  const snoozed = useSnoozeText(ticket);
  const { described, fieldError } = fieldErrorProps('snooze', form.errors);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = { until: isoOf(until), untilReply: untilReply || undefined, note: note.trim() || undefined };
    if (await form.run(() => api('POST', `/v1/tickets/${ticket.reference}/snooze`, body), t('snooze.done'))) {
      setUntil('');
      setUntilReply(false);
      setNote('');
      await onChanged();
    }
  }
  async function wake() {
    if (await form.run(() => api('DELETE', `/v1/tickets/${ticket.reference}/snooze`), t('snooze.woken'))) await onChanged();
  }
  return (
    <form className="card snooze" aria-labelledby="snooze-heading" onSubmit={(e) => void submit(e)}>
      <h2 id="snooze-heading">{t('snooze.heading')}</h2>
      {snoozed ? (
        <p className="snoozed">
          {t('snooze.is', { what: snoozed })}{' '}
          <button type="button" onClick={() => void wake()}>
            {t('snooze.wake')}
          </button>
        </p>
      ) : (
        <>
          <div className="row">
            <div className="field">
              <label htmlFor="snooze-until">{t('snooze.until')}</label>
              <input
                id="snooze-until"
                type="datetime-local"
                value={until}
                onChange={(e) => setUntil(e.target.value)}
                {...described('until')}
              />
              {fieldError('until')}
            </div>
            <div className="field">
              <label>
                <input
                  type="checkbox"
                  checked={untilReply}
                  onChange={(e) => setUntilReply(e.target.checked)}
                  {...described('untilReply')}
                />{' '}
                {t('snooze.untilReplyChoice')}
              </label>
              {fieldError('untilReply')}
            </div>
          </div>
          <div className="field">
            <label htmlFor="snooze-note">{t('snooze.note')}</label>
            <input id="snooze-note" value={note} maxLength={1000} onChange={(e) => setNote(e.target.value)} {...described('note')} />
            {fieldError('note')}
          </div>
          <button type="submit">{t('snooze.submit')}</button>
        </>
      )}
      <Outcome status={form.status} error={form.error} />
    </form>
  );
}

function ReminderForm({ ticket }: Props) {
  const { t } = useI18n();
  const [at, setAt] = useState('');
  const [note, setNote] = useState('');
  const form = useSubmit();
  const { described, fieldError } = fieldErrorProps('reminder', form.errors);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (await form.run(() => api('POST', `/v1/tickets/${ticket.reference}/reminders`, { at: isoOf(at) ?? '', note }), t('reminder.done'))) {
      setAt('');
      setNote('');
    }
  }
  return (
    <form className="card reminder" aria-labelledby="reminder-heading" onSubmit={(e) => void submit(e)}>
      <h2 id="reminder-heading">{t('reminder.heading')}</h2>
      <div className="row">
        <div className="field">
          <label htmlFor="reminder-at">{t('reminder.at')}</label>
          <input id="reminder-at" type="datetime-local" required value={at} onChange={(e) => setAt(e.target.value)} {...described('at')} />
          {fieldError('at')}
        </div>
        <div className="field">
          <label htmlFor="reminder-note">{t('reminder.note')}</label>
          <input
            id="reminder-note"
            required
            value={note}
            maxLength={1000}
            onChange={(e) => setNote(e.target.value)}
            {...described('note')}
          />
          {fieldError('note')}
        </div>
      </div>
      <button type="submit">{t('reminder.submit')}</button>
      <Outcome status={form.status} error={form.error} />
    </form>
  );
}

interface Reminder {
  id: string;
  reference: string;
  subject: string | null;
  note: string;
  at: string;
  due: boolean;
}

/** The person's reminders that have come due: read at start, added live from `reminder.due`, each dismissed by hand. */
export function ReminderNotices() {
  const { t, dateTime } = useI18n();
  const [due, setDue] = useState<Reminder[]>([]);
  const load = useCallback(async () => {
    try {
      const { items } = await api<{ items: Reminder[] }>('GET', '/v1/reminders');
      setDue(items.filter((r) => r.due));
    } catch {
      // Not everyone works tickets (a DPO, an admin only): no reminders to show.
    }
  }, []);
  useEffect(() => {
    void load();
    return realtime.onReminder((event) =>
      setDue((list) => (list.some((r) => r.id === event.id) ? list : [...list, { ...event, due: true }])),
    );
  }, [load]);

  async function dismiss(id: string) {
    setDue((list) => list.filter((r) => r.id !== id));
    await api('DELETE', `/v1/reminders/${id}`).catch(() => undefined);
  }
  if (due.length === 0) return null;
  return (
    <div className="reminders" role="status" aria-label={t('reminder.due')}>
      {due.map((r) => (
        <p key={r.id} className="reminder-due">
          <span aria-hidden="true">⏰</span> {t('reminder.dueNotice', { reference: r.reference, time: dateTime(r.at) })} {r.note}{' '}
          <a href={href({ name: 'ticket', reference: r.reference })} onClick={onLinkClick}>
            {t('assignment.open')}
          </a>{' '}
          <button type="button" onClick={() => void dismiss(r.id)} aria-label={t('reminder.dismiss')}>
            ×
          </button>
        </p>
      ))}
    </div>
  );
}

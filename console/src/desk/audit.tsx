import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/i18n';
import { api } from '../lib/session';
import { fieldErrorProps, fieldErrors, type FieldErrors } from '../pages/forms';

interface AuditRow {
  id: string;
  at: string;
  actor: string | null;
  actorEmail: string | null;
  action: string;
  subjectType: string;
  subjectId: string;
  ip: string | null;
  detail: Record<string, unknown>;
}

/**
 * The audit trail for the data protection officer (and admins): who did or read what, newest first, filtered by
 * ticket and action as GET /v1/audit takes them. Reading it is itself recorded by the API.
 */
export function AuditPage() {
  const { t, dateTime } = useI18n();
  const [ticket, setTicket] = useState('');
  const [action, setAction] = useState('');
  const [applied, setApplied] = useState({ ticket: '', action: '' });
  const [items, setItems] = useState<AuditRow[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async (filters: { ticket: string; action: string }, after?: string) => {
    const params = new URLSearchParams({ limit: '50' });
    if (filters.ticket.trim()) params.set('ticket', filters.ticket.trim().toUpperCase());
    if (filters.action.trim()) params.set('action', filters.action.trim());
    if (after) params.set('cursor', after);
    try {
      const page = await api<{ items: AuditRow[]; nextCursor: string | null }>('GET', `/v1/audit?${params}`);
      setItems((current) => (after ? [...(current ?? []), ...page.items] : page.items));
      setCursor(page.nextCursor);
      setErrors({});
      setError(null);
    } catch (e) {
      const fields = fieldErrors(e);
      setErrors(fields);
      if (Object.keys(fields).length === 0) setError(e instanceof Error ? e.message : String(e));
    }
  }, []);

  useEffect(() => {
    void load(applied);
  }, [applied, load]);

  const { described, fieldError } = fieldErrorProps('audit', errors);
  return (
    <section aria-labelledby="audit-heading" className="audit">
      <h1 id="audit-heading">{t('audit.heading')}</h1>
      <form
        className="filters"
        role="search"
        aria-label={t('inbox.filters')}
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          setApplied({ ticket, action });
        }}
      >
        <div className="filter">
          <label htmlFor="audit-ticket">{t('audit.ticket')}</label>
          <input
            id="audit-ticket"
            value={ticket}
            placeholder="VP-2026-000123"
            onChange={(e) => setTicket(e.target.value)}
            {...described('ticket')}
          />
          {fieldError('ticket')}
        </div>
        <div className="filter">
          <label htmlFor="audit-action">{t('audit.action')}</label>
          <input
            id="audit-action"
            value={action}
            placeholder="personal_code.read, privacy.*"
            onChange={(e) => setAction(e.target.value)}
            {...described('action')}
          />
          {fieldError('action')}
        </div>
        <button type="submit">{t('inbox.search')}</button>
      </form>
      {error && (
        <p className="error" role="alert">
          {t('app.error', { detail: error })}
        </p>
      )}
      {!items && !error && <p role="status">{t('app.loading')}</p>}
      {items && (
        <table className="inbox audit-table">
          <caption className="visually-hidden">{t('audit.heading')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('audit.at')}</th>
              <th scope="col">{t('audit.actor')}</th>
              <th scope="col">{t('audit.action')}</th>
              <th scope="col">{t('audit.subject')}</th>
              <th scope="col">{t('audit.detail')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.id}>
                <td>
                  <time dateTime={r.at}>{dateTime(r.at)}</time>
                </td>
                <td>{r.actorEmail ?? t('timeline.system')}</td>
                <td>
                  <code>{r.action}</code>
                </td>
                <td>
                  {r.subjectType} <span className="muted">{r.subjectId}</span>
                </td>
                <td className="audit-detail">{JSON.stringify(r.detail)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {items && items.length === 0 && <p>{t('audit.empty')}</p>}
      {cursor && (
        <button type="button" onClick={() => void load(applied, cursor)}>
          {t('inbox.more')}
        </button>
      )}
    </section>
  );
}

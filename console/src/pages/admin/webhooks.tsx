import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/lv';
import { api } from '../../lib/session';
import type { Institution } from '../../lib/tickets';
import { Outcome } from '../forms';
import { CheckboxGroup, useAdminSubmit } from './admin-forms';

const EVENTS = ['ticket.escalated', 'ticket.handed_back', 'ticket.closed', 'ticket.custom_fields_changed'] as const;

interface Subscription {
  id: string;
  institution: string;
  url: string;
  events: string[];
  active: boolean;
  createdAt: string;
}
interface Delivery {
  id: string;
  event: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
}

/** Institutions' systems told about their tickets (/v1/admin/webhooks); the signing secret is written, never shown. */
export function WebhooksAdmin() {
  const { t, dateTime } = useI18n();
  const [subs, setSubs] = useState<Subscription[] | null>(null);
  const [institutions, setInstitutions] = useState<Institution[]>([]);
  const [deliveries, setDeliveries] = useState<{ id: string; items: Delivery[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setSubs(await api<Subscription[]>('GET', '/v1/admin/webhooks'));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, []);
  useEffect(() => {
    void load();
    void api<Institution[]>('GET', '/v1/institutions').then(setInstitutions, () => undefined);
  }, [load]);
  const act = async (call: () => Promise<unknown>) => {
    try {
      await call();
      await load();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  async function showDeliveries(s: Subscription) {
    try {
      setDeliveries({ id: s.id, items: await api<Delivery[]>('GET', `/v1/admin/webhooks/${s.id}/deliveries`) });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }
  return (
    <>
      <section className="card" aria-labelledby="webhooks-heading">
        <h2 id="webhooks-heading">{t('admin.webhooks.heading')}</h2>
        <p className="hint">{t('admin.webhooks.hint')}</p>
        {error && (
          <p className="error" role="alert">
            {t('app.error', { detail: error })}
          </p>
        )}
        {subs === null ? (
          <p role="status">{t('app.loading')}</p>
        ) : subs.length === 0 ? (
          <p>{t('admin.webhooks.none')}</p>
        ) : (
          <table className="inbox" aria-labelledby="webhooks-heading">
            <thead>
              <tr>
                <th scope="col">{t('admin.institution')}</th>
                <th scope="col">{t('admin.webhooks.url')}</th>
                <th scope="col">{t('admin.webhooks.events')}</th>
                <th scope="col">{t('admin.rules.active')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {subs.map((s) => (
                <tr key={s.id} data-webhook={s.url}>
                  <th scope="row">{s.institution}</th>
                  <td className="subject">{s.url}</td>
                  <td>{s.events.map((e) => t(`webhookEvent.${e}` as MessageKey)).join(', ')}</td>
                  <td>{s.active ? t('admin.yes') : t('admin.no')}</td>
                  <td className="buttons">
                    <button type="button" onClick={() => void act(() => api('PATCH', `/v1/admin/webhooks/${s.id}`, { active: !s.active }))}>
                      {s.active ? t('admin.webhooks.stop') : t('admin.webhooks.resume')}
                    </button>
                    <button type="button" onClick={() => void showDeliveries(s)}>
                      {t('admin.webhooks.deliveries')}
                    </button>
                    <button
                      type="button"
                      aria-label={t('admin.deleteNamed', { name: s.url })}
                      onClick={() =>
                        window.confirm(t('admin.webhooks.confirmDelete', { url: s.url })) &&
                        void act(() => api('DELETE', `/v1/admin/webhooks/${s.id}`))
                      }
                    >
                      {t('admin.delete')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {deliveries && (
          <div className="deliveries">
            <h3 id="deliveries-heading">
              {t('admin.webhooks.deliveriesOf', { url: subs?.find((s) => s.id === deliveries.id)?.url ?? '' })}
            </h3>
            {deliveries.items.length === 0 ? (
              <p>{t('admin.webhooks.noDeliveries')}</p>
            ) : (
              <table className="inbox" aria-labelledby="deliveries-heading">
                <thead>
                  <tr>
                    <th scope="col">{t('slaFeed.when')}</th>
                    <th scope="col">{t('admin.webhooks.event')}</th>
                    <th scope="col">{t('inbox.status')}</th>
                    <th scope="col">{t('admin.webhooks.attempts')}</th>
                    <th scope="col">{t('admin.webhooks.lastAnswer')}</th>
                  </tr>
                </thead>
                <tbody>
                  {deliveries.items.map((d) => (
                    <tr key={d.id}>
                      <td>{dateTime(d.createdAt)}</td>
                      <td>{t(`webhookEvent.${d.event}` as MessageKey)}</td>
                      <td>{d.status}</td>
                      <td className="num">{d.attempts}</td>
                      <td>{[d.lastStatusCode, d.lastError].filter((x) => x !== null).join(' ') || '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <button type="button" onClick={() => setDeliveries(null)}>
              {t('admin.close')}
            </button>
          </div>
        )}
      </section>
      <WebhookForm institutions={institutions} onDone={load} />
    </>
  );
}

function WebhookForm({ institutions, onDone }: { institutions: Institution[]; onDone: () => Promise<void> }) {
  const { t } = useI18n();
  const [institution, setInstitution] = useState('');
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  const [events, setEvents] = useState<string[]>(['ticket.escalated']);
  const form = useAdminSubmit('webhook-new');
  const { described, fieldError } = form;
  async function submit(e: FormEvent) {
    e.preventDefault();
    const done = await form.run(
      () => api('POST', '/v1/admin/webhooks', { institution, url: url.trim(), secret, events }),
      t('admin.webhooks.added'),
    );
    if (done === undefined) return;
    setUrl('');
    setSecret('');
    await onDone();
  }
  return (
    <form className="card admin-form" aria-labelledby="webhook-new-heading" onSubmit={(e) => void submit(e)} noValidate>
      <h2 id="webhook-new-heading">{t('admin.webhooks.newHeading')}</h2>
      <div className="grid">
        <div className="field">
          <label htmlFor="webhook-new-institution">{t('admin.institution')}</label>
          <select
            id="webhook-new-institution"
            value={institution}
            onChange={(e) => setInstitution(e.target.value)}
            {...described('institution')}
          >
            <option value="">{t('admin.choose')}</option>
            {institutions.map((i) => (
              <option key={i.code} value={i.code}>
                {i.code}
              </option>
            ))}
          </select>
          {fieldError('institution')}
        </div>
        <div className="field">
          <label htmlFor="webhook-new-url">{t('admin.webhooks.url')}</label>
          <input id="webhook-new-url" type="url" value={url} onChange={(e) => setUrl(e.target.value)} {...described('url')} />
          {fieldError('url')}
        </div>
        <div className="field">
          <label htmlFor="webhook-new-secret">{t('admin.webhooks.secret')}</label>
          <input
            id="webhook-new-secret"
            type="password"
            autoComplete="new-password"
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            aria-describedby={`webhook-new-secret-hint${form.errors.secret ? ' webhook-new-secret-error' : ''}`}
            aria-invalid={form.errors.secret ? true : undefined}
          />
          <p className="hint" id="webhook-new-secret-hint">
            {t('admin.webhooks.secretHint')}
          </p>
          {fieldError('secret')}
        </div>
      </div>
      <CheckboxGroup
        id="webhook-new-events"
        legend={t('admin.webhooks.events')}
        options={EVENTS.map((e) => ({ value: e, label: t(`webhookEvent.${e}` as MessageKey) }))}
        value={events}
        onChange={setEvents}
        error={fieldError('events')}
      />
      <button type="submit" className="primary">
        {t('admin.webhooks.add')}
      </button>
      <Outcome status={form.status} error={form.error} />
    </form>
  );
}

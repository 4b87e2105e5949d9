import { useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/lv';
import { api } from '../../lib/session';
import type { Institution } from '../../lib/tickets';
import { AdminForm, CheckboxGroup, DeleteButton, InstitutionSelect, TextField, useAdminSubmit, useInstitutions } from './admin-forms';
import { AdminList, useAdminData, useEditing } from './admin-list';

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
  const { data: subs, error, setError, reload, act } = useAdminData(readSubscriptions);
  const institutions = useInstitutions();
  const [deliveries, setDeliveries] = useState<{ id: string; items: Delivery[] } | null>(null);
  const { editing, open, close, selectedKey } = useEditing(subscriptionKey);
  async function showDeliveries(s: Subscription) {
    try {
      setDeliveries({ id: s.id, items: await api<Delivery[]>('GET', `/v1/admin/webhooks/${s.id}/deliveries`) });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }
  return (
    <>
      <AdminList
        id="webhooks"
        heading={t('admin.webhooks.heading')}
        hint={t('admin.webhooks.hint')}
        error={error}
        items={subs}
        empty={t('admin.webhooks.none')}
        rowKey={subscriptionKey}
        rowData={(s) => ({ 'data-webhook': s.url })}
        selectedKey={selectedKey ?? deliveries?.id}
        onEdit={open}
        editLabel={(s) => t('admin.editNamed', { name: s.url })}
        columns={[
          { label: t('admin.institution'), cell: (s) => s.institution, header: true },
          { label: t('admin.webhooks.url'), cell: (s) => s.url, className: 'subject' },
          { label: t('admin.webhooks.events'), cell: (s) => s.events.map((e) => t(`webhookEvent.${e}` as MessageKey)).join(', ') },
          { label: t('admin.rules.active'), cell: (s) => (s.active ? t('admin.yes') : t('admin.no')) },
        ]}
        actions={(s) => (
          <>
            <button type="button" onClick={() => void act(() => api('PATCH', `/v1/admin/webhooks/${s.id}`, { active: !s.active }))}>
              {s.active ? t('admin.webhooks.stop') : t('admin.webhooks.resume')}
            </button>
            <button type="button" onClick={() => void showDeliveries(s)}>
              {t('admin.webhooks.deliveries')}
            </button>
            <DeleteButton
              name={s.url}
              confirm={t('admin.webhooks.confirmDelete', { url: s.url })}
              onDelete={() => act(() => api('DELETE', `/v1/admin/webhooks/${s.id}`))}
            />
          </>
        )}
        footer={
          deliveries && (
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
          )
        }
      />
      {editing ? (
        <WebhookForm key={editing.id} subscription={editing} institutions={institutions} onDone={reload} onClose={close} />
      ) : (
        <WebhookForm key="new" institutions={institutions} onDone={reload} />
      )}
    </>
  );
}

const readSubscriptions = () => api<Subscription[]>('GET', '/v1/admin/webhooks');
const subscriptionKey = (s: Subscription) => s.id;

/**
 * A new subscription, or one being changed: its address (checked by the API like a new one), its events and, when
 * typed, a new signing secret. The institution stays: a subscription to another institution's events is a new one.
 */
function WebhookForm({
  subscription,
  institutions,
  onDone,
  onClose,
}: {
  subscription?: Subscription;
  institutions: Institution[];
  onDone: () => Promise<void>;
  onClose?: () => void;
}) {
  const { t } = useI18n();
  const [institution, setInstitution] = useState(''); // a new subscription's only: a changed one keeps its own
  const [url, setUrl] = useState(subscription?.url ?? '');
  const [secret, setSecret] = useState('');
  const [events, setEvents] = useState<string[]>(subscription?.events ?? ['ticket.escalated']);
  const prefix = subscription ? `webhook-${subscription.id}` : 'webhook-new';
  const form = useAdminSubmit(prefix);
  async function submit() {
    const done = await form.run(
      () =>
        subscription
          ? api('PATCH', `/v1/admin/webhooks/${subscription.id}`, { url: url.trim(), events, ...(secret ? { secret } : {}) })
          : api('POST', '/v1/admin/webhooks', { institution, url: url.trim(), secret, events }),
      subscription ? t('admin.saved') : t('admin.webhooks.added'),
    );
    if (done === undefined) return;
    setSecret('');
    if (!subscription) setUrl('');
    await onDone();
  }
  return (
    <AdminForm
      form={form}
      heading={subscription ? t('admin.webhooks.editHeading', { url: subscription.url }) : t('admin.webhooks.newHeading')}
      submitLabel={subscription ? t('admin.save') : t('admin.webhooks.add')}
      onSubmit={submit}
      onCancel={onClose}
      focusOnOpen={subscription !== undefined}
    >
      <div className="grid">
        {subscription ? (
          <p>
            {t('admin.institution')}: <strong>{subscription.institution}</strong>
          </p>
        ) : (
          <InstitutionSelect
            form={form}
            value={institution}
            onChange={setInstitution}
            any={t('admin.choose')}
            institutions={institutions}
          />
        )}
        <TextField form={form} field="url" type="url" label={t('admin.webhooks.url')} value={url} onChange={setUrl} />
        <TextField
          form={form}
          field="secret"
          type="password"
          autoComplete="new-password"
          label={subscription ? t('admin.webhooks.newSecret') : t('admin.webhooks.secret')}
          hint={subscription ? t('admin.webhooks.newSecretHint') : t('admin.webhooks.secretHint')}
          value={secret}
          onChange={setSecret}
        />
      </div>
      <CheckboxGroup
        id={`${prefix}-events`}
        legend={t('admin.webhooks.events')}
        options={EVENTS.map((e) => ({ value: e, label: t(`webhookEvent.${e}` as MessageKey) }))}
        value={events}
        onChange={setEvents}
        error={form.fieldError('events')}
      />
    </AdminForm>
  );
}

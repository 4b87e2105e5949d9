import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useI18n } from '../../i18n/i18n';
import { api } from '../../lib/session';
import type { Institution } from '../../lib/tickets';
import { Outcome } from '../forms';
import { useAdminSubmit } from './admin-forms';

interface Mailbox {
  id: string;
  name: string;
  address: string;
  institution: string | null;
  host: string;
  port: number;
  tls: boolean;
  username: string;
  folder: string;
  processedAction: 'flag' | 'move';
  processedFolder: string | null;
  enabled: boolean;
}

/** IMAP mailboxes the workers read (/v1/admin/mailboxes); the password is written, never shown. */
export function MailboxesAdmin() {
  const { t } = useI18n();
  const [mailboxes, setMailboxes] = useState<Mailbox[] | null>(null);
  const [institutions, setInstitutions] = useState<Institution[]>([]);
  const [editing, setEditing] = useState<Mailbox | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setMailboxes(await api<Mailbox[]>('GET', '/v1/admin/mailboxes'));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, []);
  useEffect(() => {
    void load();
    void api<Institution[]>('GET', '/v1/institutions').then(setInstitutions, () => undefined);
  }, [load]);
  async function remove(m: Mailbox) {
    if (!window.confirm(t('admin.mailboxes.confirmDelete', { name: m.name }))) return;
    try {
      await api('DELETE', `/v1/admin/mailboxes/${m.id}`);
      if (editing?.id === m.id) setEditing(null);
      await load();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }
  return (
    <>
      <section className="card" aria-labelledby="mailboxes-heading">
        <h2 id="mailboxes-heading">{t('admin.mailboxes.heading')}</h2>
        <p className="hint">{t('admin.mailboxes.hint')}</p>
        {error && (
          <p className="error" role="alert">
            {t('app.error', { detail: error })}
          </p>
        )}
        {mailboxes === null ? (
          <p role="status">{t('app.loading')}</p>
        ) : mailboxes.length === 0 ? (
          <p>{t('admin.mailboxes.none')}</p>
        ) : (
          <table className="inbox" aria-labelledby="mailboxes-heading">
            <thead>
              <tr>
                <th scope="col">{t('admin.mailboxes.name')}</th>
                <th scope="col">{t('admin.mailboxes.address')}</th>
                <th scope="col">{t('admin.institution')}</th>
                <th scope="col">{t('admin.mailboxes.server')}</th>
                <th scope="col">{t('admin.mailboxes.folder')}</th>
                <th scope="col">{t('admin.mailboxes.enabled')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {mailboxes.map((m) => (
                <tr key={m.id} data-mailbox={m.name}>
                  <th scope="row">{m.name}</th>
                  <td>{m.address}</td>
                  <td>{m.institution ?? '—'}</td>
                  <td>
                    {m.host}:{m.port} {m.tls ? 'TLS' : t('admin.mailboxes.noTls')}
                  </td>
                  <td>{m.folder}</td>
                  <td>{m.enabled ? t('admin.yes') : t('admin.no')}</td>
                  <td className="buttons">
                    <button type="button" onClick={() => setEditing(m)} aria-label={t('admin.editNamed', { name: m.name })}>
                      {t('admin.edit')}
                    </button>
                    <button type="button" onClick={() => void remove(m)} aria-label={t('admin.deleteNamed', { name: m.name })}>
                      {t('admin.delete')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {editing ? (
        <MailboxForm key={editing.id} mailbox={editing} institutions={institutions} onDone={load} onClose={() => setEditing(null)} />
      ) : (
        <MailboxForm key="new" institutions={institutions} onDone={load} />
      )}
    </>
  );
}

function MailboxForm({
  mailbox,
  institutions,
  onDone,
  onClose,
}: {
  mailbox?: Mailbox;
  institutions: Institution[];
  onDone: () => Promise<void>;
  onClose?: () => void;
}) {
  const { t } = useI18n();
  const prefix = mailbox ? 'mailbox-edit' : 'mailbox-new';
  const [v, setV] = useState({
    name: mailbox?.name ?? '',
    address: mailbox?.address ?? '',
    institution: mailbox?.institution ?? '',
    host: mailbox?.host ?? '',
    port: String(mailbox?.port ?? 993),
    tls: mailbox?.tls ?? true,
    username: mailbox?.username ?? '',
    password: '',
    folder: mailbox?.folder ?? 'INBOX',
    processedAction: mailbox?.processedAction ?? 'flag',
    processedFolder: mailbox?.processedFolder ?? '',
    enabled: mailbox?.enabled ?? true,
  });
  const form = useAdminSubmit(prefix);
  const { described, fieldError } = form;
  const set = (k: keyof typeof v) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setV({ ...v, [k]: e.target instanceof HTMLInputElement && e.target.type === 'checkbox' ? e.target.checked : e.target.value });

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body: Record<string, unknown> = {
      name: v.name.trim(),
      address: v.address.trim(),
      institution: v.institution || null,
      host: v.host.trim(),
      port: Number(v.port),
      tls: v.tls,
      username: v.username,
      folder: v.folder.trim() || 'INBOX',
      processedAction: v.processedAction,
      enabled: v.enabled,
    };
    if (v.processedAction === 'move') body.processedFolder = v.processedFolder.trim();
    if (v.password || !mailbox) body.password = v.password;
    const done = await form.run(
      () => (mailbox ? api('PATCH', `/v1/admin/mailboxes/${mailbox.id}`, body) : api('POST', '/v1/admin/mailboxes', body)),
      mailbox ? t('admin.saved') : t('admin.mailboxes.added', { name: v.name.trim() }),
    );
    if (done === undefined) return;
    setV(mailbox ? { ...v, password: '' } : { ...v, name: '', address: '', username: '', password: '' });
    await onDone();
  }
  const text = (k: 'name' | 'address' | 'host' | 'port' | 'username' | 'folder' | 'processedFolder', label: string, type = 'text') => (
    <div className="field">
      <label htmlFor={`${prefix}-${k}`}>{label}</label>
      <input id={`${prefix}-${k}`} type={type} value={v[k]} onChange={set(k)} autoComplete="off" {...described(k)} />
      {fieldError(k)}
    </div>
  );
  return (
    <form className="card admin-form" aria-labelledby={`${prefix}-heading`} onSubmit={(e) => void submit(e)} noValidate>
      <h2 id={`${prefix}-heading`}>
        {mailbox ? t('admin.mailboxes.editHeading', { name: mailbox.name }) : t('admin.mailboxes.newHeading')}
      </h2>
      <div className="grid">
        {text('name', t('admin.mailboxes.name'))}
        {text('address', t('admin.mailboxes.address'), 'email')}
        <div className="field">
          <label htmlFor={`${prefix}-institution`}>{t('admin.institution')}</label>
          <select id={`${prefix}-institution`} value={v.institution} onChange={set('institution')} {...described('institution')}>
            <option value="">{t('admin.mailboxes.centre')}</option>
            {institutions.map((i) => (
              <option key={i.code} value={i.code}>
                {i.code}
              </option>
            ))}
          </select>
          {fieldError('institution')}
        </div>
        {text('host', t('admin.mailboxes.host'))}
        {text('port', t('admin.mailboxes.port'))}
        {text('username', t('admin.mailboxes.username'))}
        <div className="field">
          <label htmlFor={`${prefix}-password`}>{mailbox ? t('admin.mailboxes.newPassword') : t('admin.mailboxes.password')}</label>
          <input
            id={`${prefix}-password`}
            type="password"
            autoComplete="new-password"
            value={v.password}
            onChange={set('password')}
            {...described('password')}
          />
          {fieldError('password')}
        </div>
        {text('folder', t('admin.mailboxes.folder'))}
        <div className="field">
          <label htmlFor={`${prefix}-processedAction`}>{t('admin.mailboxes.processed')}</label>
          <select
            id={`${prefix}-processedAction`}
            value={v.processedAction}
            onChange={set('processedAction')}
            {...described('processedAction')}
          >
            <option value="flag">{t('admin.mailboxes.flag')}</option>
            <option value="move">{t('admin.mailboxes.move')}</option>
          </select>
          {fieldError('processedAction')}
        </div>
        {v.processedAction === 'move' && text('processedFolder', t('admin.mailboxes.processedFolder'))}
      </div>
      <label className="check">
        <input type="checkbox" checked={v.tls} onChange={set('tls')} /> {t('admin.mailboxes.tls')}
      </label>{' '}
      <label className="check">
        <input type="checkbox" checked={v.enabled} onChange={set('enabled')} /> {t('admin.mailboxes.enabledBox')}
      </label>
      <div className="buttons">
        <button type="submit" className="primary">
          {mailbox ? t('admin.save') : t('admin.mailboxes.add')}
        </button>
        {onClose && (
          <button type="button" onClick={onClose}>
            {t('admin.close')}
          </button>
        )}
      </div>
      <Outcome status={form.status} error={form.error} />
    </form>
  );
}

import { useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import { api } from '../../lib/session';
import type { Institution } from '../../lib/tickets';
import {
  AdminForm,
  CheckField,
  DeleteButton,
  InstitutionSelect,
  SelectField,
  TextField,
  useAdminSubmit,
  useInstitutions,
} from './admin-forms';
import { AdminList, useAdminData, useEditing } from './admin-list';

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
  const { data: mailboxes, error, reload, act } = useAdminData(readMailboxes);
  const institutions = useInstitutions();
  const { editing, open, close, selectedKey } = useEditing(mailboxKey);
  const remove = (m: Mailbox) =>
    act(async () => {
      await api('DELETE', `/v1/admin/mailboxes/${m.id}`);
      if (editing?.id === m.id) close();
    });
  return (
    <>
      <AdminList
        id="mailboxes"
        heading={t('admin.mailboxes.heading')}
        hint={t('admin.mailboxes.hint')}
        error={error}
        items={mailboxes}
        empty={t('admin.mailboxes.none')}
        rowKey={mailboxKey}
        rowData={(m) => ({ 'data-mailbox': m.name })}
        selectedKey={selectedKey}
        columns={[
          { label: t('admin.mailboxes.name'), cell: (m) => m.name, header: true },
          { label: t('admin.mailboxes.address'), cell: (m) => m.address },
          { label: t('admin.institution'), cell: (m) => m.institution ?? '—' },
          {
            label: t('admin.mailboxes.server'),
            cell: (m) => `${m.host}:${m.port} ${m.tls ? 'TLS' : t('admin.mailboxes.noTls')}`,
          },
          { label: t('admin.mailboxes.folder'), cell: (m) => m.folder },
          { label: t('admin.mailboxes.enabled'), cell: (m) => (m.enabled ? t('admin.yes') : t('admin.no')) },
        ]}
        onEdit={open}
        editLabel={(m) => t('admin.editNamed', { name: m.name })}
        actions={(m) => (
          <DeleteButton name={m.name} confirm={t('admin.mailboxes.confirmDelete', { name: m.name })} onDelete={() => remove(m)} />
        )}
      />
      {editing ? (
        <MailboxForm
          key={editing.id}
          mailbox={editing}
          institutions={institutions}
          onDone={reload}
          onClose={close}
          onDelete={() => remove(editing)}
        />
      ) : (
        <MailboxForm key="new" institutions={institutions} onDone={reload} />
      )}
    </>
  );
}

const readMailboxes = () => api<Mailbox[]>('GET', '/v1/admin/mailboxes');
const mailboxKey = (m: Mailbox) => m.id;

function MailboxForm({
  mailbox,
  institutions,
  onDone,
  onClose,
  onDelete,
}: {
  mailbox?: Mailbox;
  institutions: Institution[];
  onDone: () => Promise<void>;
  onClose?: () => void;
  onDelete?: () => Promise<void>;
}) {
  const { t } = useI18n();
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
  const form = useAdminSubmit(mailbox ? 'mailbox-edit' : 'mailbox-new');
  const set =
    <K extends keyof typeof v>(k: K) =>
    (value: (typeof v)[K]) =>
      setV({ ...v, [k]: value });

  async function submit() {
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
    <TextField form={form} field={k} label={label} type={type} autoComplete="off" value={v[k]} onChange={set(k)} />
  );
  return (
    <AdminForm
      form={form}
      heading={mailbox ? t('admin.mailboxes.editHeading', { name: mailbox.name }) : t('admin.mailboxes.newHeading')}
      submitLabel={mailbox ? t('admin.save') : t('admin.mailboxes.add')}
      onSubmit={submit}
      onCancel={onClose}
      onDelete={
        mailbox && onDelete
          ? { name: mailbox.name, confirm: t('admin.mailboxes.confirmDelete', { name: mailbox.name }), run: onDelete }
          : undefined
      }
      focusOnOpen={mailbox !== undefined}
    >
      <div className="grid">
        {text('name', t('admin.mailboxes.name'))}
        {text('address', t('admin.mailboxes.address'), 'email')}
        <InstitutionSelect
          form={form}
          value={v.institution}
          onChange={set('institution')}
          any={t('admin.mailboxes.centre')}
          institutions={institutions}
        />
        {text('host', t('admin.mailboxes.host'))}
        {text('port', t('admin.mailboxes.port'))}
        {text('username', t('admin.mailboxes.username'))}
        <TextField
          form={form}
          field="password"
          type="password"
          autoComplete="new-password"
          label={mailbox ? t('admin.mailboxes.newPassword') : t('admin.mailboxes.password')}
          value={v.password}
          onChange={set('password')}
        />
        {text('folder', t('admin.mailboxes.folder'))}
        <SelectField
          form={form}
          field="processedAction"
          label={t('admin.mailboxes.processed')}
          value={v.processedAction}
          onChange={(next) => set('processedAction')(next as Mailbox['processedAction'])}
          options={[
            { value: 'flag', label: t('admin.mailboxes.flag') },
            { value: 'move', label: t('admin.mailboxes.move') },
          ]}
        />
        {v.processedAction === 'move' && text('processedFolder', t('admin.mailboxes.processedFolder'))}
      </div>
      <CheckField label={t('admin.mailboxes.tls')} checked={v.tls} onChange={set('tls')} />{' '}
      <CheckField label={t('admin.mailboxes.enabledBox')} checked={v.enabled} onChange={set('enabled')} />
    </AdminForm>
  );
}

import { useEffect, useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/lv';
import { api } from '../../lib/session';
import { CHANNELS, type Institution } from '../../lib/tickets';
import { Outcome } from '../forms';
import { AdminForm, DeleteButton, InstitutionSelect, SelectField, TextField, useAdminSubmit, useInstitutions } from './admin-forms';
import { AdminList, useAdminData } from './admin-list';

const STRATEGIES = ['manual', 'round_robin', 'least_loaded', 'skills'] as const;
const LANGUAGES = ['lv', 'ru', 'en'] as const;

interface Queue {
  code: string;
  name: string;
  institution: string | null;
  level: number;
  strategy: string;
  isGeneral: boolean;
  waiting: number;
}
interface Rule {
  id: string;
  position: number;
  institution: string | null;
  language: string | null;
  channel: string | null;
  topic: string | null;
  queue: string;
  active: boolean;
}

/** Queues (how their work is assigned) and routing rules (which queue a contact goes to), as /v1/admin has them. */
export function RoutingAdmin() {
  const { t } = useI18n();
  const { data, error, reload, act } = useAdminData(readRouting);
  const institutions = useInstitutions();
  const any = t('admin.any');
  const queues = data?.queues ?? null;
  const rules = data?.rules ?? null;

  return (
    <>
      <AdminList
        id="rules"
        heading={t('admin.rules.heading')}
        hint={t('admin.rules.hint')}
        error={error}
        items={rules}
        empty={t('admin.rules.none')}
        rowKey={(r) => r.id}
        rowData={(r) => ({ 'data-rule': r.id })}
        columns={[
          {
            label: t('admin.rules.position'),
            header: true,
            cell: (r) => (
              <InlineEdit
                id={`rule-${r.id}`}
                field="position"
                type="number"
                label={t('admin.rules.positionOf', { position: r.position })}
                value={String(r.position)}
                save={(next) => api('PATCH', `/v1/admin/routing-rules/${r.id}`, { position: Number(next) })}
                onDone={reload}
              />
            ),
          },
          { label: t('admin.institution'), cell: (r) => r.institution ?? any },
          { label: t('admin.language'), cell: (r) => (r.language ? t(`language.${r.language}` as MessageKey) : any) },
          { label: t('inbox.col.channel'), cell: (r) => (r.channel ? t(`channel.${r.channel}` as MessageKey) : any) },
          { label: t('manage.topic'), cell: (r) => r.topic ?? any },
          { label: t('admin.queue'), cell: (r) => r.queue },
          { label: t('admin.rules.active'), cell: (r) => (r.active ? t('admin.yes') : t('admin.no')) },
        ]}
        actions={(r) => (
          <>
            <button type="button" onClick={() => void act(() => api('PATCH', `/v1/admin/routing-rules/${r.id}`, { active: !r.active }))}>
              {r.active ? t('admin.rules.turnOff') : t('admin.rules.turnOn')}
            </button>
            <DeleteButton
              name={String(r.position)}
              label={t('admin.rules.deleteOne', { position: r.position })}
              confirm={t('admin.rules.confirmDelete', { position: r.position })}
              onDelete={() => act(() => api('DELETE', `/v1/admin/routing-rules/${r.id}`))}
            />
          </>
        )}
      />
      <RuleForm queues={queues ?? []} institutions={institutions} rules={rules ?? []} onDone={reload} />

      <AdminList
        id="queues"
        heading={t('admin.queues.heading')}
        items={queues}
        rowKey={(q) => q.code}
        rowData={(q) => ({ 'data-queue': q.code })}
        columns={[
          { label: t('admin.queues.code'), cell: (q) => q.code, header: true },
          {
            label: t('admin.queues.name'),
            cell: (q) => (
              <InlineEdit
                id={`queue-name-${q.code}`}
                field="name"
                label={t('admin.queues.nameOf', { code: q.code })}
                value={q.name}
                save={(next) => api('PATCH', `/v1/admin/queues/${encodeURIComponent(q.code)}`, { name: next.trim() })}
                onDone={reload}
              />
            ),
          },
          { label: t('admin.institution'), cell: (q) => q.institution ?? '—' },
          { label: t('inbox.level'), cell: (q) => q.level },
          { label: t('admin.queues.waiting'), cell: (q) => q.waiting, className: 'num' },
          { label: t('admin.queues.strategy'), cell: (q) => <QueueStrategy queue={q} onDone={reload} /> },
        ]}
      />
      <QueueForm institutions={institutions} onDone={reload} />
    </>
  );
}

async function readRouting() {
  const [queues, rules] = await Promise.all([api<Queue[]>('GET', '/v1/admin/queues'), api<Rule[]>('GET', '/v1/admin/routing-rules')]);
  return { queues, rules };
}

/**
 * A value changed where it is shown (a rule's position, a queue's name): saved on Enter or on leaving the field when
 * it differs, Escape (or emptying it) puts the saved value back; the API's refusal appears at the field.
 */
function InlineEdit({
  id,
  field,
  label,
  value,
  type = 'text',
  save,
  onDone,
}: {
  id: string;
  field: string;
  label: string;
  value: string;
  type?: 'text' | 'number';
  save: (next: string) => Promise<unknown>;
  onDone: () => Promise<void>;
}) {
  const { t } = useI18n();
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]); // the list was read again
  const form = useAdminSubmit(id);
  async function commit() {
    if (draft === value) return;
    // An emptied field is not a value (a position would become 0): the saved one is put back.
    if (draft.trim() === '') return setDraft(value);
    if ((await form.run(() => save(draft), t('admin.saved'))) !== undefined) await onDone();
  }
  return (
    <>
      <input
        className={type === 'number' ? 'inline-number' : 'inline-text'}
        type={type}
        aria-label={label}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={() => void commit()}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            void commit();
          } else if (e.key === 'Escape') {
            setDraft(value);
          }
        }}
        {...form.described(field)}
      />
      {form.fieldError(field)}
      <Outcome status={form.status} error={form.error} />
    </>
  );
}

/** A queue's strategy, changed where it is shown: a change is saved at once. */
function QueueStrategy({ queue, onDone }: { queue: Queue; onDone: () => Promise<void> }) {
  const { t } = useI18n();
  const [strategy, setStrategy] = useState(queue.strategy);
  const form = useAdminSubmit(`queue-${queue.code}`);
  async function save(next: string) {
    setStrategy(next);
    if (
      (await form.run(() => api('PATCH', `/v1/admin/queues/${encodeURIComponent(queue.code)}`, { strategy: next }), t('admin.saved'))) !==
      undefined
    )
      await onDone();
  }
  return (
    <>
      <select
        aria-label={t('admin.queues.strategyOf', { code: queue.code })}
        value={strategy}
        onChange={(e) => void save(e.target.value)}
        {...form.described('strategy')}
      >
        {STRATEGIES.map((s) => (
          <option key={s} value={s}>
            {t(`strategy.${s}` as MessageKey)}
          </option>
        ))}
      </select>
      {form.fieldError('strategy')}
      <Outcome status={form.status} error={form.error} />
    </>
  );
}

function QueueForm({ institutions, onDone }: { institutions: Institution[]; onDone: () => Promise<void> }) {
  const { t } = useI18n();
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [institution, setInstitution] = useState('');
  const [level, setLevel] = useState('1');
  const [strategy, setStrategy] = useState<string>('least_loaded');
  const form = useAdminSubmit('queue-new');
  async function submit() {
    const body = { code: code.trim(), name: name.trim(), level: Number(level), strategy, ...(institution ? { institution } : {}) };
    if (
      (await form.run(() => api('POST', '/v1/admin/queues', body), t('admin.queues.added', { code: body.code.toUpperCase() }))) ===
      undefined
    )
      return;
    setCode('');
    setName('');
    await onDone();
  }
  return (
    <AdminForm form={form} heading={t('admin.queues.newHeading')} submitLabel={t('admin.queues.add')} onSubmit={submit}>
      <div className="grid">
        <TextField form={form} field="code" label={t('admin.queues.code')} value={code} onChange={setCode} />
        <TextField form={form} field="name" label={t('admin.queues.name')} value={name} onChange={setName} />
        <InstitutionSelect
          form={form}
          value={institution}
          onChange={setInstitution}
          any={t('admin.queues.centreWide')}
          institutions={institutions}
        />
        <SelectField
          form={form}
          field="level"
          label={t('inbox.level')}
          value={level}
          onChange={setLevel}
          options={['1', '2', '3'].map((l) => ({ value: l, label: l }))}
        />
        <SelectField
          form={form}
          field="strategy"
          label={t('admin.queues.strategy')}
          value={strategy}
          onChange={setStrategy}
          options={STRATEGIES.map((s) => ({ value: s, label: t(`strategy.${s}` as MessageKey) }))}
        />
      </div>
    </AdminForm>
  );
}

function RuleForm({
  queues,
  institutions,
  rules,
  onDone,
}: {
  queues: Queue[];
  institutions: Institution[];
  rules: Rule[];
  onDone: () => Promise<void>;
}) {
  const { t } = useI18n();
  const [position, setPosition] = useState('');
  const [institution, setInstitution] = useState('');
  const [language, setLanguage] = useState('');
  const [channel, setChannel] = useState('');
  const [topic, setTopic] = useState('');
  const [queue, setQueue] = useState('');
  const form = useAdminSubmit('rule-new');
  const nextPosition = rules.reduce((m, r) => Math.max(m, r.position + 10), 10);
  async function submit() {
    const body: Record<string, unknown> = { position: position.trim() === '' ? nextPosition : Number(position), queue };
    if (institution) body.institution = institution;
    if (language) body.language = language;
    if (channel) body.channel = channel;
    if (topic.trim()) body.topic = topic.trim();
    if ((await form.run(() => api('POST', '/v1/admin/routing-rules', body), t('admin.rules.added'))) === undefined) return;
    setPosition('');
    setTopic('');
    await onDone();
  }
  return (
    <AdminForm form={form} heading={t('admin.rules.newHeading')} submitLabel={t('admin.rules.add')} onSubmit={submit}>
      <div className="grid">
        <TextField
          form={form}
          field="position"
          inputMode="numeric"
          label={t('admin.rules.position')}
          placeholder={String(nextPosition)}
          hint={t('admin.rules.positionHint', { next: nextPosition })}
          value={position}
          onChange={setPosition}
        />
        <InstitutionSelect form={form} value={institution} onChange={setInstitution} any={t('admin.any')} institutions={institutions} />
        <SelectField
          form={form}
          field="language"
          label={t('admin.language')}
          value={language}
          onChange={setLanguage}
          any={t('admin.any')}
          options={LANGUAGES.map((l) => ({ value: l, label: t(`language.${l}` as MessageKey) }))}
        />
        <SelectField
          form={form}
          field="channel"
          label={t('inbox.col.channel')}
          value={channel}
          onChange={setChannel}
          any={t('admin.any')}
          options={CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}` as MessageKey) }))}
        />
        <TextField form={form} field="topic" label={t('manage.topic')} value={topic} onChange={setTopic} />
        <SelectField
          form={form}
          field="queue"
          label={t('admin.queue')}
          value={queue}
          onChange={setQueue}
          any={t('admin.choose')}
          options={queues.map((q) => ({ value: q.code, label: `${q.code} – ${q.name}` }))}
        />
      </div>
    </AdminForm>
  );
}

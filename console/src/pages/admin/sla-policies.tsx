import { useEffect, useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/lv';
import { formatDuration } from '../../lib/duration';
import { api } from '../../lib/session';
import { CHANNELS, PRIORITIES, type Institution } from '../../lib/tickets';
import { AdminForm, CheckField, InstitutionSelect, SelectField, TextField, useAdminSubmit, useInstitutions } from './admin-forms';
import { AdminList, useAdminData, useEditing } from './admin-list';

const UNITS = ['calendar_seconds', 'business_seconds', 'working_days', 'months'] as const;
const TARGETS = ['firstResponse', 'nextResponse', 'resolution', 'resolutionExtension'] as const;
type TargetKey = (typeof TARGETS)[number];
interface Target {
  value: number;
  unit: string;
}
/** A queue a breach may move a ticket to. */
interface QueueChoice {
  code: string;
  name: string;
}
type Action = { type: 'raise_priority'; to: string } | { type: 'reroute'; queue: string } | { type: 'escalate'; level: number };

interface Policy {
  id: string;
  name: string;
  description: string | null;
  scope: 'case' | 'referral';
  channel: string | null;
  level: number | null;
  priority: string | null;
  institution: string | null;
  firstResponse: Target | null;
  nextResponse: Target | null;
  resolution: Target | null;
  resolutionExtension: Target | null;
  warningPercent: number;
  goalPercent: number;
  breachActions: Action[];
  remindOutsideHours: boolean;
  active: boolean;
}

/** SLA policies (/v1/admin/sla-policies): targets by channel × level × priority (× institution), goals and breach actions. */
export function SlaPoliciesAdmin() {
  const { t } = useI18n();
  const { data: policies, error, reload } = useAdminData(readPolicies);
  const institutions = useInstitutions();
  const [queues, setQueues] = useState<QueueChoice[]>([]);
  useEffect(() => {
    void api<QueueChoice[]>('GET', '/v1/admin/queues').then(setQueues, () => undefined);
  }, []);
  const { editing, open, close, selectedKey } = useEditing(policyKey);
  const target = (x: Target | null) => {
    if (!x) return '—';
    if (x.unit === 'business_seconds' || x.unit === 'calendar_seconds')
      return t(`slaTarget.${x.unit}`, { duration: formatDuration(x.value) });
    return `${x.value} ${t(`slaUnit.${x.unit}` as MessageKey)}`;
  };
  const any = t('admin.any');
  return (
    <>
      <AdminList
        id="policies"
        heading={t('admin.sla.heading')}
        hint={t('admin.sla.hint')}
        error={error}
        items={policies}
        rowKey={policyKey}
        rowData={(p) => ({ 'data-policy': p.name })}
        selectedKey={selectedKey}
        columns={[
          {
            label: t('admin.sla.name'),
            header: true,
            cell: (p) => (
              <>
                {p.name}
                {p.scope === 'referral' && <span className="muted"> ({t('admin.sla.referralTag')})</span>}
              </>
            ),
          },
          { label: t('inbox.col.channel'), cell: (p) => (p.channel ? t(`channel.${p.channel}` as MessageKey) : any) },
          { label: t('inbox.level'), cell: (p) => p.level ?? any },
          { label: t('manage.priority'), cell: (p) => (p.priority ? t(`priority.${p.priority}` as MessageKey) : any) },
          { label: t('admin.institution'), cell: (p) => p.institution ?? any },
          // The form's own target names: `metric.*` are lower case, written for the middle of a sentence.
          { label: t('admin.sla.target.firstResponse'), cell: (p) => target(p.firstResponse) },
          { label: t('admin.sla.target.nextResponse'), cell: (p) => target(p.nextResponse) },
          { label: t('admin.sla.target.resolution'), cell: (p) => target(p.resolution) },
          // A no-break space: the narrow column would otherwise put the % sign on a line of its own.
          { label: t('reports.goal'), cell: (p) => `${p.goalPercent}\u00a0%`, className: 'num' },
          { label: t('admin.rules.active'), cell: (p) => (p.active ? t('admin.yes') : t('admin.no')) },
        ]}
        onEdit={open}
        editLabel={(p) => t('admin.editNamed', { name: p.name })}
      />
      {editing ? (
        <PolicyForm key={editing.id} policy={editing} institutions={institutions} queues={queues} onDone={reload} onClose={close} />
      ) : (
        <PolicyForm key="new" institutions={institutions} queues={queues} onDone={reload} />
      )}
    </>
  );
}

const readPolicies = async () => (await api<{ items: Policy[] }>('GET', '/v1/admin/sla-policies')).items;
const policyKey = (p: Policy) => p.id;

function PolicyForm({
  policy,
  institutions,
  queues,
  onDone,
  onClose,
}: {
  policy?: Policy;
  institutions: Institution[];
  queues: QueueChoice[];
  onDone: () => Promise<void>;
  onClose?: () => void;
}) {
  const { t } = useI18n();
  const [v, setV] = useState({
    name: policy?.name ?? '',
    description: policy?.description ?? '',
    scope: policy?.scope ?? 'case',
    channel: policy?.channel ?? '',
    level: policy?.level === null || policy?.level === undefined ? '' : String(policy.level),
    priority: policy?.priority ?? '',
    institution: policy?.institution ?? '',
    warningPercent: String(policy?.warningPercent ?? 80),
    goalPercent: String(policy?.goalPercent ?? 100),
    remindOutsideHours: policy?.remindOutsideHours ?? false,
    active: policy?.active ?? true,
  });
  const [targets, setTargets] = useState<Record<TargetKey, { value: string; unit: string }>>(
    () =>
      Object.fromEntries(
        TARGETS.map((k) => [k, { value: policy?.[k] ? String(policy[k].value) : '', unit: policy?.[k]?.unit ?? 'working_days' }]),
      ) as Record<TargetKey, { value: string; unit: string }>,
  );
  const [actions, setActions] = useState<Action[]>(policy?.breachActions ?? []);
  const form = useAdminSubmit(policy ? 'policy-edit' : 'policy-new');
  const { prefix, fieldError } = form;
  const set =
    <K extends keyof typeof v>(k: K) =>
    (value: (typeof v)[K]) =>
      setV({ ...v, [k]: value });

  async function submit() {
    const body: Record<string, unknown> = {
      name: v.name.trim(),
      description: v.description.trim() || null,
      scope: v.scope,
      channel: v.channel || null,
      level: v.level === '' ? null : Number(v.level),
      priority: v.priority || null,
      institution: v.institution || null,
      warningPercent: Number(v.warningPercent),
      goalPercent: Number(v.goalPercent),
      remindOutsideHours: v.remindOutsideHours,
      breachActions: actions,
      ...Object.fromEntries(
        TARGETS.map((k) => [k, targets[k].value.trim() === '' ? null : { value: Number(targets[k].value), unit: targets[k].unit }]),
      ),
    };
    if (policy) body.active = v.active;
    const done = await form.run(
      () => (policy ? api('PATCH', `/v1/admin/sla-policies/${policy.id}`, body) : api('POST', '/v1/admin/sla-policies', body)),
      policy ? t('admin.saved') : t('admin.sla.added', { name: v.name.trim() }),
    );
    if (done === undefined) return;
    await onDone();
  }
  const select = (k: 'scope' | 'channel' | 'level' | 'priority', label: string, options: Array<[string, string]>) => (
    <SelectField
      form={form}
      field={k}
      label={label}
      value={v[k]}
      onChange={(next) => setV({ ...v, [k]: next })}
      options={options.map(([value, text]) => ({ value, label: text }))}
    />
  );
  const any: [string, string] = ['', t('admin.any')];
  return (
    <AdminForm
      form={form}
      heading={policy ? t('admin.sla.editHeading', { name: policy.name }) : t('admin.sla.newHeading')}
      submitLabel={policy ? t('admin.save') : t('admin.sla.add')}
      onSubmit={submit}
      onCancel={onClose}
      focusOnOpen={policy !== undefined}
    >
      <div className="grid">
        <TextField form={form} field="name" label={t('admin.sla.name')} value={v.name} onChange={set('name')} />
        {select('scope', t('admin.sla.scope'), [
          ['case', t('admin.sla.case')],
          ['referral', t('admin.sla.referral')],
        ])}
        {select('channel', t('inbox.col.channel'), [any, ...CHANNELS.map((c): [string, string] => [c, t(`channel.${c}` as MessageKey)])])}
        {select('level', t('inbox.level'), [any, ...['0', '1', '2', '3'].map((l): [string, string] => [l, l])])}
        {select('priority', t('manage.priority'), [any, ...PRIORITIES.map((p): [string, string] => [p, t(`priority.${p}` as MessageKey)])])}
        <InstitutionSelect form={form} value={v.institution} onChange={set('institution')} any={any[1]} institutions={institutions} />
        <TextField
          form={form}
          field="warningPercent"
          inputMode="numeric"
          label={t('admin.sla.warningPercent')}
          value={v.warningPercent}
          onChange={set('warningPercent')}
        />
        <TextField
          form={form}
          field="goalPercent"
          inputMode="numeric"
          label={t('admin.sla.goalPercent')}
          value={v.goalPercent}
          onChange={set('goalPercent')}
        />
      </div>
      <TextField
        form={form}
        field="description"
        rows={2}
        label={t('admin.sla.description')}
        value={v.description}
        onChange={set('description')}
      />
      {TARGETS.map((k) => (
        <fieldset key={k} className="checks" id={`${prefix}-${k}`} aria-describedby={form.errors[k] ? `${prefix}-${k}-error` : undefined}>
          <legend>{t(`admin.sla.target.${k}` as MessageKey)}</legend>
          <span className="capacity">
            <label htmlFor={`${prefix}-${k}-value`}>{t('admin.sla.value')}</label>
            <input
              id={`${prefix}-${k}-value`}
              inputMode="numeric"
              size={6}
              value={targets[k].value}
              onChange={(e) => setTargets({ ...targets, [k]: { ...targets[k], value: e.target.value } })}
              aria-invalid={form.errors[k] ? true : undefined}
            />
          </span>
          <span className="capacity">
            <label htmlFor={`${prefix}-${k}-unit`}>{t('admin.sla.unit')}</label>
            <select
              id={`${prefix}-${k}-unit`}
              value={targets[k].unit}
              onChange={(e) => setTargets({ ...targets, [k]: { ...targets[k], unit: e.target.value } })}
            >
              {UNITS.map((u) => (
                <option key={u} value={u}>
                  {t(`slaUnit.${u}` as MessageKey)}
                </option>
              ))}
            </select>
          </span>
          <span className="hint">{t('admin.sla.emptyTarget')}</span>
          {fieldError(k)}
        </fieldset>
      ))}
      <fieldset
        className="checks actions"
        id={`${prefix}-breachActions`}
        aria-describedby={form.errors.breachActions ? `${prefix}-breachActions-error` : undefined}
      >
        <legend>{t('admin.sla.actions')}</legend>
        {actions.length === 0 && <p className="hint">{t('admin.sla.noActions')}</p>}
        {actions.map((a, i) => (
          <div key={i} className="action">
            <span className="capacity">
              <label htmlFor={`${prefix}-action-${i}`}>{t('admin.sla.actionN', { n: i + 1 })}</label>
              <select
                id={`${prefix}-action-${i}`}
                value={a.type}
                onChange={(e) => {
                  const type = e.target.value;
                  const next: Action =
                    type === 'raise_priority'
                      ? { type, to: 'high' }
                      : type === 'reroute'
                        ? { type, queue: '' }
                        : { type: 'escalate', level: 2 };
                  setActions(actions.map((x, j) => (j === i ? next : x)));
                }}
              >
                {(['raise_priority', 'reroute', 'escalate'] as const).map((x) => (
                  <option key={x} value={x}>
                    {t(`slaAction.${x}`)}
                  </option>
                ))}
              </select>
            </span>
            {a.type === 'raise_priority' && (
              <span className="capacity">
                <label htmlFor={`${prefix}-action-${i}-to`}>{t('admin.sla.to')}</label>
                <select
                  id={`${prefix}-action-${i}-to`}
                  value={a.to}
                  onChange={(e) => setActions(actions.map((x, j) => (j === i ? { ...a, to: e.target.value } : x)))}
                >
                  {['normal', 'high', 'urgent'].map((p) => (
                    <option key={p} value={p}>
                      {t(`priority.${p}` as MessageKey)}
                    </option>
                  ))}
                </select>
              </span>
            )}
            {a.type === 'reroute' && (
              <span className="capacity">
                <label htmlFor={`${prefix}-action-${i}-queue`}>{t('admin.queue')}</label>
                {/* A list of the queues rather than a typed code: a code that names no queue would only fail on a breach. */}
                <select
                  id={`${prefix}-action-${i}-queue`}
                  value={a.queue}
                  onChange={(e) => setActions(actions.map((x, j) => (j === i ? { ...a, queue: e.target.value } : x)))}
                >
                  <option value="">{t('admin.choose')}</option>
                  {(queues.some((q) => q.code === a.queue) || !a.queue ? queues : [...queues, { code: a.queue, name: a.queue }]).map(
                    (q) => (
                      <option key={q.code} value={q.code}>
                        {q.code} – {q.name}
                      </option>
                    ),
                  )}
                </select>
              </span>
            )}
            {a.type === 'escalate' && (
              <span className="capacity">
                <label htmlFor={`${prefix}-action-${i}-level`}>{t('inbox.level')}</label>
                <select
                  id={`${prefix}-action-${i}-level`}
                  value={a.level}
                  onChange={(e) => setActions(actions.map((x, j) => (j === i ? { ...a, level: Number(e.target.value) } : x)))}
                >
                  {[1, 2, 3].map((l) => (
                    <option key={l} value={l}>
                      {l}
                    </option>
                  ))}
                </select>
              </span>
            )}
            <button
              type="button"
              onClick={() => setActions(actions.filter((_, j) => j !== i))}
              aria-label={t('admin.sla.removeAction', { n: i + 1 })}
            >
              {t('admin.delete')}
            </button>
          </div>
        ))}
        {actions.length < 5 && (
          <button type="button" onClick={() => setActions([...actions, { type: 'raise_priority', to: 'high' }])}>
            {t('admin.sla.addAction')}
          </button>
        )}
        {fieldError('breachActions')}
      </fieldset>
      <CheckField label={t('admin.sla.remindOutsideHours')} checked={v.remindOutsideHours} onChange={set('remindOutsideHours')} />{' '}
      {policy && <CheckField label={t('admin.sla.activeBox')} checked={v.active} onChange={set('active')} />}
    </AdminForm>
  );
}

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/lv';
import { api } from '../../lib/session';
import { CHANNELS, PRIORITIES, type Institution } from '../../lib/tickets';
import { Outcome } from '../forms';
import { useAdminSubmit } from './admin-forms';

const UNITS = ['calendar_seconds', 'business_seconds', 'working_days', 'months'] as const;
const TARGETS = ['firstResponse', 'nextResponse', 'resolution', 'resolutionExtension'] as const;
type TargetKey = (typeof TARGETS)[number];
interface Target {
  value: number;
  unit: string;
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
  const [policies, setPolicies] = useState<Policy[] | null>(null);
  const [institutions, setInstitutions] = useState<Institution[]>([]);
  const [editing, setEditing] = useState<Policy | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setPolicies((await api<{ items: Policy[] }>('GET', '/v1/admin/sla-policies')).items);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, []);
  useEffect(() => {
    void load();
    void api<Institution[]>('GET', '/v1/institutions').then(setInstitutions, () => undefined);
  }, [load]);
  const target = (x: Target | null) => (x ? `${x.value} ${t(`slaUnit.${x.unit}` as MessageKey)}` : '—');
  const any = t('admin.any');
  return (
    <>
      <section className="card" aria-labelledby="policies-heading">
        <h2 id="policies-heading">{t('admin.sla.heading')}</h2>
        <p className="hint">{t('admin.sla.hint')}</p>
        {error && (
          <p className="error" role="alert">
            {t('app.error', { detail: error })}
          </p>
        )}
        {policies === null ? (
          <p role="status">{t('app.loading')}</p>
        ) : (
          <table className="inbox" aria-labelledby="policies-heading">
            <thead>
              <tr>
                <th scope="col">{t('admin.sla.name')}</th>
                <th scope="col">{t('inbox.col.channel')}</th>
                <th scope="col">{t('inbox.level')}</th>
                <th scope="col">{t('manage.priority')}</th>
                <th scope="col">{t('admin.institution')}</th>
                <th scope="col">{t('metric.first_response')}</th>
                <th scope="col">{t('metric.next_response')}</th>
                <th scope="col">{t('metric.resolution')}</th>
                <th scope="col">{t('reports.goal')}</th>
                <th scope="col">{t('admin.rules.active')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {policies.map((p) => (
                <tr key={p.id} data-policy={p.name}>
                  <th scope="row">
                    {p.name}
                    {p.scope === 'referral' && <span className="muted"> ({t('admin.sla.referral')})</span>}
                  </th>
                  <td>{p.channel ? t(`channel.${p.channel}` as MessageKey) : any}</td>
                  <td>{p.level ?? any}</td>
                  <td>{p.priority ? t(`priority.${p.priority}` as MessageKey) : any}</td>
                  <td>{p.institution ?? any}</td>
                  <td>{target(p.firstResponse)}</td>
                  <td>{target(p.nextResponse)}</td>
                  <td>{target(p.resolution)}</td>
                  <td className="num">{p.goalPercent} %</td>
                  <td>{p.active ? t('admin.yes') : t('admin.no')}</td>
                  <td>
                    <button type="button" onClick={() => setEditing(p)} aria-label={t('admin.editNamed', { name: p.name })}>
                      {t('admin.edit')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {editing ? (
        <PolicyForm key={editing.id} policy={editing} institutions={institutions} onDone={load} onClose={() => setEditing(null)} />
      ) : (
        <PolicyForm key="new" institutions={institutions} onDone={load} />
      )}
    </>
  );
}

function PolicyForm({
  policy,
  institutions,
  onDone,
  onClose,
}: {
  policy?: Policy;
  institutions: Institution[];
  onDone: () => Promise<void>;
  onClose?: () => void;
}) {
  const { t } = useI18n();
  const prefix = policy ? 'policy-edit' : 'policy-new';
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
  const form = useAdminSubmit(prefix);
  const { described, fieldError } = form;
  const set = (k: keyof typeof v) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) =>
    setV({ ...v, [k]: e.target instanceof HTMLInputElement && e.target.type === 'checkbox' ? e.target.checked : e.target.value });

  async function submit(e: FormEvent) {
    e.preventDefault();
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
  const select = (k: 'scope' | 'channel' | 'level' | 'priority' | 'institution', label: string, options: Array<[string, string]>) => (
    <div className="field">
      <label htmlFor={`${prefix}-${k}`}>{label}</label>
      <select id={`${prefix}-${k}`} value={v[k]} onChange={set(k)} {...described(k)}>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
      {fieldError(k)}
    </div>
  );
  const any: [string, string] = ['', t('admin.any')];
  return (
    <form className="card admin-form" aria-labelledby={`${prefix}-heading`} onSubmit={(e) => void submit(e)} noValidate>
      <h2 id={`${prefix}-heading`}>{policy ? t('admin.sla.editHeading', { name: policy.name }) : t('admin.sla.newHeading')}</h2>
      <div className="grid">
        <div className="field">
          <label htmlFor={`${prefix}-name`}>{t('admin.sla.name')}</label>
          <input id={`${prefix}-name`} value={v.name} onChange={set('name')} {...described('name')} />
          {fieldError('name')}
        </div>
        {select('scope', t('admin.sla.scope'), [
          ['case', t('admin.sla.case')],
          ['referral', t('admin.sla.referral')],
        ])}
        {select('channel', t('inbox.col.channel'), [any, ...CHANNELS.map((c): [string, string] => [c, t(`channel.${c}` as MessageKey)])])}
        {select('level', t('inbox.level'), [any, ...['0', '1', '2', '3'].map((l): [string, string] => [l, l])])}
        {select('priority', t('manage.priority'), [any, ...PRIORITIES.map((p): [string, string] => [p, t(`priority.${p}` as MessageKey)])])}
        {select('institution', t('admin.institution'), [any, ...institutions.map((i): [string, string] => [i.code, i.code])])}
        <div className="field">
          <label htmlFor={`${prefix}-warningPercent`}>{t('admin.sla.warningPercent')}</label>
          <input
            id={`${prefix}-warningPercent`}
            inputMode="numeric"
            value={v.warningPercent}
            onChange={set('warningPercent')}
            {...described('warningPercent')}
          />
          {fieldError('warningPercent')}
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-goalPercent`}>{t('admin.sla.goalPercent')}</label>
          <input
            id={`${prefix}-goalPercent`}
            inputMode="numeric"
            value={v.goalPercent}
            onChange={set('goalPercent')}
            {...described('goalPercent')}
          />
          {fieldError('goalPercent')}
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-description`}>{t('admin.sla.description')}</label>
        <textarea id={`${prefix}-description`} rows={2} value={v.description} onChange={set('description')} {...described('description')} />
        {fieldError('description')}
      </div>
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
                <input
                  id={`${prefix}-action-${i}-queue`}
                  value={a.queue}
                  size={12}
                  onChange={(e) => setActions(actions.map((x, j) => (j === i ? { ...a, queue: e.target.value } : x)))}
                />
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
      <label className="check">
        <input type="checkbox" checked={v.remindOutsideHours} onChange={set('remindOutsideHours')} /> {t('admin.sla.remindOutsideHours')}
      </label>{' '}
      {policy && (
        <label className="check">
          <input type="checkbox" checked={v.active} onChange={set('active')} /> {t('admin.sla.activeBox')}
        </label>
      )}
      <div className="buttons">
        <button type="submit" className="primary">
          {policy ? t('admin.save') : t('admin.sla.add')}
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

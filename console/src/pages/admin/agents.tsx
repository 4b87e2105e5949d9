import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/lv';
import { api } from '../../lib/session';
import { CHANNELS, type Institution } from '../../lib/tickets';
import { Outcome } from '../forms';
import { CheckboxGroup, SelectField, useAdminSubmit } from './admin-forms';

export const ROLES = ['operator', 'specialist', 'expert', 'supervisor', 'admin', 'dpo'] as const;
const LANGUAGES = ['lv', 'ru', 'en'] as const;

interface Centre {
  code: string;
  name: string;
}

interface Agent {
  id: string;
  email: string;
  displayName: string;
  roles: string[];
  /** The centre the agent works for: their work is that centre's evidence in the funding report. */
  centre: string | null;
  institutions: string[];
  languages: string[];
  skills: string[];
  capacity: Record<string, number>;
  active: boolean;
  lockedUntil: string | null;
}

/** Staff accounts (GET/POST/PATCH /v1/admin/agents): the list, a form to add one, and the same form to change one. */
export function AgentsAdmin() {
  const { t } = useI18n();
  const [agents, setAgents] = useState<Agent[] | null>(null);
  const [institutions, setInstitutions] = useState<Institution[]>([]);
  const [centres, setCentres] = useState<Centre[]>([]);
  const [editing, setEditing] = useState<Agent | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setAgents(await api<Agent[]>('GET', '/v1/admin/agents'));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, []);
  useEffect(() => {
    void load();
    void api<Institution[]>('GET', '/v1/institutions').then(setInstitutions, () => undefined);
    void api<Centre[]>('GET', '/v1/calendar/centres').then(setCentres, () => undefined);
  }, [load]);

  return (
    <>
      <section className="card" aria-labelledby="agents-heading">
        <h2 id="agents-heading">{t('admin.agents.heading')}</h2>
        {error && (
          <p className="error" role="alert">
            {t('app.error', { detail: error })}
          </p>
        )}
        {agents === null ? (
          <p role="status">{t('app.loading')}</p>
        ) : (
          <table className="inbox" aria-labelledby="agents-heading">
            <thead>
              <tr>
                <th scope="col">{t('admin.agents.name')}</th>
                <th scope="col">{t('admin.agents.email')}</th>
                <th scope="col">{t('admin.agents.roles')}</th>
                <th scope="col">{t('admin.agents.centre')}</th>
                <th scope="col">{t('admin.agents.institutions')}</th>
                <th scope="col">{t('admin.agents.languages')}</th>
                <th scope="col">{t('admin.agents.state')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {agents.map((a) => (
                <tr key={a.id} data-agent={a.email}>
                  <th scope="row">{a.displayName}</th>
                  <td>{a.email}</td>
                  <td>{a.roles.map((r) => t(`role.${r}` as MessageKey)).join(', ')}</td>
                  <td>{centres.find((c) => c.code === a.centre)?.name ?? a.centre ?? '—'}</td>
                  <td>{a.institutions.join(', ') || '—'}</td>
                  <td>{a.languages.join(', ')}</td>
                  <td>
                    {!a.active
                      ? t('admin.agents.disabled')
                      : a.lockedUntil && new Date(a.lockedUntil) > new Date()
                        ? t('admin.agents.locked')
                        : t('admin.agents.active')}
                  </td>
                  <td>
                    <button type="button" onClick={() => setEditing(a)} aria-label={t('admin.agents.editOne', { name: a.displayName })}>
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
        <AgentForm
          key={editing.id}
          agent={editing}
          institutions={institutions}
          centres={centres}
          onDone={async () => {
            await load();
          }}
          onClose={() => setEditing(null)}
        />
      ) : (
        <AgentForm key="new" institutions={institutions} centres={centres} onDone={load} />
      )}
    </>
  );
}

function AgentForm({
  agent,
  institutions,
  centres,
  onDone,
  onClose,
}: {
  agent?: Agent;
  institutions: Institution[];
  centres: Centre[];
  onDone: () => Promise<void>;
  onClose?: () => void;
}) {
  const { t } = useI18n();
  const prefix = agent ? 'agent-edit' : 'agent-new';
  const [email, setEmail] = useState(agent?.email ?? '');
  const [displayName, setDisplayName] = useState(agent?.displayName ?? '');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState<string[]>(agent?.roles ?? ['operator']);
  const [insts, setInsts] = useState<string[]>(agent?.institutions ?? []);
  // A new agent works for the remote centre unless the admin picks a VPVKAC centre, as the API defaults.
  const [centre, setCentre] = useState(agent?.centre ?? 'VPPPD');
  const [languages, setLanguages] = useState<string[]>(agent?.languages ?? ['lv']);
  const [skills, setSkills] = useState((agent?.skills ?? []).join(', '));
  const [capacity, setCapacity] = useState<Record<string, string>>(() =>
    Object.fromEntries(CHANNELS.map((c) => [c, agent?.capacity[c] !== undefined ? String(agent.capacity[c]) : ''])),
  );
  const [active, setActive] = useState(agent?.active ?? true);
  const form = useAdminSubmit(prefix);
  const { described, fieldError } = form;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body: Record<string, unknown> = {
      email: email.trim(),
      displayName: displayName.trim(),
      roles,
      centre,
      institutions: insts,
      languages,
      skills: skills
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      // A number typed as text goes as it is, so the API's check (a whole number 0-100) is the one that answers.
      capacity: Object.fromEntries(
        Object.entries(capacity)
          .filter(([, v]) => v.trim() !== '')
          .map(([c, v]) => [c, Number(v)]),
      ),
    };
    if (password) body.password = password;
    if (agent) body.active = active;
    const saved = await form.run(
      () => (agent ? api('PATCH', `/v1/admin/agents/${agent.id}`, body) : api('POST', '/v1/admin/agents', body)),
      agent ? t('admin.saved') : t('admin.agents.added', { name: displayName.trim() }),
    );
    if (saved === undefined) return;
    setPassword('');
    if (!agent) {
      setEmail('');
      setDisplayName('');
      setSkills('');
    }
    await onDone();
  }

  const heading = agent ? t('admin.agents.editHeading', { name: agent.displayName }) : t('admin.agents.newHeading');
  return (
    <form className="card admin-form" aria-labelledby={`${prefix}-heading`} onSubmit={(e) => void submit(e)} noValidate>
      <h2 id={`${prefix}-heading`}>{heading}</h2>
      <div className="grid">
        <div className="field">
          <label htmlFor={`${prefix}-email`}>{t('admin.agents.email')}</label>
          <input
            id={`${prefix}-email`}
            type="email"
            autoComplete="off"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            {...described('email')}
          />
          {fieldError('email')}
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-displayName`}>{t('admin.agents.name')}</label>
          <input
            id={`${prefix}-displayName`}
            value={displayName}
            onChange={(e) => setDisplayName(e.target.value)}
            {...described('displayName')}
          />
          {fieldError('displayName')}
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-password`}>{agent ? t('admin.agents.newPassword') : t('admin.agents.password')}</label>
          <input
            id={`${prefix}-password`}
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-describedby={`${prefix}-password-hint${form.errors.password ? ` ${prefix}-password-error` : ''}`}
            aria-invalid={form.errors.password ? true : undefined}
          />
          <p className="hint" id={`${prefix}-password-hint`}>
            {agent ? t('admin.agents.passwordResetHint') : t('admin.agents.passwordHint')}
          </p>
          {fieldError('password')}
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-skills`}>{t('admin.agents.skills')}</label>
          <input
            id={`${prefix}-skills`}
            value={skills}
            onChange={(e) => setSkills(e.target.value)}
            aria-describedby={`${prefix}-skills-hint`}
            {...described('skills')}
          />
          <p className="hint" id={`${prefix}-skills-hint`}>
            {t('admin.agents.skillsHint')}
          </p>
          {fieldError('skills')}
        </div>
        <SelectField
          id={`${prefix}-centre`}
          label={t('admin.agents.centre')}
          value={centre}
          onChange={setCentre}
          options={(centres.some((c) => c.code === centre) ? centres : [...centres, { code: centre, name: centre }]).map((c) => ({
            value: c.code,
            label: c.name,
          }))}
          form={form}
          field="centre"
        />
      </div>
      <CheckboxGroup
        id={`${prefix}-roles`}
        legend={t('admin.agents.roles')}
        options={ROLES.map((r) => ({ value: r, label: t(`role.${r}` as MessageKey) }))}
        value={roles}
        onChange={setRoles}
        error={fieldError('roles')}
      />
      <CheckboxGroup
        id={`${prefix}-languages`}
        legend={t('admin.agents.languages')}
        options={LANGUAGES.map((l) => ({ value: l, label: t(`language.${l}` as MessageKey) }))}
        value={languages}
        onChange={setLanguages}
        error={fieldError('languages')}
      />
      <CheckboxGroup
        id={`${prefix}-institutions`}
        legend={t('admin.agents.institutions')}
        options={institutions.map((i) => ({ value: i.code, label: i.code }))}
        value={insts}
        onChange={setInsts}
        error={fieldError('institutions')}
      />
      <fieldset
        className="checks"
        id={`${prefix}-capacity`}
        aria-describedby={form.errors.capacity ? `${prefix}-capacity-error` : undefined}
      >
        <legend>{t('admin.agents.capacity')}</legend>
        {CHANNELS.map((c) => (
          <span key={c} className="capacity">
            <label htmlFor={`${prefix}-capacity-${c}`}>{t(`channel.${c}` as MessageKey)}</label>
            <input
              id={`${prefix}-capacity-${c}`}
              type="text"
              inputMode="numeric"
              size={3}
              value={capacity[c]}
              onChange={(e) => setCapacity({ ...capacity, [c]: e.target.value })}
              aria-invalid={form.errors.capacity ? true : undefined}
            />
          </span>
        ))}
        {fieldError('capacity')}
      </fieldset>
      {agent && (
        <label className="check">
          <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} /> {t('admin.agents.activeBox')}
        </label>
      )}
      <div className="buttons">
        <button type="submit" className="primary">
          {agent ? t('admin.save') : t('admin.agents.add')}
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

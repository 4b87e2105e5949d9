import { useEffect, useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/lv';
import { api } from '../../lib/session';
import { CHANNELS, type Institution } from '../../lib/tickets';
import {
  AdminForm,
  CheckboxGroup,
  CheckField,
  institutionLabel,
  SelectField,
  TextField,
  useAdminSubmit,
  useInstitutions,
} from './admin-forms';
import { AdminList, useAdminData, useEditing } from './admin-list';

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
  const { data: agents, error, reload } = useAdminData(readAgents);
  const institutions = useInstitutions();
  const [centres, setCentres] = useState<Centre[]>([]);
  const { editing, open, close, selectedKey } = useEditing(agentKey);
  useEffect(() => {
    void api<Centre[]>('GET', '/v1/calendar/centres').then(setCentres, () => undefined);
  }, []);

  return (
    <>
      <AdminList
        id="agents"
        heading={t('admin.agents.heading')}
        error={error}
        items={agents}
        rowKey={agentKey}
        rowData={(a) => ({ 'data-agent': a.email })}
        selectedKey={selectedKey}
        columns={[
          { label: t('admin.agents.name'), cell: (a) => a.displayName, header: true },
          { label: t('admin.agents.email'), cell: (a) => a.email },
          { label: t('admin.agents.roles'), cell: (a) => a.roles.map((r) => t(`role.${r}` as MessageKey)).join(', ') },
          { label: t('admin.agents.centre'), cell: (a) => centres.find((c) => c.code === a.centre)?.name ?? a.centre ?? '—' },
          { label: t('admin.agents.institutions'), cell: (a) => a.institutions.join(', ') || '—' },
          { label: t('admin.agents.languages'), cell: (a) => a.languages.join(', ') },
          {
            label: t('admin.agents.state'),
            cell: (a) =>
              !a.active
                ? t('admin.agents.disabled')
                : a.lockedUntil && new Date(a.lockedUntil) > new Date()
                  ? t('admin.agents.locked')
                  : t('admin.agents.active'),
          },
        ]}
        onEdit={open}
        editLabel={(a) => t('admin.agents.editOne', { name: a.displayName })}
      />
      {editing ? (
        <AgentForm key={editing.id} agent={editing} institutions={institutions} centres={centres} onDone={reload} onClose={close} />
      ) : (
        <AgentForm key="new" institutions={institutions} centres={centres} onDone={reload} />
      )}
    </>
  );
}

const readAgents = () => api<Agent[]>('GET', '/v1/admin/agents');
const agentKey = (a: Agent) => a.id;

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
  const { t, lang } = useI18n();
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
  const form = useAdminSubmit(agent ? 'agent-edit' : 'agent-new');
  const { prefix, fieldError } = form;

  async function submit() {
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

  return (
    <AdminForm
      form={form}
      heading={agent ? t('admin.agents.editHeading', { name: agent.displayName }) : t('admin.agents.newHeading')}
      submitLabel={agent ? t('admin.save') : t('admin.agents.add')}
      onSubmit={submit}
      onCancel={onClose}
      focusOnOpen={agent !== undefined}
    >
      <div className="grid">
        <TextField
          form={form}
          field="email"
          type="email"
          autoComplete="off"
          label={t('admin.agents.email')}
          value={email}
          onChange={setEmail}
        />
        <TextField form={form} field="displayName" label={t('admin.agents.name')} value={displayName} onChange={setDisplayName} />
        <TextField
          form={form}
          field="password"
          type="password"
          autoComplete="new-password"
          label={agent ? t('admin.agents.newPassword') : t('admin.agents.password')}
          hint={agent ? t('admin.agents.passwordResetHint') : t('admin.agents.passwordHint')}
          value={password}
          onChange={setPassword}
        />
        <TextField
          form={form}
          field="skills"
          label={t('admin.agents.skills')}
          hint={t('admin.agents.skillsHint')}
          value={skills}
          onChange={setSkills}
        />
        <SelectField
          form={form}
          field="centre"
          label={t('admin.agents.centre')}
          value={centre}
          onChange={setCentre}
          options={(centres.some((c) => c.code === centre) ? centres : [...centres, { code: centre, name: centre }]).map((c) => ({
            value: c.code,
            label: c.name,
          }))}
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
        options={institutions.map((i) => ({ value: i.code, label: institutionLabel(i, lang) }))}
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
      {agent && <CheckField label={t('admin.agents.activeBox')} checked={active} onChange={setActive} />}
    </AdminForm>
  );
}

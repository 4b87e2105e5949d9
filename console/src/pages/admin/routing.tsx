import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/lv';
import { api } from '../../lib/session';
import { CHANNELS, type Institution } from '../../lib/tickets';
import { Outcome } from '../forms';
import { SelectField, useAdminSubmit } from './admin-forms';

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
  const [queues, setQueues] = useState<Queue[] | null>(null);
  const [rules, setRules] = useState<Rule[] | null>(null);
  const [institutions, setInstitutions] = useState<Institution[]>([]);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      const [q, r] = await Promise.all([api<Queue[]>('GET', '/v1/admin/queues'), api<Rule[]>('GET', '/v1/admin/routing-rules')]);
      setQueues(q);
      setRules(r);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }, []);
  useEffect(() => {
    void load();
    void api<Institution[]>('GET', '/v1/institutions').then(setInstitutions, () => undefined);
  }, [load]);
  const any = t('admin.any');

  async function change(rule: Rule, body: Partial<Rule>) {
    try {
      await api('PATCH', `/v1/admin/routing-rules/${rule.id}`, body);
      await load();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }
  async function remove(rule: Rule) {
    if (!window.confirm(t('admin.rules.confirmDelete', { position: rule.position }))) return;
    try {
      await api('DELETE', `/v1/admin/routing-rules/${rule.id}`);
      await load();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  return (
    <>
      {error && (
        <p className="error" role="alert">
          {t('app.error', { detail: error })}
        </p>
      )}
      <section className="card" aria-labelledby="rules-heading">
        <h2 id="rules-heading">{t('admin.rules.heading')}</h2>
        <p className="hint">{t('admin.rules.hint')}</p>
        {rules === null ? (
          <p role="status">{t('app.loading')}</p>
        ) : rules.length === 0 ? (
          <p>{t('admin.rules.none')}</p>
        ) : (
          <table className="inbox" aria-labelledby="rules-heading">
            <thead>
              <tr>
                <th scope="col">{t('admin.rules.position')}</th>
                <th scope="col">{t('admin.institution')}</th>
                <th scope="col">{t('admin.language')}</th>
                <th scope="col">{t('inbox.col.channel')}</th>
                <th scope="col">{t('manage.topic')}</th>
                <th scope="col">{t('admin.queue')}</th>
                <th scope="col">{t('admin.rules.active')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rules.map((r) => (
                <tr key={r.id} data-rule={r.id}>
                  <th scope="row">{r.position}</th>
                  <td>{r.institution ?? any}</td>
                  <td>{r.language ? t(`language.${r.language}` as MessageKey) : any}</td>
                  <td>{r.channel ? t(`channel.${r.channel}` as MessageKey) : any}</td>
                  <td>{r.topic ?? any}</td>
                  <td>{r.queue}</td>
                  <td>{r.active ? t('admin.yes') : t('admin.no')}</td>
                  <td className="buttons">
                    <button type="button" onClick={() => void change(r, { active: !r.active })}>
                      {r.active ? t('admin.rules.turnOff') : t('admin.rules.turnOn')}
                    </button>
                    <button type="button" onClick={() => void remove(r)} aria-label={t('admin.rules.deleteOne', { position: r.position })}>
                      {t('admin.delete')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <RuleForm queues={queues ?? []} institutions={institutions} rules={rules ?? []} onDone={load} />

      <section className="card" aria-labelledby="queues-heading">
        <h2 id="queues-heading">{t('admin.queues.heading')}</h2>
        {queues === null ? (
          <p role="status">{t('app.loading')}</p>
        ) : (
          <table className="inbox" aria-labelledby="queues-heading">
            <thead>
              <tr>
                <th scope="col">{t('admin.queues.code')}</th>
                <th scope="col">{t('admin.queues.name')}</th>
                <th scope="col">{t('admin.institution')}</th>
                <th scope="col">{t('inbox.level')}</th>
                <th scope="col">{t('admin.queues.waiting')}</th>
                <th scope="col">{t('admin.queues.strategy')}</th>
              </tr>
            </thead>
            <tbody>
              {queues.map((q) => (
                <QueueRow key={q.code} queue={q} onDone={load} />
              ))}
            </tbody>
          </table>
        )}
      </section>
      <QueueForm institutions={institutions} onDone={load} />
    </>
  );
}

function QueueRow({ queue, onDone }: { queue: Queue; onDone: () => Promise<void> }) {
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
    <tr data-queue={queue.code}>
      <th scope="row">{queue.code}</th>
      <td>{queue.name}</td>
      <td>{queue.institution ?? '—'}</td>
      <td>{queue.level}</td>
      <td className="num">{queue.waiting}</td>
      <td>
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
      </td>
    </tr>
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
  const { described, fieldError } = form;
  async function submit(e: FormEvent) {
    e.preventDefault();
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
    <form className="card admin-form" aria-labelledby="queue-new-heading" onSubmit={(e) => void submit(e)} noValidate>
      <h2 id="queue-new-heading">{t('admin.queues.newHeading')}</h2>
      <div className="grid">
        <div className="field">
          <label htmlFor="queue-new-code">{t('admin.queues.code')}</label>
          <input id="queue-new-code" value={code} onChange={(e) => setCode(e.target.value)} {...described('code')} />
          {fieldError('code')}
        </div>
        <div className="field">
          <label htmlFor="queue-new-name">{t('admin.queues.name')}</label>
          <input id="queue-new-name" value={name} onChange={(e) => setName(e.target.value)} {...described('name')} />
          {fieldError('name')}
        </div>
        <div className="field">
          <label htmlFor="queue-new-institution">{t('admin.institution')}</label>
          <select
            id="queue-new-institution"
            value={institution}
            onChange={(e) => setInstitution(e.target.value)}
            {...described('institution')}
          >
            <option value="">{t('admin.queues.centreWide')}</option>
            {institutions.map((i) => (
              <option key={i.code} value={i.code}>
                {i.code}
              </option>
            ))}
          </select>
          {fieldError('institution')}
        </div>
        <div className="field">
          <label htmlFor="queue-new-level">{t('inbox.level')}</label>
          <select id="queue-new-level" value={level} onChange={(e) => setLevel(e.target.value)} {...described('level')}>
            {['1', '2', '3'].map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
          {fieldError('level')}
        </div>
        <div className="field">
          <label htmlFor="queue-new-strategy">{t('admin.queues.strategy')}</label>
          <select id="queue-new-strategy" value={strategy} onChange={(e) => setStrategy(e.target.value)} {...described('strategy')}>
            {STRATEGIES.map((s) => (
              <option key={s} value={s}>
                {t(`strategy.${s}` as MessageKey)}
              </option>
            ))}
          </select>
          {fieldError('strategy')}
        </div>
      </div>
      <button type="submit" className="primary">
        {t('admin.queues.add')}
      </button>
      <Outcome status={form.status} error={form.error} />
    </form>
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
  const { described, fieldError } = form;
  const nextPosition = rules.reduce((m, r) => Math.max(m, r.position + 10), 10);
  async function submit(e: FormEvent) {
    e.preventDefault();
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
    <form className="card admin-form" aria-labelledby="rule-new-heading" onSubmit={(e) => void submit(e)} noValidate>
      <h2 id="rule-new-heading">{t('admin.rules.newHeading')}</h2>
      <div className="grid">
        <div className="field">
          <label htmlFor="rule-new-position">{t('admin.rules.position')}</label>
          <input
            id="rule-new-position"
            inputMode="numeric"
            value={position}
            placeholder={String(nextPosition)}
            onChange={(e) => setPosition(e.target.value)}
            aria-describedby={`rule-new-position-hint${form.errors.position ? ' rule-new-position-error' : ''}`}
            aria-invalid={form.errors.position ? true : undefined}
          />
          <p className="hint" id="rule-new-position-hint">
            {t('admin.rules.positionHint', { next: nextPosition })}
          </p>
          {fieldError('position')}
        </div>
        <SelectField
          id="rule-new-institution"
          label={t('admin.institution')}
          value={institution}
          onChange={setInstitution}
          any={t('admin.any')}
          form={form}
          field="institution"
          options={institutions.map((i) => ({ value: i.code, label: i.code }))}
        />
        <SelectField
          id="rule-new-language"
          label={t('admin.language')}
          value={language}
          onChange={setLanguage}
          any={t('admin.any')}
          form={form}
          field="language"
          options={LANGUAGES.map((l) => ({ value: l, label: t(`language.${l}` as MessageKey) }))}
        />
        <SelectField
          id="rule-new-channel"
          label={t('inbox.col.channel')}
          value={channel}
          onChange={setChannel}
          any={t('admin.any')}
          form={form}
          field="channel"
          options={CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}` as MessageKey) }))}
        />
        <div className="field">
          <label htmlFor="rule-new-topic">{t('manage.topic')}</label>
          <input id="rule-new-topic" value={topic} onChange={(e) => setTopic(e.target.value)} {...described('topic')} />
          {fieldError('topic')}
        </div>
        <div className="field">
          <label htmlFor="rule-new-queue">{t('admin.queue')}</label>
          <select id="rule-new-queue" value={queue} onChange={(e) => setQueue(e.target.value)} {...described('queue')}>
            <option value="">{t('admin.choose')}</option>
            {queues.map((q) => (
              <option key={q.code} value={q.code}>
                {q.code} – {q.name}
              </option>
            ))}
          </select>
          {fieldError('queue')}
        </div>
      </div>
      <button type="submit" className="primary">
        {t('admin.rules.add')}
      </button>
      <Outcome status={form.status} error={form.error} />
    </form>
  );
}

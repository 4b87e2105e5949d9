import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/lv';
import { api } from '../../lib/session';
import type { Institution } from '../../lib/tickets';
import { Outcome } from '../forms';
import { SelectField, useAdminSubmit } from './admin-forms';

const TYPES = ['text', 'number', 'date', 'choice'] as const;

interface CustomField {
  id: string;
  institution: string;
  key: string;
  labels: { lv: string; en: string };
  type: (typeof TYPES)[number];
  choices: string[];
  required: boolean;
  active: boolean;
  position: number;
  inUse: number;
}

/** Each institution's own ticket fields (/v1/admin/custom-fields): a field in use is switched off, not deleted. */
export function CustomFieldsAdmin() {
  const { t, lang } = useI18n();
  const [fields, setFields] = useState<CustomField[] | null>(null);
  const [institutions, setInstitutions] = useState<Institution[]>([]);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setFields((await api<{ items: CustomField[] }>('GET', '/v1/admin/custom-fields')).items);
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
      setError(null);
      await call();
      await load();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <>
      <section className="card" aria-labelledby="custom-fields-admin-heading">
        <h2 id="custom-fields-admin-heading">{t('admin.fields.heading')}</h2>
        <p className="hint">{t('admin.fields.hint')}</p>
        {error && (
          <p className="error" role="alert">
            {t('app.error', { detail: error })}
          </p>
        )}
        {fields === null ? (
          <p role="status">{t('app.loading')}</p>
        ) : fields.length === 0 ? (
          <p>{t('admin.fields.none')}</p>
        ) : (
          <table className="inbox" aria-labelledby="custom-fields-admin-heading">
            <thead>
              <tr>
                <th scope="col">{t('admin.institution')}</th>
                <th scope="col">{t('admin.fields.key')}</th>
                <th scope="col">{t('admin.fields.label')}</th>
                <th scope="col">{t('admin.fields.type')}</th>
                <th scope="col">{t('admin.fields.choices')}</th>
                <th scope="col">{t('customFields.required')}</th>
                <th scope="col">{t('admin.rules.active')}</th>
                <th scope="col">{t('admin.fields.inUse')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {fields.map((f) => (
                <tr key={f.id} data-field={f.key}>
                  <td>{f.institution}</td>
                  <th scope="row">{f.key}</th>
                  <td>{f.labels[lang]}</td>
                  <td>{t(`admin.fields.type.${f.type}` as MessageKey)}</td>
                  <td>{f.choices.join(', ') || '—'}</td>
                  <td>{f.required ? t('admin.yes') : t('admin.no')}</td>
                  <td>{f.active ? t('admin.yes') : t('admin.no')}</td>
                  <td className="num">{f.inUse}</td>
                  <td className="buttons">
                    <button
                      type="button"
                      onClick={() => void act(() => api('PATCH', `/v1/admin/custom-fields/${f.id}`, { active: !f.active }))}
                    >
                      {f.active ? t('admin.fields.switchOff') : t('admin.fields.switchOn')}
                    </button>
                    {f.inUse === 0 && (
                      <button
                        type="button"
                        aria-label={t('admin.deleteNamed', { name: `${f.institution} ${f.key}` })}
                        onClick={() =>
                          window.confirm(t('admin.fields.confirmDelete', { key: f.key })) &&
                          void act(() => api('DELETE', `/v1/admin/custom-fields/${f.id}`))
                        }
                      >
                        {t('admin.delete')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <CustomFieldForm institutions={institutions} onDone={load} />
    </>
  );
}

function CustomFieldForm({ institutions, onDone }: { institutions: Institution[]; onDone: () => Promise<void> }) {
  const { t } = useI18n();
  const [institution, setInstitution] = useState('');
  const [key, setKey] = useState('');
  const [labelLv, setLabelLv] = useState('');
  const [labelEn, setLabelEn] = useState('');
  const [type, setType] = useState<string>('text');
  const [choices, setChoices] = useState('');
  const [required, setRequired] = useState(false);
  const form = useAdminSubmit('field-new', { paths: true });
  const { described, fieldError } = form;
  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = {
      institution,
      key: key.trim(),
      labels: { lv: labelLv.trim(), en: labelEn.trim() },
      type,
      required,
      ...(type === 'choice'
        ? {
            choices: choices
              .split('\n')
              .map((c) => c.trim())
              .filter(Boolean),
          }
        : {}),
    };
    const done = await form.run(() => api('POST', '/v1/admin/custom-fields', body), t('admin.fields.added'));
    if (done === undefined) return;
    setKey('');
    setLabelLv('');
    setLabelEn('');
    setChoices('');
    setRequired(false);
    await onDone();
  }
  // A refusal of one choice (choices[2]) is shown at the list.
  const choicesError = Object.keys(form.errors).find((f) => f.startsWith('choices'));
  return (
    <form className="card admin-form" aria-labelledby="field-new-heading" onSubmit={(e) => void submit(e)} noValidate>
      <h2 id="field-new-heading">{t('admin.fields.newHeading')}</h2>
      <div className="grid">
        <SelectField
          id="field-new-institution"
          label={t('admin.institution')}
          value={institution}
          onChange={setInstitution}
          options={institutions.map((i) => ({ value: i.code, label: i.code }))}
          any={t('admin.choose')}
          form={form}
          field="institution"
        />
        <div className="field">
          <label htmlFor="field-new-key">{t('admin.fields.key')}</label>
          <input
            id="field-new-key"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            aria-describedby={`field-new-key-hint${form.errors.key ? ' field-new-key-error' : ''}`}
            aria-invalid={form.errors.key ? true : undefined}
          />
          <p className="hint" id="field-new-key-hint">
            {t('admin.fields.keyHint')}
          </p>
          {fieldError('key')}
        </div>
        <div className="field">
          <label htmlFor="field-new-labels.lv">{t('admin.fields.labelLv')}</label>
          <input id="field-new-labels.lv" value={labelLv} onChange={(e) => setLabelLv(e.target.value)} {...described('labels.lv')} />
          {fieldError('labels.lv')}
        </div>
        <div className="field">
          <label htmlFor="field-new-labels.en">{t('admin.fields.labelEn')}</label>
          <input id="field-new-labels.en" value={labelEn} onChange={(e) => setLabelEn(e.target.value)} {...described('labels.en')} />
          {fieldError('labels.en')}
        </div>
        <SelectField
          id="field-new-type"
          label={t('admin.fields.type')}
          value={type}
          onChange={setType}
          options={TYPES.map((v) => ({ value: v, label: t(`admin.fields.type.${v}` as MessageKey) }))}
          form={form}
          field="type"
        />
        {type === 'choice' && (
          <div className="field">
            <label htmlFor="field-new-choices">{t('admin.fields.choicesOnePerLine')}</label>
            <textarea
              id="field-new-choices"
              rows={4}
              value={choices}
              onChange={(e) => setChoices(e.target.value)}
              aria-invalid={choicesError ? true : undefined}
              aria-describedby={choicesError ? `field-new-${choicesError}-error` : undefined}
            />
            {choicesError && fieldError(choicesError)}
          </div>
        )}
      </div>
      <label className="check">
        <input type="checkbox" checked={required} onChange={(e) => setRequired(e.target.checked)} /> {t('customFields.required')}
      </label>
      <button type="submit" className="primary">
        {t('admin.fields.add')}
      </button>
      <Outcome status={form.status} error={form.error} />
    </form>
  );
}

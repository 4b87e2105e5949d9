import { useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/lv';
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
import { AdminList, useAdminData } from './admin-list';

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
  const { data: fields, error, reload, act } = useAdminData(readFields);
  const institutions = useInstitutions();
  return (
    <>
      <AdminList
        id="custom-fields-admin"
        heading={t('admin.fields.heading')}
        hint={t('admin.fields.hint')}
        error={error}
        items={fields}
        empty={t('admin.fields.none')}
        rowKey={(f) => f.id}
        rowData={(f) => ({ 'data-field': f.key })}
        columns={[
          { label: t('admin.institution'), cell: (f) => f.institution },
          { label: t('admin.fields.key'), cell: (f) => f.key, header: true },
          { label: t('admin.fields.label'), cell: (f) => f.labels[lang] },
          { label: t('admin.fields.type'), cell: (f) => t(`admin.fields.type.${f.type}` as MessageKey) },
          { label: t('admin.fields.choices'), cell: (f) => f.choices.join(', ') || '—' },
          { label: t('admin.fields.required'), cell: (f) => (f.required ? t('admin.yes') : t('admin.no')) },
          { label: t('admin.rules.active'), cell: (f) => (f.active ? t('admin.yes') : t('admin.no')) },
          { label: t('admin.fields.inUse'), cell: (f) => f.inUse, className: 'num' },
        ]}
        actions={(f) => (
          <>
            <button type="button" onClick={() => void act(() => api('PATCH', `/v1/admin/custom-fields/${f.id}`, { active: !f.active }))}>
              {f.active ? t('admin.fields.switchOff') : t('admin.fields.switchOn')}
            </button>
            {f.inUse === 0 && (
              <DeleteButton
                name={`${f.institution} ${f.key}`}
                confirm={t('admin.fields.confirmDelete', { key: f.key })}
                onDelete={() => act(() => api('DELETE', `/v1/admin/custom-fields/${f.id}`))}
              />
            )}
          </>
        )}
      />
      <CustomFieldForm institutions={institutions} onDone={reload} />
    </>
  );
}

const readFields = async () => (await api<{ items: CustomField[] }>('GET', '/v1/admin/custom-fields')).items;

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
  async function submit() {
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
    <AdminForm form={form} heading={t('admin.fields.newHeading')} submitLabel={t('admin.fields.add')} onSubmit={submit}>
      <div className="grid">
        <InstitutionSelect form={form} value={institution} onChange={setInstitution} any={t('admin.choose')} institutions={institutions} />
        <TextField form={form} field="key" label={t('admin.fields.key')} hint={t('admin.fields.keyHint')} value={key} onChange={setKey} />
        <TextField form={form} field="labels.lv" label={t('admin.fields.labelLv')} value={labelLv} onChange={setLabelLv} />
        <TextField form={form} field="labels.en" label={t('admin.fields.labelEn')} value={labelEn} onChange={setLabelEn} />
        <SelectField
          form={form}
          field="type"
          label={t('admin.fields.type')}
          value={type}
          onChange={setType}
          options={TYPES.map((v) => ({ value: v, label: t(`admin.fields.type.${v}` as MessageKey) }))}
        />
        {type === 'choice' && (
          <TextField
            form={form}
            id="field-new-choices"
            field={choicesError ?? 'choices'}
            rows={4}
            label={t('admin.fields.choicesOnePerLine')}
            value={choices}
            onChange={setChoices}
          />
        )}
      </div>
      <CheckField label={t('admin.fields.required')} checked={required} onChange={setRequired} />
    </AdminForm>
  );
}

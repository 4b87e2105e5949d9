import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/i18n';
import type { Profile } from '../lib/session';
import { api } from '../lib/session';
import { formatNumber, parseNumber } from '../lib/numbers';
import type { TicketDetail } from '../lib/tickets';
import { lv, type MessageKey } from '../i18n/lv';
import { SelectField, useAdminSubmit } from './admin/admin-forms';
import { Outcome, type FieldProblem } from './forms';

export interface TicketCustomField {
  key: string;
  labels: { lv: string; en: string };
  type: 'text' | 'number' | 'date' | 'choice';
  choices: string[];
  required: boolean;
  active: boolean;
  value: string | number | null;
}

const EDITORS = ['operator', 'specialist', 'expert', 'supervisor'];

/** The console's own words for a refusal of a field's value (the codes of libs/custom-fields), if it has them. */
const problemMessage = (code: string): MessageKey | null => {
  const key = `customFields.problem.${code}`;
  return key in lv ? (key as MessageKey) : null;
};

/**
 * The ticket's institution's own fields ("Papildu lauki"), shown and set as one form: the API checks each value
 * and its refusals are shown at their fields. Nothing is shown for an institution without fields.
 */
export function CustomFieldsPanel({
  ticket,
  me,
  onChanged,
  onFields,
}: {
  ticket: TicketDetail;
  me: Profile;
  onChanged: () => Promise<void>;
  /** The fields as read, for the ticket's timeline to name them by their labels. */
  onFields?: (fields: TicketCustomField[]) => void;
}) {
  const { t, lang } = useI18n();
  const [fields, setFields] = useState<TicketCustomField[] | null>(null);
  const [draft, setDraft] = useState<Record<string, string>>({});
  // The API words its refusals in English with the field's key, for every client; here they are said in the
  // person's language, under the field's own label.
  const translate = (problem: FieldProblem): string | null => {
    const field = fields?.find((f) => `values.${f.key}` === problem.field);
    const key = problemMessage(problem.code);
    return field && key ? t(key, { choices: field.choices.join(', ') }) : null;
  };
  const form = useAdminSubmit('custom-fields', { paths: true, translate });
  const path = `/v1/tickets/${encodeURIComponent(ticket.reference)}/custom-fields`;
  // Keys the person has typed in since the last save: a re-read never overwrites them, or the ticket changing
  // elsewhere (routing, a reply, the SLA) would wipe what they are typing.
  const edited = useRef(new Set<string>());
  const shownValue = useCallback(
    (f: TicketCustomField) => (f.value === null ? '' : typeof f.value === 'number' ? formatNumber(f.value, lang) : f.value),
    [lang],
  );
  const show = useCallback(
    (list: TicketCustomField[]) => {
      setFields(list);
      onFields?.(list);
      setDraft((current) =>
        Object.fromEntries(list.map((f) => [f.key, edited.current.has(f.key) ? (current[f.key] ?? '') : shownValue(f)])),
      );
    },
    [onFields, shownValue],
  );
  const edit = (key: string, value: string) => {
    edited.current.add(key);
    setDraft((current) => ({ ...current, [key]: value }));
  };
  // Read again whenever the ticket changed (someone else may have set them).
  useEffect(() => {
    void api<{ fields: TicketCustomField[] }>('GET', path).then(
      (r) => show(r.fields),
      () => setFields([]),
    );
  }, [path, ticket.updatedAt, show]);

  if (!fields || fields.length === 0) return null;
  const editable = me.roles.some((r) => EDITORS.includes(r));
  const valueOf = (f: TicketCustomField): string | number | null => {
    const raw = (draft[f.key] ?? '').trim();
    if (raw === '') return null;
    // What the person typed goes as it is when it is not a number: the API refuses it at the field.
    return f.type === 'number' ? (parseNumber(raw) ?? raw) : raw;
  };
  async function submit(e: FormEvent) {
    e.preventDefault();
    const values = Object.fromEntries(fields!.filter((f) => f.active).map((f) => [f.key, valueOf(f)]));
    const saved = await form.run(() => api<{ fields: TicketCustomField[] }>('PUT', path, { values }), t('customFields.saved'));
    if (!saved) return;
    edited.current.clear();
    show(saved.fields);
    await onChanged();
  }
  const id = (key: string) => `custom-field-${key}`;
  return (
    <form className="card admin-form" aria-labelledby="custom-fields-heading" onSubmit={(e) => void submit(e)} noValidate>
      <h2 id="custom-fields-heading">{t('customFields.heading')}</h2>
      {fields.map((f) => {
        const label = `${f.labels[lang]}${f.required ? ` (${t('customFields.required')})` : ''}`;
        const field = `values.${f.key}`;
        const disabled = !editable || !f.active;
        if (f.type === 'choice') {
          const options = [...f.choices, ...(draft[f.key] && !f.choices.includes(draft[f.key]) ? [draft[f.key]] : [])].map((c) => ({
            value: c,
            label: c,
          }));
          return disabled ? (
            <ReadOnly key={f.key} id={id(f.key)} label={label} value={draft[f.key]} off={!f.active} />
          ) : (
            <SelectField
              key={f.key}
              id={id(f.key)}
              label={label}
              value={draft[f.key] ?? ''}
              onChange={(v) => edit(f.key, v)}
              options={options}
              any={t('customFields.none')}
              form={form}
              field={field}
            />
          );
        }
        if (disabled) return <ReadOnly key={f.key} id={id(f.key)} label={label} value={draft[f.key]} off={!f.active} />;
        return (
          <div className="field" key={f.key}>
            <label htmlFor={id(f.key)}>{label}</label>
            <input
              id={id(f.key)}
              type={f.type === 'date' ? 'date' : 'text'}
              inputMode={f.type === 'number' ? 'decimal' : undefined}
              value={draft[f.key] ?? ''}
              onChange={(e) => edit(f.key, e.target.value)}
              {...form.described(field)}
            />
            {form.fieldError(field)}
          </div>
        );
      })}
      {editable && (
        <button type="submit" className="primary">
          {t('customFields.save')}
        </button>
      )}
      <Outcome status={form.status} error={form.error} />
    </form>
  );

  function ReadOnly({ id, label, value, off }: { id: string; label: string; value: string | undefined; off: boolean }) {
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <input id={id} type="text" value={value || '—'} readOnly aria-describedby={off ? `${id}-off` : undefined} />
        {off && (
          <p className="hint" id={`${id}-off`}>
            {t('customFields.inactive')}
          </p>
        )}
      </div>
    );
  }
}

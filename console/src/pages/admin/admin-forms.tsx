import { useState } from 'react';
import { useI18n } from '../../i18n/i18n';
import { detailOf, fieldErrorProps, fieldErrors, type FieldErrors } from '../forms';

/**
 * One admin form's submission: the API's field-level errors go to their fields (a field the form has no control
 * for, such as `capacity.chat`, to its nearest one by its first part), anything else to the form's alert.
 */
export function useAdminSubmit(prefix: string, options: { paths?: boolean } = {}) {
  const { t } = useI18n();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function run<T>(call: () => Promise<T>, done: string): Promise<T | undefined> {
    setErrors({});
    setError(null);
    setStatus(null);
    try {
      const result = await call();
      setStatus(done);
      return result;
    } catch (e) {
      const fields: FieldErrors = {};
      for (const [field, message] of Object.entries(fieldErrors(e))) {
        // With `paths`, a form that has a control per part (hours.mon) keeps the whole path.
        const key = options.paths ? field : field.split(/[.[]/)[0];
        fields[key] = fields[key] ? `${fields[key]}; ${message}` : message;
      }
      setErrors(fields);
      if (Object.keys(fields).length === 0) setError(t('action.failed', { detail: detailOf(e) }));
      return undefined;
    }
  }
  return { ...fieldErrorProps(prefix, errors), errors, status, error, run, reset: () => (setErrors({}), setStatus(null), setError(null)) };
}

/** A set of checkboxes for a list value (roles, languages, institutions), with the field's error tied to the group. */
export function CheckboxGroup({
  id,
  legend,
  options,
  value,
  onChange,
  error,
}: {
  id: string;
  legend: string;
  options: Array<{ value: string; label: string }>;
  value: string[];
  onChange: (next: string[]) => void;
  error?: React.ReactNode;
}) {
  return (
    <fieldset className="checks" id={id} aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o.value} className="check">
          <input
            type="checkbox"
            checked={value.includes(o.value)}
            onChange={(e) => onChange(e.target.checked ? [...value, o.value] : value.filter((v) => v !== o.value))}
          />{' '}
          {o.label}
        </label>
      ))}
      {error}
    </fieldset>
  );
}

/** A labelled select of a form, with "any" (an empty value) first when `any` is given, and the field's error. */
export function SelectField({
  id,
  label,
  value,
  onChange,
  options,
  any,
  form,
  field,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (next: string) => void;
  options: Array<{ value: string; label: string }>;
  any?: string;
  form: Pick<ReturnType<typeof useAdminSubmit>, 'described' | 'fieldError'>;
  field: string;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} {...form.described(field)}>
        {any !== undefined && <option value="">{any}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {form.fieldError(field)}
    </div>
  );
}

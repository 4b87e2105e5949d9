import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { useI18n } from '../../i18n/i18n';
import { api } from '../../lib/session';
import type { Institution } from '../../lib/tickets';
import { detailOf, fieldErrorProps, fieldErrors, Outcome, type FieldErrors, type FieldProblem } from '../forms';

/**
 * One admin form's submission: the API's field-level errors go to their fields (a field the form has no control
 * for, such as `capacity.chat`, to its nearest one by its first part), anything else to the form's alert.
 */
export function useAdminSubmit(prefix: string, options: { paths?: boolean; translate?: (problem: FieldProblem) => string | null } = {}) {
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
      for (const [field, message] of Object.entries(fieldErrors(e, options.translate))) {
        // With `paths`, a form that has a control per part (hours.mon) keeps the whole path.
        const key = options.paths ? field : field.split(/[.[]/)[0];
        fields[key] = fields[key] ? `${fields[key]}; ${message}` : message;
      }
      setErrors(fields);
      if (Object.keys(fields).length === 0) setError(t('action.failed', { detail: detailOf(e) }));
      return undefined;
    }
  }
  /** Like `described`, for a control that also has a hint: the hint is read first, then the field's error. */
  const describedWithHint = (field: string, hintId: string) => ({
    'aria-describedby': errors[field] ? `${hintId} ${prefix}-${field}-error` : hintId,
    'aria-invalid': errors[field] ? true : undefined,
  });
  return {
    ...fieldErrorProps(prefix, errors),
    describedWithHint,
    prefix,
    errors,
    status,
    error,
    run,
    reset: () => (setErrors({}), setStatus(null), setError(null)),
  };
}

export type AdminSubmit = ReturnType<typeof useAdminSubmit>;
/** What a field needs of its form: where its error goes and how its control is tied to it. */
export type FieldForm = Pick<AdminSubmit, 'prefix' | 'described' | 'describedWithHint' | 'fieldError'>;

/**
 * An admin form: its heading names it (`getByRole('form', { name })`), the fields, then save, and for an edit form
 * cancel (also Escape) and delete after a confirmation. An edit form takes the focus when it opens, so a keyboard
 * user who chose "Edit" in the list is at its first field.
 */
export function AdminForm({
  form,
  heading,
  level = 2,
  card = true,
  submitLabel,
  primary = true,
  onSubmit,
  onCancel,
  onDelete,
  focusOnOpen = false,
  children,
}: {
  form: AdminSubmit;
  heading: string;
  level?: 2 | 3 | 4;
  /** A form of its own on the page (a card), or one inside a card. */
  card?: boolean;
  submitLabel: string;
  primary?: boolean;
  onSubmit: () => Promise<void>;
  onCancel?: () => void;
  onDelete?: { name: string; confirm: string; run: () => Promise<void> };
  focusOnOpen?: boolean;
  children: ReactNode;
}) {
  const { t } = useI18n();
  const ref = useRef<HTMLFormElement>(null);
  const Heading = `h${level}` as const;
  useEffect(() => {
    if (focusOnOpen) ref.current?.querySelector<HTMLElement>('input, select, textarea')?.focus();
  }, [focusOnOpen]);
  function submit(e: FormEvent) {
    e.preventDefault();
    void onSubmit();
  }
  function keyDown(e: KeyboardEvent) {
    if (e.key === 'Escape' && onCancel) {
      e.preventDefault();
      onCancel();
    }
  }
  return (
    <form
      ref={ref}
      className={card ? 'card admin-form' : 'admin-form'}
      aria-labelledby={`${form.prefix}-heading`}
      onSubmit={submit}
      onKeyDown={keyDown}
      noValidate
    >
      <Heading id={`${form.prefix}-heading`}>{heading}</Heading>
      {children}
      <div className="buttons">
        <button type="submit" className={primary ? 'primary' : undefined}>
          {submitLabel}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            {t('admin.close')}
          </button>
        )}
        {onDelete && <DeleteButton name={onDelete.name} confirm={onDelete.confirm} onDelete={onDelete.run} />}
      </div>
      <Outcome status={form.status} error={form.error} />
    </form>
  );
}

/** "Delete", named for a screen reader ("Delete vid"), which asks before it does anything. */
export function DeleteButton({
  name,
  confirm,
  onDelete,
  label,
}: {
  name: string;
  /** The question asked first; without it nothing is deleted unless the person agrees. */
  confirm: string;
  onDelete: () => Promise<void> | void;
  /** The accessible name, where "Delete {name}" would not say enough ("Delete rule 10"). */
  label?: string;
}) {
  const { t } = useI18n();
  return (
    <button
      type="button"
      aria-label={label ?? t('admin.deleteNamed', { name })}
      onClick={() => {
        if (window.confirm(confirm)) void onDelete();
      }}
    >
      {t('admin.delete')}
    </button>
  );
}

/** A labelled text input (or a text area, with `rows`) of a form, with its hint and its field's error tied to it. */
export function TextField({
  form,
  field,
  label,
  value,
  onChange,
  id = `${form.prefix}-${field}`,
  hint,
  rows,
  type = 'text',
  inputMode,
  placeholder,
  autoComplete,
  size,
  maxLength,
  className,
}: {
  form: FieldForm;
  /** The API's name of the field: its errors are shown here. */
  field: string;
  label: string;
  value: string;
  onChange: (next: string) => void;
  id?: string;
  hint?: string;
  rows?: number;
  type?: string;
  inputMode?: 'numeric' | 'text';
  placeholder?: string;
  autoComplete?: string;
  size?: number;
  maxLength?: number;
  className?: string;
}) {
  const aria = hint ? form.describedWithHint(field, `${id}-hint`) : form.described(field);
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label htmlFor={id}>{label}</label>
      {rows ? (
        <textarea id={id} rows={rows} value={value} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} {...aria} />
      ) : (
        <input
          id={id}
          type={type}
          inputMode={inputMode}
          value={value}
          placeholder={placeholder}
          autoComplete={autoComplete}
          size={size}
          maxLength={maxLength}
          onChange={(e) => onChange(e.target.value)}
          {...aria}
        />
      )}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {form.fieldError(field)}
    </div>
  );
}

/** A yes/no of a form: the box and its words in one label. */
export function CheckField({ label, checked, onChange }: { label: string; checked: boolean; onChange: (next: boolean) => void }) {
  return (
    <label className="check">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} /> {label}
    </label>
  );
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
  form,
  field,
  id = `${form.prefix}-${field}`,
  label,
  value,
  onChange,
  options,
  any,
}: {
  id?: string;
  label: string;
  value: string;
  onChange: (next: string) => void;
  options: Array<{ value: string; label: string }>;
  any?: string;
  form: FieldForm;
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

/** The institutions, read once when the screen opens: empty until they come, and empty if the read fails. */
export function useInstitutions(): Institution[] {
  const [institutions, setInstitutions] = useState<Institution[]>([]);
  useEffect(() => {
    void api<Institution[]>('GET', '/v1/institutions').then(setInstitutions, () => undefined);
  }, []);
  return institutions;
}

/**
 * An institution of a form, each by its code and its name in the console's language. `any` names what the empty
 * choice means on this screen (every institution, the whole centre, inherited from above, or "choose").
 */
export function InstitutionSelect({
  form,
  field = 'institution',
  id,
  label,
  value,
  onChange,
  institutions,
  any,
}: {
  form: FieldForm;
  field?: string;
  id?: string;
  label?: string;
  value: string;
  onChange: (next: string) => void;
  institutions: Institution[];
  any: string;
}) {
  const { t, lang } = useI18n();
  return (
    <SelectField
      form={form}
      field={field}
      id={id}
      label={label ?? t('admin.institution')}
      value={value}
      onChange={onChange}
      any={any}
      options={institutions.map((i) => ({ value: i.code, label: institutionLabel(i, lang) }))}
    />
  );
}

/** An institution as staff know it: its code and its name in the console's language. */
export const institutionLabel = (i: Institution, lang: string) => `${i.code} – ${lang === 'lv' ? i.nameLv : i.nameEn}`;

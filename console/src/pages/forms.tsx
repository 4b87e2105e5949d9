import { ApiError } from '../lib/session';

/** The API's field-level errors (problem+json `errors`) by field, to show each at its own control. */
export type FieldErrors = Record<string, string>;

/** One refusal of the API at a field: `code` says which rule, `message` says it in English for any client. */
export type FieldProblem = { field: string; code: string; message: string };

/**
 * The API's field-level errors by field. `translate` words a refusal in the person's language when the form knows
 * it (its code and the field's label); otherwise the API's own message is shown.
 */
export function fieldErrors(e: unknown, translate?: (problem: FieldProblem) => string | null): FieldErrors {
  if (!(e instanceof ApiError) || !e.problem.errors) return {};
  return Object.fromEntries(e.problem.errors.map((f) => [f.field, translate?.(f) ?? f.message]));
}

export const detailOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The attributes that tie a control to its error message, and the message itself, for a form's id prefix. */
export function fieldErrorProps(prefix: string, errors: FieldErrors) {
  return {
    described: (field: string) => (errors[field] ? { 'aria-invalid': true, 'aria-describedby': `${prefix}-${field}-error` } : {}),
    fieldError: (field: string) =>
      errors[field] && (
        <p className="field-error" id={`${prefix}-${field}-error`}>
          {errors[field]}
        </p>
      ),
  };
}

export function Outcome({ status, error }: { status: string | null; error: string | null }) {
  return (
    <>
      <p className="status" role="status">
        {status}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

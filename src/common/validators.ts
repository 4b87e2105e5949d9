import { isValidPersonalCode } from '@lib/personal-code';
import { Matches, ValidateBy, ValidationOptions } from 'class-validator';

/** Personas kods by its real rules (old form: date, century and check digit; new form: 32–39…). */
export function IsPersonalCode(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'personalCode',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isValidPersonalCode(value),
        defaultMessage: () => 'personalCode is not a valid Latvian personal code (checksum, date or form is wrong)',
      },
    },
    options,
  );
}

export const IsE164Phone = (): PropertyDecorator =>
  Matches(/^\+[1-9]\d{6,14}$/, { message: 'phone must be in E.164 form, e.g. +37120000000' });

export const IsInstitutionCode = (): PropertyDecorator =>
  Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: 'institution must be an institution code such as VSAA' });

/**
 * Standard base64 (A-Z a-z 0-9 + /, padded to whole quanta). Checked by a plain loop: a regular expression over a
 * file of many megabytes can exhaust the regex engine's stack and answer 500 instead of the 4xx the file deserves.
 */
export function isBase64(value: string): boolean {
  if (value.length % 4 !== 0) return false;
  const padding = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
  for (let i = 0; i < value.length - padding; i++) {
    const c = value.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    if (!ok) return false;
  }
  return true;
}

export function IsBase64Content(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      // The same code as class-validator's IsBase64, which clients of the API already know.
      name: 'isBase64',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isBase64(value),
        defaultMessage: (args) => `${args?.property ?? 'content'} must be base64 encoded`,
      },
    },
    options,
  );
}

/** The Idempotency-Key header's form, checked where a mutation accepts one; null when absent or fine. */
export function idempotencyKeyProblem(key: string | undefined): { field: string; code: string; message: string } | null {
  if (key === undefined || /^[A-Za-z0-9._:-]{1,128}$/.test(key)) return null;
  return { field: 'Idempotency-Key', code: 'invalid', message: 'Idempotency-Key must be 1-128 letters, digits, . _ : -' };
}

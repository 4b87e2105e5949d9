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

/** The Idempotency-Key header's form, checked where a mutation accepts one; null when absent or fine. */
export function idempotencyKeyProblem(key: string | undefined): { field: string; code: string; message: string } | null {
  if (key === undefined || /^[A-Za-z0-9._:-]{1,128}$/.test(key)) return null;
  return { field: 'Idempotency-Key', code: 'invalid', message: 'Idempotency-Key must be 1-128 letters, digits, . _ : -' };
}

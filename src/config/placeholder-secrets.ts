import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * The secrets .env.example ships with. They are public (the file is in the repository), so a service running with
 * one of them is as open as one running with a short secret. The unit test keeps this list equal to the file.
 */
export const EXAMPLE_PLACEHOLDERS: Readonly<Record<string, string>> = {
  WEBFORM_SECRET: 'change-me-to-a-long-random-secret-0123456789',
  JWT_SECRET: 'change-me-to-another-long-random-secret-987654',
  ADMIN_PASSWORD: 'change-me-to-a-long-passphrase',
  DATA_ENCRYPTION_KEY: '0000000000000000000000000000000000000000000000000000000000000000',
};

/** Every example value starts so; a value copied from an older .env.example is just as public. */
const PLACEHOLDER_PREFIX = /^change[-_ ]?me/i;

export function isPlaceholderSecret(value: unknown): boolean {
  return typeof value === 'string' && (Object.values(EXAMPLE_PLACEHOLDERS).includes(value) || PLACEHOLDER_PREFIX.test(value));
}

/** Refuses a placeholder secret unless APP_ENV says this is not a production installation. */
export function NotPlaceholderInProduction(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'notPlaceholderInProduction',
      validator: {
        validate: (value, args) => (args?.object as { APP_ENV?: string }).APP_ENV !== 'production' || !isPlaceholderSecret(value),
        defaultMessage: (args) =>
          `${args?.property} still holds the published placeholder from .env.example; set a secret of your own (or APP_ENV=development on a developer's machine)`,
      },
    },
    options,
  );
}

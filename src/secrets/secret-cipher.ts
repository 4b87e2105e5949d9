import { Injectable } from '@nestjs/common';
import { decryptSecret, encryptSecret, isEncryptedSecret, parseSecretKey, SecretKey, secretKeyIdOf } from '@lib/secret-box';
import { AppConfig } from '../config/app-config';

/** The columns that hold secrets, each with its table's key and the context its ciphertext is bound to. */
export const SECRET_COLUMNS = [
  { table: 'mailboxes', key: 'id', column: 'password', context: 'mailboxes.password' },
  { table: 'webhook_subscriptions', key: 'id', column: 'secret', context: 'webhook_subscriptions.secret' },
  { table: 'agent_totp', key: 'agent_id', column: 'secret', context: 'agent_totp.secret' },
] as const;

export type SecretContext = (typeof SECRET_COLUMNS)[number]['context'];

/**
 * Seals secrets under DATA_ENCRYPTION_KEY and opens them under it or, during a rotation,
 * DATA_ENCRYPTION_KEY_PREVIOUS. A value still in plaintext (written before encryption existed, until the start-up
 * pass has sealed it) is read as it is.
 */
@Injectable()
export class SecretCipher {
  readonly current: SecretKey;
  private readonly keys: SecretKey[];

  constructor(config: AppConfig) {
    this.current = parseSecretKey(config.DATA_ENCRYPTION_KEY)!;
    const previous = config.DATA_ENCRYPTION_KEY_PREVIOUS ? parseSecretKey(config.DATA_ENCRYPTION_KEY_PREVIOUS) : null;
    this.keys = previous ? [this.current, previous] : [this.current];
  }

  seal(plain: string, context: SecretContext): string {
    return encryptSecret(plain, this.current, context);
  }

  open(stored: string, context: SecretContext): string {
    return isEncryptedSecret(stored) ? decryptSecret(stored, this.keys, context) : stored;
  }

  /** Whether a stored value should be rewritten: plaintext, or under a key other than the current one. */
  needsSealing(stored: string): boolean {
    return secretKeyIdOf(stored) !== this.current.id;
  }
}

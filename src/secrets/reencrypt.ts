import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions } from '../database/database-options';
import { SecretCipher } from './secret-cipher';
import { SecretsAtRestService } from './secrets-at-rest.service';

/** What `npm run secrets:reencrypt` does: returns its exit code, writing its report line by line. */
export async function reencryptSecrets(config: AppConfig, write: (line: string) => void): Promise<number> {
  const dataSource = await new DataSource(dataSourceOptions(config)).initialize();
  try {
    const cipher = new SecretCipher(config);
    const reports = await new SecretsAtRestService(dataSource, cipher).resealAll();
    for (const r of reports) {
      write(
        `${r.table}.${r.column}: ${r.sealed} re-encrypted under key ${cipher.current.id}${r.unreadable ? `, ${r.unreadable} opened under no configured key (enter them again)` : ''}`,
      );
    }
    const unreadable = reports.reduce((n, r) => n + r.unreadable, 0);
    if (unreadable === 0 && config.DATA_ENCRYPTION_KEY_PREVIOUS) {
      write('Every stored secret is under DATA_ENCRYPTION_KEY now: DATA_ENCRYPTION_KEY_PREVIOUS may be removed.');
    }
    return unreadable === 0 ? 0 : 1;
  } finally {
    await dataSource.destroy();
  }
}

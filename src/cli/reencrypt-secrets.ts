/**
 * Re-encrypts every secret stored in PostgreSQL (mailbox passwords, webhook signing secrets) under
 * DATA_ENCRYPTION_KEY: after a key rotation those under DATA_ENCRYPTION_KEY_PREVIOUS, and any still in plaintext.
 * Safe beside a running service and to run again. Exits 1 if a value opens under neither key.
 * Usage: npm run secrets:reencrypt, or in production node dist/src/cli/reencrypt-secrets.js (same environment as
 * the service).
 */
import { loadConfig } from '../config/app-config';
import { reencryptSecrets } from '../secrets/reencrypt';

reencryptSecrets(loadConfig(), (line) => process.stdout.write(`${line}\n`)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  },
);

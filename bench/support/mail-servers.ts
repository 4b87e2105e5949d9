/**
 * The e2e tests' mail servers (scripts/mail-servers.sh, test/support/mail-servers.ts) for the benchmarks that send
 * e-mail: one OpenSMTPD and one Dovecot per machine, started when not running, shared by everyone.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import { join } from 'node:path';

export const MAIL = {
  // From dist/bench/support/ to the project's scripts/.
  script: join(__dirname, '..', '..', '..', 'scripts', 'mail-servers.sh'),
  dir: process.env.BENCH_MAIL_DIR ?? join(os.tmpdir(), 'vpppd-mail-test'),
  host: '127.0.0.1',
  imapPort: Number(process.env.TEST_IMAP_PORT || 1143),
  smtpPort: Number(process.env.TEST_SMTP_PORT || 2525),
  lmtpPort: Number(process.env.TEST_LMTP_PORT || 2424),
  password: 'secret', // the static passdb of scripts/mail-servers.sh
  domain: 'vpppd.test',
};

export function ensureMailServers(): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = ['ensure', MAIL.dir, String(MAIL.imapPort), String(MAIL.smtpPort), String(MAIL.lmtpPort)];
    execFile(
      'bash',
      [MAIL.script, ...args],
      { timeout: 10 * 60_000, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve();
        const output = `${stdout}${stderr}`.trim().split('\n').slice(-3).join(' / ');
        reject(
          new Error(`scripts/mail-servers.sh ensure ${error.killed ? 'did not finish in 10 min' : 'failed'}${output ? `: ${output}` : ''}`),
        );
      },
    );
  });
}

#!/usr/bin/env bash
# The whole test suite, as `npm test` runs it: format check, lint, type check, unit tests, then the e2e tests
# against real PostgreSQL and Redis. Stops at the first failure and exits with its status.
#
#   TEST_DATABASE_URL  PostgreSQL for the e2e tests (default postgres://postgres@127.0.0.1:5432/test)
#   TEST_REDIS_URL     Redis for the e2e tests      (default redis://127.0.0.1:6379)
#   E2E_WORKERS        run the e2e files with this many jest workers instead of one after another
#                      (each file uses its own schema and Redis prefix, so they may run in parallel)
#
# `bash scripts/services.sh` installs and starts PostgreSQL and Redis on a Debian machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379}"

if [ ! -d node_modules ]; then
  echo "test: node_modules is missing; run 'npm ci' first." >&2
  exit 1
fi

step() { printf '\n==> %s\n' "$*"; }

step "format check (npm run format:check; 'npm run format' rewrites the files it names)"
npm run --silent format:check

step "lint (npm run lint: ESLint with typescript-eslint's type-checked rules)"
npm run --silent lint
echo "lint passed"

step "type check (npm run typecheck)"
npm run --silent typecheck
echo "type check passed"

step "chat widget build (npm run build:widget; the service serves widget/dist)"
npm run --silent build:widget

step "unit tests (jest --selectProjects unit)"
npx jest --selectProjects unit

step "checking the e2e services"
# A tiny client check with the project's own drivers: it proves the exact URLs work (address, credentials,
# database), which pg_isready / redis-cli ping alone would not.
node - <<'EOF'
const { Client } = require('pg');
const { Redis } = require('ioredis');

const mask = (url) => url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
const withTimeout = (promise, ms, what) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms))]);

async function checkPostgres(url) {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await withTimeout(client.connect(), 6000, 'connect');
    await withTimeout(client.query('SELECT 1'), 5000, 'SELECT 1');
    return null;
  } catch (e) {
    const hint =
      e.code === '3D000' ? 'the database does not exist'
      : e.code === '28P01' || e.code === '28000' ? 'authentication failed'
      : e.code === 'ECONNREFUSED' ? 'nothing listens there'
      : 'it does not answer';
    return `PostgreSQL at ${mask(url)}: ${hint} (${e.code ? e.code + ': ' : ''}${e.message})`;
  } finally {
    client.end().catch(() => undefined);
  }
}

async function checkRedis(url) {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: 5000 });
  let lastError;
  redis.on('error', (e) => (lastError = e));
  try {
    await withTimeout(redis.connect(), 6000, 'connect');
    const pong = await withTimeout(redis.ping(), 5000, 'PING');
    return pong === 'PONG' ? null : `Redis at ${mask(url)}: PING answered ${pong}`;
  } catch (caught) {
    const e = lastError ?? caught; // the socket error says more than "Connection is closed."
    const hint = e.code === 'ECONNREFUSED' ? 'nothing listens there' : 'it does not answer';
    return `Redis at ${mask(url)}: ${hint} (${e.message})`;
  } finally {
    redis.disconnect();
  }
}

(async () => {
  const problems = (await Promise.all([checkPostgres(process.env.TEST_DATABASE_URL), checkRedis(process.env.TEST_REDIS_URL)])).filter(Boolean);
  if (problems.length === 0) {
    console.log(`PostgreSQL (${mask(process.env.TEST_DATABASE_URL)}) and Redis (${mask(process.env.TEST_REDIS_URL)}) answer`);
    process.exit(0);
  }
  console.error('The e2e tests need PostgreSQL and Redis, and these are not usable:');
  for (const p of problems) console.error(`  - ${p}`);
  console.error('Start them (installing them if needed, on Debian/Ubuntu) with:  bash scripts/services.sh');
  console.error('or point TEST_DATABASE_URL / TEST_REDIS_URL at a PostgreSQL and a Redis you have.');
  process.exit(1);
})();
EOF

# The e-mail tests talk to a real IMAP server (Dovecot) and a real SMTP server (OpenSMTPD); the tests start
# them on loopback ports, but installing the packages belongs here, where a slow mirror cannot time a test out.
step "mail servers for the e-mail tests (scripts/mail-servers.sh install)"
bash scripts/mail-servers.sh install

# The malware-scanning tests start their own clamd (ClamAV) with a local EICAR signature; installed here too.
step "ClamAV's clamd for the scanning tests (scripts/clamd.sh install)"
bash scripts/clamd.sh install

# The console's and the chat widget's browser tests drive Debian's chromium with playwright-core, which never
# downloads a browser; installed here for the same reason as the mail servers.
step "browser for the console and widget tests (scripts/browser.sh install)"
bash scripts/browser.sh install

# Redis Sentinel and HAProxy for the high-availability fault tests, which start their own instances on loopback.
step "Redis Sentinel and HAProxy for the fault tests (scripts/ha-servers.sh install)"
bash scripts/ha-servers.sh install

# --forceExit: a file whose teardown failed can leave a socket open, and jest would then wait for it for ever
# after printing its result; the failure is reported either way, the run just ends.
if [ -n "${E2E_WORKERS:-}" ]; then
  step "e2e tests (jest --selectProjects e2e --maxWorkers=$E2E_WORKERS --forceExit)"
  npx jest --selectProjects e2e --maxWorkers="$E2E_WORKERS" --forceExit
else
  step "e2e tests (jest --selectProjects e2e --runInBand --forceExit)"
  npx jest --selectProjects e2e --runInBand --forceExit
fi

printf '\nAll tests passed: type check, unit and e2e.\n'

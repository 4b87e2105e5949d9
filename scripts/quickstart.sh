#!/usr/bin/env bash
# `npm run quickstart`: starts the service with its seed data and shows it working.
#   1. makes sure PostgreSQL and Redis run and the database "vpppd" exists (scripts/services.sh)
#   2. installs the dependencies if node_modules is missing
#   3. writes .env from .env.example with fresh random secrets, unless .env exists
#   4. builds, starts the service in the background (it keeps running after this script) and waits for /health
#   5. sends one signed sample web-form submission and prints the ticket it became
# `npm run stop` stops the service again. Running the quickstart again restarts it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT_DIR=$(pwd)

RUN_DIR="$ROOT_DIR/.tmp"
LOG_FILE="$RUN_DIR/service.log"
PID_FILE="$RUN_DIR/service.pid"
HEALTH_TIMEOUT_SECONDS=60
mkdir -p "$RUN_DIR"

say() { printf '\n==> %s\n' "$*"; }
fail() {
  echo "quickstart: $*" >&2
  exit 1
}

# --- 1. PostgreSQL and Redis -----------------------------------------------------------------------
say "PostgreSQL and Redis (scripts/services.sh vpppd)"
bash scripts/services.sh vpppd

# --- 2. dependencies -------------------------------------------------------------------------------
if [ ! -d node_modules ]; then
  say "installing dependencies (npm ci)"
  npm ci --no-audit --no-fund </dev/null
fi

# --- 3. .env ---------------------------------------------------------------------------------------
random_secret() { node -e "process.stdout.write(require('crypto').randomBytes(Number(process.argv[1])).toString('base64url'))" "$1"; }

# set_env KEY VALUE: replaces KEY's line in .env, or appends it. VALUE must not contain | or newlines.
set_env() {
  if grep -q "^$1=" .env; then
    sed -i.bak "s|^$1=.*|$1=$2|" .env && rm -f .env.bak
  else
    printf '%s=%s\n' "$1" "$2" >>.env
  fi
}

if [ -f .env ]; then
  say ".env exists; using it as it is"
  if ! grep -q '^DATA_ENCRYPTION_KEY=.' .env; then
    say "adding a fresh DATA_ENCRYPTION_KEY to .env (the service needs one since secrets are encrypted at rest)"
    set_env DATA_ENCRYPTION_KEY "$(random_secret 32)"
  fi
  if grep -Eq '^(WEBFORM_SECRET|JWT_SECRET|ADMIN_PASSWORD)=change-me' .env; then
    echo "warning: .env still holds placeholder secrets from .env.example; the service refuses them unless APP_ENV=development."
  fi
else
  say "writing .env from .env.example with fresh random secrets"
  [ -f .env.example ] || fail ".env.example is missing"
  (umask 077 && cp .env.example .env)
  set_env WEBFORM_SECRET "$(random_secret 32)"
  set_env JWT_SECRET "$(random_secret 32)"
  set_env DATA_ENCRYPTION_KEY "$(random_secret 32)"
  set_env ADMIN_PASSWORD "$(random_secret 18)"
  set_env METRICS_TOKEN "$(random_secret 32)"
  set_env DATABASE_URL "postgres://postgres@127.0.0.1:5432/vpppd"
fi

set -a
# shellcheck disable=SC1091
. ./.env
set +a
PORT="${PORT:-3000}"
BASE_URL="http://127.0.0.1:$PORT"

# --- 4. build and start ----------------------------------------------------------------------------
if [ -f "$PID_FILE" ]; then
  say "stopping the service started by an earlier quickstart"
  bash scripts/stop.sh
fi

http_status() {
  node -e "
    fetch(process.argv[1], { signal: AbortSignal.timeout(2000) })
      .then((r) => { process.stdout.write(String(r.status)); })
      .catch(() => { process.stdout.write('000'); });
  " "$1"
}

if [ "$(http_status "$BASE_URL/health")" != 000 ]; then
  fail "something already answers on $BASE_URL; stop it, or set another PORT in .env, and run the quickstart again."
fi

say "building (npm run build)"
npm run build </dev/null

say "starting the service in the background (log: $LOG_FILE)"
: >"$LOG_FILE"
# The inner shell writes its own PID and then becomes node (exec), so the PID file names the service itself.
# setsid puts it in a session of its own, so it keeps running after this script and its terminal are gone.
# shellcheck disable=SC2016 # $$ and $1 belong to the inner shell
start_cmd=(bash -c 'echo $$ >"$1"; exec node dist/src/main.js' quickstart-service "$PID_FILE")
if command -v setsid >/dev/null 2>&1; then
  setsid "${start_cmd[@]}" </dev/null >>"$LOG_FILE" 2>&1 &
else
  nohup "${start_cmd[@]}" </dev/null >>"$LOG_FILE" 2>&1 &
fi

for ((i = 0; i < 20; i++)); do
  [ -s "$PID_FILE" ] && break
  sleep 0.1
done
SERVICE_PID=$(cat "$PID_FILE" 2>/dev/null || true)
[ -n "$SERVICE_PID" ] || fail "the service did not start; see $LOG_FILE"

say "waiting for GET $BASE_URL/health (up to $HEALTH_TIMEOUT_SECONDS s)"
deadline=$((SECONDS + HEALTH_TIMEOUT_SECONDS))
while :; do
  status=$(http_status "$BASE_URL/health")
  [ "$status" = 200 ] && break
  if ! kill -0 "$SERVICE_PID" 2>/dev/null; then
    rm -f "$PID_FILE"
    echo "quickstart: the service (PID $SERVICE_PID) exited during start. Last lines of $LOG_FILE:" >&2
    tail -n 40 "$LOG_FILE" >&2
    exit 1
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "quickstart: /health did not answer 200 within $HEALTH_TIMEOUT_SECONDS s (last answer: $status). Last lines of $LOG_FILE:" >&2
    tail -n 40 "$LOG_FILE" >&2
    echo "The service (PID $SERVICE_PID) is left running for inspection; stop it with: npm run stop" >&2
    exit 1
  fi
  sleep 1
done
echo "healthy: PID $SERVICE_PID"

usage() {
  cat <<EOF

The service is running (PID $SERVICE_PID):
  console        $BASE_URL/console   (sign in as the admin below)
  API            $BASE_URL
  OpenAPI docs   $BASE_URL/docs
  health         $BASE_URL/health      (up or down; details with the metrics token or a supervisor's token)
  metrics        $BASE_URL/metrics     (Authorization: Bearer <METRICS_TOKEN from $ROOT_DIR/.env>)
  admin          $ADMIN_EMAIL  (the password is ADMIN_PASSWORD in $ROOT_DIR/.env)
  log            $LOG_FILE
  stop it        npm run stop     (or: kill \$(cat $PID_FILE))

Try:  curl -s -X POST $BASE_URL/v1/auth/login -H 'Content-Type: application/json' \\
        -d '{"email":"$ADMIN_EMAIL","password":"<ADMIN_PASSWORD from .env>"}'
      curl -s $BASE_URL/v1/tickets -H 'Authorization: Bearer <accessToken>'
EOF
}

# --- 5. show it working ----------------------------------------------------------------------------
say "sending a signed sample web-form submission (node dist/src/cli/send-sample-submission.js)"
if ! node dist/src/cli/send-sample-submission.js </dev/null; then
  echo "quickstart: the sample submission failed. Last lines of $LOG_FILE:" >&2
  tail -n 20 "$LOG_FILE" >&2
  echo "If the admin login failed after .env was written anew: the admin keeps the password it was created with." >&2
  echo "Put that password back in .env, or start from an empty database (dropdb -h 127.0.0.1 -U postgres vpppd)." >&2
  usage
  exit 1
fi

usage

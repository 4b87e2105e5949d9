#!/usr/bin/env bash
# Makes sure PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) are installed and running on a
# Debian/Ubuntu machine, with or without systemd. Idempotent: when both already answer it only checks
# that the databases exist.
#
#   bash scripts/services.sh            # PostgreSQL + Redis, and the database "test" used by the e2e tests
#   bash scripts/services.sh vpppd      # ... and also the database "vpppd" (used by the quickstart)
#
# Installing needs root (or password-less sudo) and apt-get. Otherwise the script says what is missing.
# A freshly installed PostgreSQL is configured to trust local TCP connections (127.0.0.1 and ::1) as any
# user: acceptable only on a throw-away CI or development machine.
set -euo pipefail

PG_HOST=127.0.0.1
PG_PORT=5432
PG_USER=postgres
REDIS_HOST=127.0.0.1
REDIS_PORT=6379

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Logs of what this script starts; a temporary directory when the project's is not writable for us.
LOG_DIR="$ROOT_DIR/.tmp/services"
if ! { mkdir -p "$LOG_DIR" && touch "$LOG_DIR/services.log" "$LOG_DIR/redis.log"; } 2>/dev/null; then
  LOG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/services-logs.XXXXXX")
fi
SERVICES_LOG="$LOG_DIR/services.log"

DATABASES=(test)
for arg in "$@"; do
  if [[ ! "$arg" =~ ^[A-Za-z_][A-Za-z0-9_]{0,62}$ ]]; then
    echo "services.sh: '$arg' is not a valid database name (letters, digits and _ only)" >&2
    exit 2
  fi
  DATABASES+=("$arg")
done

say() { echo "services: $*"; }
fail() {
  echo "services: $*" >&2
  exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }

# --- privileges ------------------------------------------------------------------------------------
if [ "$(id -u)" -eq 0 ]; then
  PRIV=root
elif have sudo && sudo -n true </dev/null >/dev/null 2>&1; then
  PRIV=sudo
else
  PRIV=none
fi
as_root() {
  case "$PRIV" in
    root) "$@" ;;
    sudo) sudo -n "$@" ;;
    *) return 1 ;;
  esac
}
can_install() { [ "$PRIV" != none ] && have apt-get; }
systemd_running() { [ -d /run/systemd/system ] && have systemctl; }

APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    say "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq </dev/null
    APT_UPDATED=1
  fi
  say "apt-get install -y $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" </dev/null
}

# cannot_install PROBLEM REMEDY: prints the manual step and exits, when this script cannot do it here.
cannot_install() {
  local what=$1 packages=$2
  {
    echo "services: $what"
    if [ "$PRIV" = none ]; then
      echo "  This script needs root (or password-less sudo) to install or start it. As root, run:"
    else
      echo "  apt-get is not available on this machine. Install and start it yourself, e.g.:"
    fi
    echo "  $packages"
    echo "  then run this script again. (The e2e tests read TEST_DATABASE_URL and TEST_REDIS_URL if your"
    echo "  PostgreSQL and Redis live elsewhere.)"
  } >&2
  exit 1
}

# --- PostgreSQL ------------------------------------------------------------------------------------
pg_up() {
  if have pg_isready; then
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 3 </dev/null
  else
    # No client tools: at least see whether something listens on the port.
    (exec 3<>"/dev/tcp/$PG_HOST/$PG_PORT") 2>/dev/null
  fi
}

# wait_for SECONDS PROBE: polls PROBE twice a second.
wait_for() {
  local seconds=$1 probe=$2 i
  for ((i = 0; i < seconds * 2; i++)); do
    if "$probe"; then return 0; fi
    sleep 0.5
  done
  return 1
}

# The cluster listening on our port: "version name", from pg_lsclusters, else the newest version's "main".
pg_cluster() {
  local line
  if have pg_lsclusters; then
    line=$(pg_lsclusters -h 2>/dev/null | awk -v port="$PG_PORT" '$3 == port { print $1, $2; exit }')
    if [ -n "$line" ]; then
      echo "$line"
      return 0
    fi
  fi
  local version
  # shellcheck disable=SC2012 # version directories: plain names
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  [ -n "$version" ] && [ -d "/etc/postgresql/$version/main" ] && echo "$version main"
}

pg_start_cluster() {
  local version=$1 name=$2
  say "starting PostgreSQL cluster $version/$name (log: /var/log/postgresql/postgresql-$version-$name.log)"
  if systemd_running; then
    as_root systemctl start "postgresql@$version-$name" </dev/null >/dev/null 2>>"$SERVICES_LOG"
  else
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start </dev/null >/dev/null 2>>"$SERVICES_LOG"
  fi
}

# Prepends trust rules for local TCP connections to a fresh cluster's pg_hba.conf (first match wins).
pg_trust_local_tcp() {
  local version=$1 name=$2
  local hba="/etc/postgresql/$version/$name/pg_hba.conf"
  local marker="# added by scripts/services.sh"
  [ -f "$hba" ] || fail "cannot find $hba to configure authentication"
  if grep -qF "$marker" "$hba"; then return 0; fi
  local tmp
  tmp=$(mktemp)
  {
    echo "$marker: trust local TCP connections. THROW-AWAY CI/DEV MACHINE ONLY."
    echo "host    all    all    127.0.0.1/32    trust"
    echo "host    all    all    ::1/128         trust"
    echo
    as_root cat "$hba"
  } >"$tmp"
  as_root cp "$tmp" "$hba"
  rm -f "$tmp"
  say "WARNING: configured $hba to trust every local TCP connection (127.0.0.1, ::1) without a password."
  say "         This is acceptable only on a throw-away CI or development machine."
}

ensure_postgres() {
  if pg_up; then
    say "PostgreSQL answers on $PG_HOST:$PG_PORT"
  else
    local cluster fresh=0
    cluster=$(pg_cluster || true)
    if [ -z "$cluster" ]; then
      can_install || cannot_install "PostgreSQL is not running on $PG_HOST:$PG_PORT and is not installed." "apt-get install postgresql postgresql-client"
      apt_install postgresql postgresql-client
      fresh=1
      cluster=$(pg_cluster || true)
      if [ -z "$cluster" ]; then
        # postgresql-common was told not to create a main cluster: create one.
        local version
        # shellcheck disable=SC2012
        version=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)
        [ -n "$version" ] || fail "PostgreSQL was installed but no server version was found under /usr/lib/postgresql"
        say "creating PostgreSQL cluster $version/main"
        as_root pg_createcluster "$version" main --port "$PG_PORT" </dev/null >/dev/null 2>>"$SERVICES_LOG"
        cluster="$version main"
      fi
    elif [ "$PRIV" = none ]; then
      cannot_install "PostgreSQL is installed (cluster $cluster) but not running on $PG_HOST:$PG_PORT." "pg_ctlcluster ${cluster% *} ${cluster#* } start"
    fi
    # shellcheck disable=SC2086
    set -- $cluster
    if [ "$fresh" -eq 1 ]; then pg_trust_local_tcp "$1" "$2"; fi
    pg_start_cluster "$1" "$2" || {
      tail -n 20 "$SERVICES_LOG" >&2 || true
      fail "could not start PostgreSQL cluster $1/$2 (see /var/log/postgresql/postgresql-$1-$2.log)"
    }
    wait_for 30 pg_up || fail "PostgreSQL cluster $1/$2 started but does not answer on $PG_HOST:$PG_PORT (see /var/log/postgresql/postgresql-$1-$2.log)"
    say "PostgreSQL is running on $PG_HOST:$PG_PORT"
  fi

  if ! have psql; then
    can_install || cannot_install "PostgreSQL answers but psql is not installed, so the databases cannot be checked." "apt-get install postgresql-client"
    apt_install postgresql-client
  fi

  local psql=(psql -X -q -w -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres)
  local out
  if ! out=$(PGPASSWORD='' "${psql[@]}" -Atc 'SELECT 1' </dev/null 2>&1); then
    {
      echo "services: PostgreSQL answers on $PG_HOST:$PG_PORT but user $PG_USER cannot connect over TCP without a password:"
      echo "  $out"
      echo "  The tests and the quickstart expect postgres://$PG_USER@$PG_HOST:$PG_PORT/<db> with trust authentication."
      echo "  On a throw-away machine add to pg_hba.conf, above the other host lines, and reload PostgreSQL:"
      echo "    host all all 127.0.0.1/32 trust"
      echo "    host all all ::1/128 trust"
      echo "  or point TEST_DATABASE_URL (tests) / DATABASE_URL in .env (quickstart) at a database you can use."
    } >&2
    exit 1
  fi
  local db
  for db in "${DATABASES[@]}"; do
    if [ "$("${psql[@]}" -Atc "SELECT 1 FROM pg_database WHERE datname = '$db'" </dev/null)" = 1 ]; then
      say "database $db exists"
    else
      "${psql[@]}" -c "CREATE DATABASE \"$db\"" </dev/null
      say "created database $db"
    fi
  done
}

# --- Redis -----------------------------------------------------------------------------------------
redis_up() {
  if have redis-cli; then
    [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping </dev/null 2>/dev/null)" = PONG ]
  else
    # No client tools: speak the protocol over bash's /dev/tcp, in a subshell so a refused connection
    # cannot end this script.
    local reply
    reply=$( (exec 3<>"/dev/tcp/$REDIS_HOST/$REDIS_PORT" && printf 'PING\r\n' >&3 && read -r -t 3 line <&3 && echo "$line") 2>/dev/null) || return 1
    [ "${reply%$'\r'}" = "+PONG" ]
  fi
}

ensure_redis() {
  if redis_up; then
    say "Redis answers on $REDIS_HOST:$REDIS_PORT"
    return 0
  fi
  if ! have redis-server; then
    can_install || cannot_install "Redis is not running on $REDIS_HOST:$REDIS_PORT and redis-server is not installed." "apt-get install redis-server"
    apt_install redis-server
    have redis-server || fail "redis-server was installed but is not on PATH"
  fi
  # Something else may hold the port (e.g. a Redis with a password): do not start a second one blindly.
  if (exec 3<>"/dev/tcp/$REDIS_HOST/$REDIS_PORT") 2>/dev/null; then
    fail "something listens on $REDIS_HOST:$REDIS_PORT but does not answer PING with PONG (a Redis with a password?)"
  fi
  say "starting redis-server on $REDIS_HOST:$REDIS_PORT without persistence (log: $LOG_DIR/redis.log)"
  redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$LOG_DIR" --logfile "$LOG_DIR/redis.log" --pidfile "$LOG_DIR/redis.pid" \
    </dev/null >/dev/null 2>>"$SERVICES_LOG" || {
    tail -n 20 "$LOG_DIR/redis.log" "$SERVICES_LOG" >&2 2>/dev/null || true
    fail "redis-server did not start"
  }
  wait_for 15 redis_up || {
    tail -n 20 "$LOG_DIR/redis.log" >&2 2>/dev/null || true
    fail "redis-server started but does not answer on $REDIS_HOST:$REDIS_PORT"
  }
  say "Redis is running on $REDIS_HOST:$REDIS_PORT"
}

ensure_postgres
ensure_redis

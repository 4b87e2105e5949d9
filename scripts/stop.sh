#!/usr/bin/env bash
# `npm run stop`: stops the service that `npm run quickstart` started in the background.
# It is sent SIGTERM, finishes the jobs in hand (SHUTDOWN_GRACE_MS), and is killed if it is still there after that.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PID_FILE=.tmp/service.pid
GRACE_SECONDS=30

if [ ! -f "$PID_FILE" ]; then
  echo "stop: no service started by the quickstart is recorded ($PID_FILE is missing)."
  exit 0
fi
pid=$(tr -dc '0-9' <"$PID_FILE")

command_of() {
  if [ -r "/proc/$1/cmdline" ]; then tr '\0' ' ' <"/proc/$1/cmdline"; else ps -p "$1" -o args= 2>/dev/null || true; fi
}

# Running, and not a zombie left unreaped by a minimal init.
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  if [ -r "/proc/$1/stat" ]; then [[ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]]; fi
}

# Only signal the process if it still is our service (a PID may have been reused since).
if [ -z "$pid" ] || ! alive "$pid" || [[ "$(command_of "$pid")" != *dist/src/main.js* ]]; then
  echo "stop: the service (PID ${pid:-?}) is not running."
  rm -f "$PID_FILE"
  exit 0
fi

echo "stop: stopping the service (PID $pid)..."
kill -TERM "$pid"
for ((i = 0; i < GRACE_SECONDS * 4; i++)); do
  alive "$pid" || break
  sleep 0.25
done
if alive "$pid"; then
  echo "stop: still running after $GRACE_SECONDS s; killing it."
  kill -KILL "$pid" 2>/dev/null || true
fi
rm -f "$PID_FILE"
echo "stop: stopped."

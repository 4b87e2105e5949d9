#!/usr/bin/env bash
# A real ClamAV daemon (clamd) on loopback for the malware-scanning e2e tests. Its signature directory holds ONE
# local signature, the EICAR anti-virus test file's, which this script writes itself: the public signature
# download is not needed (nor wanted) for tests, and clamd refuses to start without any signature. Beside it,
# the file-type rule production needs too, so that MP3 voicemails are scanned (AUDIO_RULE below).
#
#   bash scripts/clamd.sh install            # apt-get install clamav-daemon when missing (root)
#   bash scripts/clamd.sh start DIR PORT     # writes DIR/clamd.conf and DIR/db/, starts clamd on 127.0.0.1:PORT
#   bash scripts/clamd.sh stop DIR           # stops the clamd started from DIR; idempotent
#   bash scripts/clamd.sh status DIR         # exit 0 when it answers PING
#
# DIR holds the configuration, the signature, the log (clamd.log, clamd.stderr) and the pid. Each test file
# starts its own clamd in its own DIR on its own port, so a test may stop and start it without disturbing others.
# Runs as any user; installing needs root.
set -euo pipefail
umask 022

PACKAGES=(clamav-daemon)
MARKER="# written by scripts/clamd.sh"
START_TIMEOUT=30

fail() {
  echo "clamd: $*" >&2
  exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }
usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
  exit 2
}
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

cmd_install() {
  local missing=() p
  have clamd && return 0
  have dpkg-query || fail "dpkg-query not found: install ClamAV's clamd yourself (Debian/Ubuntu: clamav-daemon)"
  for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! have apt-get; then
    echo "clamd: not installed: ${missing[*]}. As root, run:" >&2
    echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "clamd: installing ${missing[*]} (apt-get)"
  local log
  log=$(mktemp "${TMPDIR:-/tmp}/clamd-apt.XXXXXX")
  if ! {
    DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
  } </dev/null >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    rm -f "$log"
    fail "apt-get could not install ${missing[*]} (output above)"
  fi
  rm -f "$log"
  # The package's own daemon and freshclam would wait for (or fetch) the public signatures: the tests run
  # their own clamd, so the system-wide services are stopped where systemd started them.
  if [ -d /run/systemd/system ] && have systemctl; then
    systemctl disable --now clamav-daemon clamav-freshclam </dev/null >/dev/null 2>&1 || true
  fi
}

# The EICAR test file (https://www.eicar.org), as a hex body signature that matches it anywhere in a file, so a
# test may wrap it in whatever the channel accepts (a PDF, an MP3, an image).
EICAR='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
signature() { printf 'Eicar-Test-Signature:0:*:%s\n' "$(printf '%s' "$EICAR" | od -An -v -tx1 | tr -d ' \n')"; }

# ClamAV's built-in file types mark MP3 with an ID3 tag as "ignored": such a file is never looked into. Voicemail
# recordings arrive as exactly that, so this local file-type rule has clamd scan them as plain data. Production
# needs the same line in its clamd's DatabaseDirectory (see the README's Malware scanning section).
AUDIO_RULE='0:0:494433:MP3 audio with an ID3 tag, scanned as data:CL_TYPE_ANY:CL_TYPE_BINARY_DATA'

config() {
  local dir=$1 port=$2
  cat <<EOC
$MARKER
# Test-only clamd on 127.0.0.1, with the EICAR signature only.
TCPAddr 127.0.0.1
TCPSocket $port
DatabaseDirectory $dir/db
LogFile $dir/clamd.log
PidFile $dir/clamd.pid
Foreground yes
# Files reach 100 MB on social channels.
StreamMaxLength 110M
MaxThreads 4
EOC
}

clamd_pid() {
  local pid cmdline
  pid=$(cat "$1/clamd.pid" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  [ "${cmdline% }" = "$(command -v clamd) -c $1/clamd.conf" ] && echo "$pid"
}

port_of() { sed -n 's/^TCPSocket //p' "$1/clamd.conf" 2>/dev/null; }

pong() {
  local answer
  answer=$( (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'PING\n' >&3 && IFS= read -r -t 3 line <&3 && printf '%s' "$line") 2>/dev/null) || return 1
  [ "$answer" = PONG ]
}

cmd_start() {
  local dir=$1 port=$2 i
  have clamd || fail "clamd is not installed; run: bash scripts/clamd.sh install"
  cmd_stop "$dir"
  mkdir -p "$dir/db"
  signature >"$dir/db/eicar.ndb"
  echo "$AUDIO_RULE" >"$dir/db/vpppd-audio.ftm"
  config "$dir" "$port" >"$dir/clamd.conf"
  : >"$dir/clamd.stderr"
  # setsid: out of the caller's process group, so a Ctrl-C on the tests does not leave it half-stopped.
  setsid "$(command -v clamd)" -c "$dir/clamd.conf" </dev/null >/dev/null 2>>"$dir/clamd.stderr" &
  echo $! >"$dir/clamd.pid"
  for ((i = 0; i < START_TIMEOUT * 10; i++)); do
    pong "$port" && return 0
    if ! clamd_pid "$dir" >/dev/null; then
      tail -n 20 "$dir/clamd.stderr" "$dir/clamd.log" >&2 2>/dev/null || true
      fail "clamd exited before answering on 127.0.0.1:$port (port taken? logs above)"
    fi
    sleep 0.1
  done
  tail -n 20 "$dir/clamd.stderr" "$dir/clamd.log" >&2 2>/dev/null || true
  fail "clamd did not answer on 127.0.0.1:$port within $START_TIMEOUT s (logs above)"
}

cmd_stop() {
  local dir=$1 pid i port
  pid=$(clamd_pid "$dir") || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    [ -e "/proc/$pid" ] && [ -n "$(tr -d '\0' 2>/dev/null <"/proc/$pid/cmdline")" ] || break
    sleep 0.1
  done
  [ -e "/proc/$pid" ] && kill -KILL "$pid" 2>/dev/null || true
  # "Stopped" means connecting fails.
  port=$(port_of "$dir")
  for ((i = 0; i < 50; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || return 0
    sleep 0.1
  done
}

[ $# -ge 1 ] || usage
COMMAND=$1
shift
case "$COMMAND" in
  install) [ $# -eq 0 ] || usage; cmd_install ;;
  start)
    [ $# -eq 2 ] && [[ "$2" =~ ^[1-9][0-9]{0,4}$ ]] || usage
    [[ "$1" =~ ^/[A-Za-z0-9._/+-]+$ ]] || fail "DIR must be an absolute path of letters, digits and . _ / + -"
    cmd_start "${1%/}" "$2"
    ;;
  stop) [ $# -eq 1 ] || usage; cmd_stop "${1%/}" ;;
  status) [ $# -eq 1 ] || usage; clamd_pid "${1%/}" >/dev/null && pong "$(port_of "${1%/}")" ;;
  -h | --help | help) usage ;;
  *) usage ;;
esac

#!/usr/bin/env bash
# Real mail servers on loopback for the e-mail channel's e2e tests: Dovecot serves IMAP and LMTP, and
# OpenSMTPD accepts SMTP for ANY address and hands it to Dovecot by LMTP, so mail sent over SMTP lands in
# the same mailboxes the tests read over IMAP. Every user name logs in (with MAIL_PASSWORD below), so each
# test can use a fresh address as its own mailbox. Test machines only: no TLS, no real authentication.
#
#   bash scripts/mail-servers.sh install                 # apt-get install the servers when missing (root)
#   bash scripts/mail-servers.sh start DIR [IMAP_PORT=1143] [SMTP_PORT=2525] [LMTP_PORT=2424]
#   bash scripts/mail-servers.sh ensure DIR [ports...]   # install if needed, start unless already running
#                                                        # from DIR with these ports; silent on success
#   bash scripts/mail-servers.sh stop DIR                # stops both; idempotent
#   bash scripts/mail-servers.sh stop-imap DIR           # stops only Dovecot (IMAP and LMTP), for
#   bash scripts/mail-servers.sh start-imap DIR          # reconnect tests; start-imap starts it again
#   bash scripts/mail-servers.sh status DIR              # exit 0 when both answer
#
# SMTP_PORT=0 starts Dovecot alone: an extra IMAP server (fed by APPEND) that a test may stop and start
# without disturbing the shared servers that other test files are using at the same time.
#
# DIR holds the configurations, the logs (dovecot.log, dovecot.stderr, smtpd.log) and the mailboxes
# (DIR/mail/<address>/Maildir). Everything listens on 127.0.0.1 only.
#
# Starting needs root: OpenSMTPD refuses to run otherwise, and Dovecot switches to the mail user. Only one
# OpenSMTPD can run on a machine (its control socket and queue directory are fixed at build time), so
# `start` stops an OpenSMTPD this script started for another DIR, and refuses to touch one it did not start.
set -euo pipefail
# What we write into DIR must be readable by the user running the tests (which may not be root), so that
# `ensure` and `status` work for them once root has started the servers.
umask 022

PACKAGES=(dovecot-imapd dovecot-lmtpd opensmtpd)
DEFAULT_IMAP_PORT=1143
DEFAULT_SMTP_PORT=2525
DEFAULT_LMTP_PORT=2424
# The password every user logs in with; test/support/mail-servers.ts exports the same value.
MAIL_PASSWORD=secret
# First line of the configurations we write: how an instance started by this script is recognised.
MARKER="# written by scripts/mail-servers.sh"
# Serialises the commands: several jest workers may call `ensure` at the same moment, and installing and
# the one OpenSMTPD per machine are machine-wide anyway.
LOCK_FILE="${TMPDIR:-/tmp}/mail-servers.lock"
START_TIMEOUT=20

QUIET=0
say() { if [ "$QUIET" -eq 0 ]; then echo "mail-servers: $*"; fi; }
fail() {
  echo "mail-servers: $*" >&2
  exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }
usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
  exit 2
}

lock() {
  # Read-only when another user created it: flock works on any descriptor.
  { exec 9>>"$LOCK_FILE"; } 2>/dev/null || { exec 9<"$LOCK_FILE"; } 2>/dev/null || fail "cannot open the lock file $LOCK_FILE"
  flock -w 600 9 || fail "another mail-servers.sh has held $LOCK_FILE for 10 minutes"
}

# --- install ---------------------------------------------------------------------------------------
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

cmd_install() {
  local missing=() p
  have dpkg-query || fail "dpkg-query not found: this script installs the mail servers on Debian/Ubuntu only; install Dovecot (imapd, lmtpd) and OpenSMTPD yourself"
  for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
  [ "${#missing[@]}" -eq 0 ] && return 0

  if [ "$(id -u)" -ne 0 ] || ! have apt-get; then
    {
      echo "mail-servers: these packages are not installed: ${missing[*]}"
      if [ "$(id -u)" -ne 0 ]; then
        echo "  Installing them needs root. As root, run:"
      else
        echo "  apt-get is not available here. Install Dovecot (IMAP, LMTP) and OpenSMTPD yourself; on Debian/Ubuntu:"
      fi
      echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}"
      echo "  (opensmtpd replaces another installed MTA such as exim4 or postfix.)"
    } >&2
    exit 1
  fi

  say "installing ${missing[*]} (apt-get)"
  local log t0=$SECONDS
  log=$(mktemp "${TMPDIR:-/tmp}/mail-servers-apt.XXXXXX")
  # Non-interactive throughout: debconf takes its defaults, conffile questions keep the existing file, and
  # stdin is closed so that nothing can wait for an answer. apt-get removes another MTA (exim4, postfix) by
  # itself, since opensmtpd conflicts with mail-transport-agent.
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
  for p in "${PACKAGES[@]}"; do installed "$p" || fail "$p is still not installed after apt-get install"; done

  # Where systemd runs, the packages just started their system-wide daemons (OpenSMTPD on port 25 would
  # also hold the machine's only OpenSMTPD control socket). We installed them for the tests only: stop them.
  if [ -d /run/systemd/system ] && have systemctl; then
    local unit
    for unit in opensmtpd dovecot; do
      systemctl disable --now "$unit" </dev/null >/dev/null 2>&1 || true
    done
  fi
  say "installed ${missing[*]} in $((SECONDS - t0)) s"
}

# --- processes -------------------------------------------------------------------------------------
# The pid, if alive and really started with this exact command line (pid files outlive their process, and
# pids get reused). Reading /proc/PID/cmdline works without root; a zombie has an empty one.
pid_running_as() {
  local pid=$1 expected=$2 cmdline
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  [ "${cmdline% }" = "$expected" ]
}

dovecot_cmd() { echo "$DOVECOT_BIN -c $1/dovecot.conf"; }
smtpd_cmd() { echo "$SMTPD_BIN -d -f $1/smtpd.conf"; }

dovecot_pid() {
  local pid
  # Dovecot's own pid file is readable by root only; DIR/dovecot.pid is our copy for everyone else.
  pid=$(cat "$1/run/master.pid" 2>/dev/null || cat "$1/dovecot.pid" 2>/dev/null) || return 1
  pid_running_as "$pid" "$(dovecot_cmd "$1")" && echo "$pid"
}

smtpd_pid() {
  local pid
  pid=$(cat "$1/smtpd.pid" 2>/dev/null) || return 1
  pid_running_as "$pid" "$(smtpd_cmd "$1")" && echo "$pid"
}

# stop_pids NAME PID...: SIGTERM, then SIGKILL to those still there after 10 s.
stop_pids() {
  local name=$1 pid i left
  shift
  for pid in "$@"; do
    if ! kill -TERM "$pid" 2>/dev/null && [ -e "/proc/$pid" ]; then
      fail "cannot stop $name (pid $pid): not permitted; run this as root"
    fi
  done
  for ((i = 0; i < 100; i++)); do
    left=()
    for pid in "$@"; do
      # Gone, or a zombie whose parent does not reap it yet: either way it holds no port or client any more.
      if [ -e "/proc/$pid" ] && [ -n "$(tr -d '\0' 2>/dev/null <"/proc/$pid/cmdline")" ]; then left+=("$pid"); fi
    done
    [ "${#left[@]}" -gt 0 ] || return 0
    sleep 0.1
  done
  echo "mail-servers: $name (pid ${left[*]}) did not stop in 10 s; killing it" >&2
  kill -KILL "${left[@]}" 2>/dev/null || true
}

# The pids of PID's children whose command line still starts with PREFIX.
children_of() {
  local parent=$1 prefix=$2 stat fields cmdline
  for stat in /proc/[0-9]*/stat; do
    fields=$(cat 2>/dev/null <"$stat") || continue
    # "pid (comm) state ppid ...": comm may contain spaces, so split after its closing parenthesis.
    fields=${fields##*) }
    [ "${fields#* }" != "${fields}" ] || continue
    fields=${fields#* }
    [ "${fields%% *}" = "$parent" ] || continue
    cmdline=$(tr '\0' ' ' 2>/dev/null <"${stat%/stat}/cmdline") || continue
    [[ "$cmdline" == "$prefix"* ]] && echo "${stat//[!0-9]/}"
  done
}

stop_dovecot() {
  local pid children imap lmtp
  # By the pid Dovecot wrote itself (what `doveadm -c DIR/dovecot.conf stop` does), without needing a
  # config that still parses.
  if pid=$(dovecot_pid "$1"); then
    children=$(children_of "$pid" dovecot)
    stop_pids dovecot "$pid"
    # The master leaves open IMAP sessions running for several more seconds. A stopped server must drop
    # its clients at once, as one that crashed or restarted does: stop what it left behind.
    # shellcheck disable=SC2086 # a list of pids
    [ -z "$children" ] || stop_pids "Dovecot's processes" $children
    # Login processes hold the listening sockets a moment longer too: "stopped" means connecting fails.
    if read -r imap _ lmtp 2>/dev/null <"$1/ports"; then
      wait_port_free "$imap" || true
      wait_port_free "$lmtp" || true
    fi
    say "stopped Dovecot ($1)"
  fi
  rm -f "$1/dovecot.pid" 2>/dev/null || true
}

stop_smtpd() {
  local pid
  if pid=$(smtpd_pid "$1"); then
    stop_pids smtpd "$pid"
    say "stopped OpenSMTPD ($1)"
  fi
  rm -f "$1/smtpd.pid" 2>/dev/null || true
}

# DIRs of the other instances started by this script (found by their exact command lines).
other_dirs() {
  local dir=$1 proc argv conf
  for proc in /proc/[0-9]*; do
    mapfile -d '' -t argv 2>/dev/null <"$proc/cmdline" || continue
    conf=""
    if [ "${#argv[@]}" -eq 3 ] && [ "${argv[0]}" = "$DOVECOT_BIN" ] && [ "${argv[1]}" = -c ] && [[ "${argv[2]}" == */dovecot.conf ]]; then
      conf=${argv[2]}
    elif [ "${#argv[@]}" -eq 4 ] && [ "${argv[0]}" = "$SMTPD_BIN" ] && [ "${argv[1]}" = -d ] && [ "${argv[2]}" = -f ] && [[ "${argv[3]}" == */smtpd.conf ]]; then
      conf=${argv[3]}
    fi
    if [ -z "$conf" ] || [ "${conf%/*}" = "$dir" ]; then continue; fi
    # Ours if the configuration carries the marker, or was deleted with its directory (a temp cleaner).
    if [ ! -e "$conf" ] || [ "$(head -n 1 "$conf" 2>/dev/null)" = "$MARKER" ]; then echo "${conf%/*}"; fi
  done | sort -u
}

# --- configuration ---------------------------------------------------------------------------------
dovecot_conf() {
  local dir=$1 imap_port=$2 lmtp_port=$3 uid gid
  uid=$(id -u nobody) gid=$(id -g nobody)
  cat <<EOF
$MARKER
# Test-only Dovecot on 127.0.0.1: IMAP for the tests and the application, LMTP for OpenSMTPD.
protocols = imap lmtp
listen = 127.0.0.1
# Everything of this instance stays in its directory, apart from the system's users and binaries.
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
instance_name = mail-servers-$imap_port

ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# No 2 s penalty after a wrong password: tests may try one on purpose.
auth_failure_delay = 0 secs

# Any user name logs in with the one password, and each gets its own maildir: a fresh address per test is
# a fresh, empty mailbox. User names are the full addresses, lowercased (Dovecot's default
# auth_username_format = %Lu), as LMTP receives them; only letters, digits and . - _ @ are allowed
# (auth_username_chars). LMTP strips a "+detail" (recipient_delimiter), so a+x@d is delivered to a@d.
passdb {
  driver = static
  args = password=$MAIL_PASSWORD
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$dir/mail/%u allow_all_users=yes
}
mail_location = maildir:~/Maildir
# Throw-away mail: skip fsync for speed.
mail_fsync = never
# Tests open many connections as the same user from the same address.
mail_max_userip_connections = 1000
# IDLE is on by default and woken by inotify; where inotify does not work, look for changes every second
# instead of every 30.
mailbox_idle_check_interval = 1 secs

namespace inbox {
  inbox = yes
  separator = /
  mailbox Processed {
    auto = create
  }
  mailbox Sent {
    auto = create
    special_use = \\Sent
  }
  mailbox Trash {
    auto = create
    special_use = \\Trash
  }
  mailbox Junk {
    auto = create
    special_use = \\Junk
  }
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $lmtp_port
  }
}
EOF
}

smtpd_conf() {
  local smtp_port=$1 lmtp_port=$2
  cat <<EOF
$MARKER
# Test-only OpenSMTPD on 127.0.0.1: accepts mail for any address from local clients, without TLS or
# authentication, and delivers every recipient into Dovecot by LMTP.
listen on 127.0.0.1 port $smtp_port
# "virtual" maps every recipient to the system user nobody, so addresses that are no local users are
# accepted; "rcpt-to" sends the full original recipient address (not "nobody") as the LMTP recipient,
# which Dovecot uses as the user name.
action "dovecot" lmtp "127.0.0.1:$lmtp_port" rcpt-to virtual { "@" = nobody }
match from any for any action "dovecot"
EOF
}

# --- probes ----------------------------------------------------------------------------------------
# greets PORT PREFIX: something on 127.0.0.1:PORT sends a first line starting with PREFIX. Run in a
# subshell so that a refused connection cannot end this script.
greets() {
  local line
  line=$( (exec 3<>"/dev/tcp/127.0.0.1/$1" && IFS= read -r -t 3 first <&3 && printf '%s' "$first") 2>/dev/null) || return 1
  [[ "$line" == "$2"* ]]
}
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port_free() {
  local i
  for ((i = 0; i < 50; i++)); do
    port_taken "$1" || return 0
    sleep 0.1
  done
  return 1
}
imap_up() { greets "$IMAP_PORT" "* OK"; }
lmtp_up() { greets "$LMTP_PORT" "220 "; }
smtp_up() { greets "$SMTP_PORT" "220 "; }

show_logs() {
  local f
  for f in dovecot.stderr dovecot.log smtpd.log; do
    if [ -s "$DIR/$f" ]; then
      echo "----- $DIR/$f (last lines)" >&2
      tail -n 20 "$DIR/$f" >&2
    fi
  done
}

# wait_up NAME PROBE...: polls until every probe succeeds, for at most START_TIMEOUT seconds.
wait_up() {
  local name=$1 deadline=$((SECONDS + START_TIMEOUT)) probe
  shift
  while [ "$SECONDS" -lt "$deadline" ]; do
    for probe in "$@"; do
      if ! "$probe"; then
        sleep 0.1
        continue 2
      fi
    done
    return 0
  done
  show_logs
  fail "$name did not answer within $START_TIMEOUT s (logs above)"
}

# shares_a_port OTHER_DIR: the instance in OTHER_DIR was started with one of our ports (0 is no port).
shares_a_port() {
  local mine theirs
  for theirs in $(cat "$1/ports" 2>/dev/null); do
    for mine in "$IMAP_PORT" "$SMTP_PORT" "$LMTP_PORT"; do
      if [ "$theirs" != 0 ] && [ "$theirs" = "$mine" ]; then return 0; fi
    done
  done
  return 1
}

# SMTP_PORT=0: this DIR runs Dovecot alone.
with_smtp() { [ "$SMTP_PORT" != 0 ]; }

# --- start / stop ----------------------------------------------------------------------------------
need_root_to() {
  [ "$(id -u)" -eq 0 ] && return 0
  local again="$COMMAND $DIR"
  case "$COMMAND" in start | ensure) again="start $DIR $IMAP_PORT $SMTP_PORT $LMTP_PORT" ;; esac
  fail "$1 needs root (OpenSMTPD only runs as root, Dovecot switches to the mail user). As root, run: bash scripts/mail-servers.sh $again"
}

find_binaries() {
  DOVECOT_BIN=$(command -v dovecot) && SMTPD_BIN=$(command -v smtpd) && have smtpctl
}
need_binaries() {
  find_binaries || fail "Dovecot or OpenSMTPD is not installed; run: bash scripts/mail-servers.sh install"
}

# parse_args DIR [IMAP_PORT] [SMTP_PORT] [LMTP_PORT]: sets DIR (absolute) and the ports.
parse_args() {
  [ $# -ge 1 ] && [ $# -le 4 ] && [ -n "$1" ] || usage
  IMAP_PORT=${2:-$DEFAULT_IMAP_PORT}
  SMTP_PORT=${3:-$DEFAULT_SMTP_PORT}
  LMTP_PORT=${4:-$DEFAULT_LMTP_PORT}
  local p
  for p in "$IMAP_PORT" "$SMTP_PORT" "$LMTP_PORT"; do
    [[ "$p" =~ ^[1-9][0-9]{0,4}$ ]] && [ "$p" -le 65535 ] && continue
    [ "$p" = 0 ] && [ "$p" = "$SMTP_PORT" ] && [ "$p" != "$IMAP_PORT" ] && [ "$p" != "$LMTP_PORT" ] && continue # Dovecot alone
    fail "'$p' is not a port number (only SMTP_PORT may be 0)"
  done
  [ "$IMAP_PORT" != "$SMTP_PORT" ] && [ "$IMAP_PORT" != "$LMTP_PORT" ] && [ "$SMTP_PORT" != "$LMTP_PORT" ] ||
    fail "the IMAP, SMTP and LMTP ports must differ"
  # The path goes into both configurations unquoted: keep to characters neither syntax cares about.
  [[ "$1" =~ ^[A-Za-z0-9._/+-]+$ ]] || fail "DIR '$1' may contain only letters, digits and . _ / + -"
  case "$1" in
    /*) DIR=$1 ;;
    *) DIR=$PWD/$1 ;;
  esac
  DIR=${DIR%/}
}

# Reads the ports an existing DIR was started with (for stop-imap / start-imap / status).
load_ports() {
  [ -f "$DIR/ports" ] || fail "$DIR has no mail servers configured; run: bash scripts/mail-servers.sh start $DIR"
  read -r IMAP_PORT SMTP_PORT LMTP_PORT <"$DIR/ports"
}

start_dovecot() {
  : >"$DIR/dovecot.stderr"
  # stdio away from the caller (a test runner waiting for our output would otherwise wait for Dovecot),
  # and the lock's descriptor closed so that the daemon does not hold the lock for ever.
  "$DOVECOT_BIN" -c "$DIR/dovecot.conf" </dev/null >/dev/null 2>>"$DIR/dovecot.stderr" 9>&- || {
    show_logs
    fail "dovecot did not start (logs above)"
  }
}

# Called once Dovecot answers, so that its pid file has been written.
record_dovecot_pid() {
  rm -f "$DIR/dovecot.pid"
  cat "$DIR/run/master.pid" >"$DIR/dovecot.pid" 2>/dev/null || true
}

start_smtpd() {
  # -d keeps it in the foreground, so $! is its pid and its log goes to our file (no syslog needed);
  # setsid takes it out of the caller's process group, so a Ctrl-C on the test run does not stop it.
  setsid "$SMTPD_BIN" -d -f "$DIR/smtpd.conf" </dev/null >>"$DIR/smtpd.log" 2>&1 9>&- &
  echo $! >"$DIR/smtpd.pid"
}

# Is everything running from DIR exactly as `start` would set it up now?
running_as_configured() {
  [ "$(cat "$DIR/ports" 2>/dev/null)" = "$IMAP_PORT $SMTP_PORT $LMTP_PORT" ] || return 1
  dovecot_pid "$DIR" >/dev/null || return 1
  [ "$(dovecot_conf "$DIR" "$IMAP_PORT" "$LMTP_PORT")" = "$(cat "$DIR/dovecot.conf")" ] || return 1
  imap_up && lmtp_up || return 1
  with_smtp || return 0
  smtpd_pid "$DIR" >/dev/null || return 1
  [ "$(smtpd_conf "$SMTP_PORT" "$LMTP_PORT")" = "$(cat "$DIR/smtpd.conf")" ] || return 1
  smtp_up
}

cmd_start() {
  need_root_to "starting the mail servers"
  need_binaries
  local t0=$SECONDS other port
  mkdir -p "$DIR/run" "$DIR/state" "$DIR/mail"
  # The mail user must reach its maildirs: DIR must be traversable and DIR/mail writable for it.
  chmod o+x "$DIR"
  chown "$(id -u nobody):$(id -g nobody)" "$DIR/mail"
  chmod 700 "$DIR/mail"
  setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups test -w "$DIR/mail" 2>/dev/null ||
    fail "the user nobody cannot write $DIR/mail (is a parent directory closed to other users?); choose another DIR"

  # A restart: our own servers first, then whatever we started elsewhere that would be in the way.
  stop_smtpd "$DIR"
  stop_dovecot "$DIR"
  for other in $(other_dirs "$DIR"); do
    if with_smtp && smtpd_pid "$other" >/dev/null; then
      say "stopping the mail servers started for $other (only one OpenSMTPD can run on a machine)"
      stop_smtpd "$other"
      stop_dovecot "$other"
    elif shares_a_port "$other"; then
      say "stopping the Dovecot started for $other (it uses one of our ports)"
      stop_dovecot "$other"
    fi
  done
  if with_smtp && smtpctl show status </dev/null >/dev/null 2>&1; then
    fail "an OpenSMTPD that this script did not start is running, and only one can run on a machine. Stop it (e.g. 'systemctl disable --now opensmtpd' or 'smtpctl stop') and try again."
  fi
  for port in "$IMAP_PORT" "$SMTP_PORT" "$LMTP_PORT"; do
    [ "$port" != 0 ] || continue
    # A server just stopped may take a moment to let go of its listening sockets.
    if ! wait_port_free "$port"; then
      fail "127.0.0.1:$port is already in use$(have ss && ss -ltnpH "sport = :$port" 2>/dev/null | sed -n 's/.*users:((\(.*\))).*/ by \1/p' | head -n 1); choose other ports"
    fi
  done

  dovecot_conf "$DIR" "$IMAP_PORT" "$LMTP_PORT" >"$DIR/dovecot.conf"
  echo "$IMAP_PORT $SMTP_PORT $LMTP_PORT" >"$DIR/ports"
  rm -f "$DIR/smtpd.conf"
  if with_smtp; then
    smtpd_conf "$SMTP_PORT" "$LMTP_PORT" >"$DIR/smtpd.conf"
    "$SMTPD_BIN" -n -f "$DIR/smtpd.conf" >/dev/null 2>&1 || {
      "$SMTPD_BIN" -n -f "$DIR/smtpd.conf" >&2 || true
      fail "OpenSMTPD rejects $DIR/smtpd.conf (above)"
    }
  fi

  start_dovecot
  if with_smtp; then
    start_smtpd
    wait_up "the mail servers" imap_up lmtp_up smtp_up
    smtpd_pid "$DIR" >/dev/null || {
      show_logs
      fail "OpenSMTPD exited right after starting (logs above)"
    }
  else
    wait_up "Dovecot" imap_up lmtp_up
  fi
  record_dovecot_pid
  if with_smtp; then
    say "IMAP 127.0.0.1:$IMAP_PORT, SMTP 127.0.0.1:$SMTP_PORT (LMTP $LMTP_PORT), password '$MAIL_PASSWORD', dir $DIR; started in $((SECONDS - t0)) s"
  else
    say "IMAP 127.0.0.1:$IMAP_PORT (LMTP $LMTP_PORT, no SMTP), password '$MAIL_PASSWORD', dir $DIR; started in $((SECONDS - t0)) s"
  fi
}

cmd_stop() {
  # Nothing can run from a DIR that does not exist, or without the binaries.
  [ -d "$DIR" ] && find_binaries || return 0
  stop_smtpd "$DIR"
  stop_dovecot "$DIR"
}

cmd_stop_imap() {
  [ -d "$DIR" ] && find_binaries || return 0
  stop_dovecot "$DIR"
}

cmd_start_imap() {
  need_root_to "starting Dovecot"
  need_binaries
  load_ports
  [ -f "$DIR/dovecot.conf" ] || fail "$DIR/dovecot.conf is missing; run: bash scripts/mail-servers.sh start $DIR"
  if ! dovecot_pid "$DIR" >/dev/null; then
    wait_port_free "$IMAP_PORT" || fail "127.0.0.1:$IMAP_PORT is already in use by something else"
    wait_port_free "$LMTP_PORT" || fail "127.0.0.1:$LMTP_PORT is already in use by something else"
    start_dovecot
  fi
  wait_up "Dovecot" imap_up lmtp_up
  record_dovecot_pid
  # Mail that arrived over SMTP while Dovecot was down waits in OpenSMTPD's queue with a growing retry
  # delay: deliver it now instead.
  if smtpd_pid "$DIR" >/dev/null; then smtpctl schedule all </dev/null >/dev/null 2>&1 || true; fi
  say "Dovecot is running: IMAP 127.0.0.1:$IMAP_PORT"
}

cmd_status() {
  need_binaries
  load_ports
  local ok=0
  if dovecot_pid "$DIR" >/dev/null && imap_up; then echo "IMAP 127.0.0.1:$IMAP_PORT up"; else echo "IMAP 127.0.0.1:$IMAP_PORT down" && ok=1; fi
  if ! with_smtp; then
    echo "SMTP none (Dovecot alone)"
  elif smtpd_pid "$DIR" >/dev/null && smtp_up; then
    echo "SMTP 127.0.0.1:$SMTP_PORT up"
  else
    echo "SMTP 127.0.0.1:$SMTP_PORT down" && ok=1
  fi
  return "$ok"
}

cmd_ensure() {
  QUIET=1
  # Already running from DIR: no root needed, nothing to do (the common case for every test file).
  if find_binaries && running_as_configured 2>/dev/null; then
    return 0
  fi
  cmd_install
  cmd_start
}

[ $# -ge 1 ] || usage
COMMAND=$1
shift
case "$COMMAND" in
  install)
    [ $# -eq 0 ] || usage
    lock
    cmd_install
    ;;
  start | ensure)
    parse_args "$@"
    lock
    "cmd_$COMMAND"
    ;;
  stop | stop-imap | start-imap | status)
    [ $# -eq 1 ] || usage
    parse_args "$1"
    [ "$COMMAND" = status ] || lock
    "cmd_${COMMAND//-/_}"
    ;;
  -h | --help | help) usage ;;
  *) usage ;;
esac

#!/usr/bin/env bash
# The engines of the high-availability fault tests: Debian's redis-sentinel (Sentinel runs Redis's own binary) and
# haproxy. The tests start their own instances on free loopback ports in temporary directories; the packages'
# system services are never used. (The PostgreSQL replica is made with pg_basebackup, part of PostgreSQL itself.)
#
#   bash scripts/ha-servers.sh install    # apt-get install what is missing (root)
set -euo pipefail

PACKAGES=(redis-sentinel haproxy)

fail() {
  echo "ha-servers: $*" >&2
  exit 1
}
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

case "${1:-}" in
  install)
    missing=()
    if command -v dpkg-query >/dev/null; then
      for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
    else
      command -v redis-sentinel >/dev/null || missing+=(redis-sentinel)
      command -v haproxy >/dev/null || missing+=(haproxy)
    fi
    [ "${#missing[@]}" -eq 0 ] && exit 0
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
      fail "missing: ${missing[*]}. On Debian/Ubuntu, as root: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}"
    fi
    echo "ha-servers: installing ${missing[*]} (apt-get)"
    log=$(mktemp "${TMPDIR:-/tmp}/ha-servers-apt.XXXXXX")
    # Non-interactive: debconf takes its defaults, conffile questions keep the existing file, nothing waits.
    if ! {
      DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
    } </dev/null >"$log" 2>&1; then
      tail -n 30 "$log" >&2
      rm -f "$log"
      fail "apt-get could not install ${missing[*]} (output above)"
    fi
    rm -f "$log"
    command -v redis-sentinel >/dev/null || fail "redis-sentinel is installed but not on PATH"
    command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || fail "haproxy is installed but not found"
    ;;
  *)
    echo "usage: bash scripts/ha-servers.sh install" >&2
    exit 2
    ;;
esac

#!/usr/bin/env bash
# The browser for the console's tests: Debian's chromium package, driven by playwright-core (which never
# downloads a browser of its own).
#
#   bash scripts/browser.sh install    # apt-get install chromium when /usr/bin/chromium is missing (root)
set -euo pipefail

BROWSER=/usr/bin/chromium

fail() {
  echo "browser: $*" >&2
  exit 1
}

case "${1:-}" in
  install)
    [ -x "$BROWSER" ] && exit 0
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
      fail "$BROWSER is missing. On Debian/Ubuntu, as root: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium"
    fi
    echo "browser: installing chromium (apt-get)"
    log=$(mktemp "${TMPDIR:-/tmp}/browser-apt.XXXXXX")
    # Non-interactive: debconf takes its defaults and nothing can wait for an answer.
    if ! {
      DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold chromium
    } </dev/null >"$log" 2>&1; then
      tail -n 30 "$log" >&2
      rm -f "$log"
      fail "apt-get could not install chromium (output above)"
    fi
    rm -f "$log"
    [ -x "$BROWSER" ] || fail "chromium is installed but $BROWSER is missing"
    ;;
  *)
    echo "usage: bash scripts/browser.sh install" >&2
    exit 2
    ;;
esac

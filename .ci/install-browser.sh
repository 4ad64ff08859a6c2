#!/usr/bin/env bash
# Install what the browser tests need on a fresh Debian machine: Chromium from the Debian
# archive and the Playwright Python package. Idempotent and quiet: does nothing when both exist.
# Playwright's own browser download is never used; the tests launch /usr/bin/chromium.
set -euo pipefail

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ ! -x "$CHROMIUM" ]; then
  echo "installing chromium (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

if ! python -c "import playwright" >/dev/null 2>&1; then
  echo "installing playwright (Python package)"
  python -m pip install --quiet --disable-pip-version-check playwright
fi

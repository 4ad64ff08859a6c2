#!/usr/bin/env bash
# Install what the benchmark harness needs; safe to run again (skips what is present).
#   bash benchmarks/install.sh             wrk (Debian package) for saturation runs
#   bash benchmarks/install.sh --optional  also psutil (CPU) and matplotlib (the PNG plot)
set -euo pipefail

install_wrk() {
  if command -v wrk >/dev/null 2>&1; then
    echo "benchmarks: wrk present ($(command -v wrk))"
    return
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq wrk
}

install_optional() {
  python -m pip install --quiet --disable-pip-version-check psutil matplotlib
}

install_wrk
if [[ "${1:-}" == "--optional" ]]; then
  install_optional
fi
echo "benchmarks: install done"

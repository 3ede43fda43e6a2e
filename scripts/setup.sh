#!/usr/bin/env bash
# Installs everything chorus needs on Debian 12 (as root). Idempotent: a second run is quick.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config clang clang-format libclang-rt-14-dev
  libboost1.81-dev libsimdjson-dev libfmt-dev libssl-dev libcli11-dev libspdlog-dev libsqlite3-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  nodejs npm
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# nodejs/npm may come from outside Debian's packages on some machines: accept any working node.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs/}"); missing=("${missing[@]/npm/}")
fi
read -r -a missing <<<"${missing[*]:-}"
if ((${#missing[@]})); then
  SUDO=""; [[ $(id -u) == 0 ]] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# JS packages for the interop tests and the browser bundle, pinned by package-lock.json.
if [[ -f test/js/package-lock.json ]]; then
  if [[ ! -d test/js/node_modules ]] || [[ test/js/package-lock.json -nt test/js/node_modules/.package-lock.json ]]; then
    (cd test/js && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
# The Node.js reference server for bench/compare.sh, pinned the same way.
if [[ -f bench/node/package-lock.json ]]; then
  if [[ ! -d bench/node/node_modules ]] || [[ bench/node/package-lock.json -nt bench/node/node_modules/.package-lock.json ]]; then
    (cd bench/node && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

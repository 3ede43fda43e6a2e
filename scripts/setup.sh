#!/usr/bin/env bash
# Installs everything chorus needs on Debian 12 (as root). Idempotent: a second run is quick.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config clang clang-format libclang-rt-14-dev
  libboost1.81-dev libsimdjson-dev libfmt-dev libssl-dev libcli11-dev libspdlog-dev libsqlite3-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  liburing-dev  # batched socket writes (server/websocket/sendmsg_batch.hpp)
  # The Redis cluster link: hiredis for RESP, MsgPuck for notepack msgpack (libmsgpack-dev cannot
  # be installed: its libmsgpack-cxx-dev needs libboost-dev 1.74, which conflicts with 1.81).
  libhiredis-dev libmsgpuck-dev
  redis-server nginx  # started by the cluster tests on free ports (never the system services)
  haproxy  # test/js/sticky.test.mjs runs deploy/haproxy/chorus.cfg on a free port (the service is not used)
  nodejs npm
  chromium  # the browser test (test/browser), driven by playwright-core: no browser download
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

# npm packages, each directory pinned by its package-lock.json: the JS interop tests
# (test/js), the browser client bundle chorus serves (web/), the browser test's playwright-core
# (test/browser) and the Node.js reference server for bench/compare.sh (bench/node).
for dir in test/js web test/browser bench/node; do
  [[ -f $dir/package-lock.json ]] || continue
  if [[ ! -d $dir/node_modules ]] || [[ $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

#!/usr/bin/env bash
# Sets up this machine, builds chorus (release) and starts it on http://localhost:3000.
# Extra arguments go to the server, e.g. `scripts/run.sh --threads 4`.
# CHORUS_RUN_BINARY=path runs that binary instead, without setting up or building (the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${CHORUS_RUN_BINARY:-}"
if [[ -z "$binary" ]]; then
  bash scripts/setup.sh
  cmake --preset release >/dev/null
  cmake --build --preset release --target chorus
  binary=./build/release/bin/chorus
fi
# No --port of its own: chorus listens on 3000 unless --port, CHORUS_PORT or --config says
# otherwise, and a second --port would be refused.
exec "$binary" "$@"

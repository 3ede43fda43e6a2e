#!/usr/bin/env bash
# Sets up this machine, builds chorus (release) and starts it on http://localhost:3000.
# Extra arguments go to the server, e.g. `scripts/run.sh --threads 4`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target chorus
exec ./build/release/bin/chorus --port "${CHORUS_PORT:-3000}" "$@"

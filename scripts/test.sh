#!/usr/bin/env bash
# Sets up this machine, builds everything under ASan+UBSan and runs every test (unit tests and
# the JS interop and bad-input suites against the real server), ending with ctest's summary.
# CHORUS_TEST_PRESET=debug|release|asan picks another build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
preset=${CHORUS_TEST_PRESET:-asan}
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j"$(nproc)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Sequential: the interop suites run servers with 300 ms heartbeats and must not starve.
ctest --preset "$preset" --timeout 600

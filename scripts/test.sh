#!/usr/bin/env bash
# Sets up this machine; builds under TSan and runs the concurrency tests (the hub's inbox and the
# multi-shard suites); runs every libFuzzer target for a bounded time (scripts/fuzz.sh); then
# builds everything under ASan+UBSan and runs every test (unit tests and the JS interop,
# bad-input, API, rooms, chat, operations, guard, TLS and metrics suites against the real
# server). Ends with ctest's summary.
#   CHORUS_TEST_PRESET=debug|release|asan  the main build (default asan)
#   CHORUS_TSAN=0                           skip the TSan pass
#   CHORUS_FUZZ_SECONDS=N                   seconds per fuzz target (default 45; 0 skips fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}

if [[ ${CHORUS_TSAN:-1} != 0 ]]; then
  cmake --preset tsan >/dev/null
  cmake --build --preset tsan -j"$(nproc)"
  # The Admin UI's suite too: its stats loop, logins and reports cross shards and a thread pool.
  ctest --preset tsan --timeout 600 -R 'mpsc|Mpsc|RoomsAcrossShards|_4shards|^js_admin$|AsyncMiddleware'
fi

# The fuzz targets, each for a bounded time (before the main suite, so ctest's summary ends CI).
if [[ ${CHORUS_FUZZ_SECONDS:-45} != 0 ]]; then
  bash scripts/fuzz.sh
fi

preset=${CHORUS_TEST_PRESET:-asan}
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j"$(nproc)"
# Sequential: the interop suites run servers with 300 ms heartbeats and must not starve.
ctest --preset "$preset" --timeout 600

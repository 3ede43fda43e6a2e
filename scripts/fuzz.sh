#!/usr/bin/env bash
# Builds the libFuzzer targets (preset "fuzz": clang 14, ASan+UBSan) and runs each for a bounded
# time on a scratch copy of its committed seed corpus (fuzz/corpus/<target>/ is never written);
# fails on any crash, leak, timeout, out-of-memory or sanitizer report.
#   CHORUS_FUZZ_SECONDS=N        seconds per target (default 45)
#   CHORUS_FUZZ_TARGETS="a b"    only these targets (default: every fuzz/fuzz_*.cpp)
# Findings (crash-*, leak-*, timeout-*, oom-*) are kept in build/fuzz/findings/<target>/ with the
# run's log; reproduce one with build/fuzz/bin/<target> <finding file>.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${CHORUS_FUZZ_SECONDS:-45}
targets=${CHORUS_FUZZ_TARGETS:-$(cd fuzz && ls fuzz_*.cpp | sed 's/\.cpp$//')}

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"$(nproc)"

failed=()
for target in $targets; do
  findings=build/fuzz/findings/$target
  mkdir -p "$findings"
  scratch=$(mktemp -d)
  cp -r "fuzz/corpus/$target/." "$scratch/"
  dict=()
  [[ -f fuzz/$target.dict ]] && dict=(-dict="fuzz/$target.dict")
  echo "fuzz: $target for ${seconds}s"
  if build/fuzz/bin/"$target" "${dict[@]}" -max_total_time="$seconds" -rss_limit_mb=2048 \
    -timeout=10 -print_final_stats=1 -artifact_prefix="$findings/" "$scratch" \
    >"$findings/log" 2>&1; then
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$findings/log" | tr '\n' ' '
    echo
  else
    failed+=("$target")
    tail -n 60 "$findings/log"
  fi
  rm -rf "$scratch"
done

if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]} (findings in build/fuzz/findings/)" >&2
  exit 1
fi
echo "fuzz: every target ran ${seconds}s without a finding"

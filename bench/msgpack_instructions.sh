#!/usr/bin/env bash
# Instructions per packet of bench/micro/msgpack_bench.cpp's four kernels (decode and encode,
# --parser json and msgpack) for each of its cases, counted by callgrind: repeatable where the
# timings of a shared machine are not. Each benchmark iteration calls one noinline function
# (decode_json_once, decode_msgpack_once, encode_json_once, encode_msgpack_once); its inclusive
# instruction count (Ir) summed over every call from the benchmark, divided by the number of
# those calls, is the figure, whatever number of iterations Google Benchmark picks (1.7 has no
# fixed iteration count). One-time costs inside the kernels (the first allocations of a simdjson
# parser's buffers, once per benchmark run) are spread over the calls: MIN_TIME makes them
# thousands. One callgrind run per case (about 20 s each under valgrind).
#   bash bench/msgpack_instructions.sh
# Environment:
#   BENCH_BIN  the benchmark (default build/release/bin/chorus_msgpack_bench; built beforehand:
#              cmake --build build/release --target chorus_msgpack_bench)
#   MIN_TIME   --benchmark_min_time under valgrind (default 0.5 s)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BENCH_BIN:-build/release/bin/chorus_msgpack_bench}
min_time=${MIN_TIME:-0.5}
[[ -x $bin ]] || { echo "msgpack_instructions.sh: no executable at $bin" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "msgpack_instructions.sh: valgrind is not installed" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# per_call <callgrind file> <function>: "<Ir per call> <calls>" over every call of the function.
# Uncompressed output: each call is "cfn=<name>", "calls=<count> <line>", "<line> <inclusive Ir>".
per_call() {
  awk -v fn="::$2(" '
    /^cfn=/ { hit = index($0, fn) > 0; next }
    hit && /^calls=/ { split(substr($0, 7), c, " "); calls += c[1]; want = 1; next }
    want { ir += $2; want = 0; hit = 0 }
    END { if (calls) printf "%.0f %d\n", ir / calls, calls; else print "- 0" }' "$1"
}

echo "| case | decode, json (Ir) | decode, msgpack (Ir) | msgpack/json | encode, json (Ir) | encode, msgpack (Ir) | msgpack/json |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for c in message message_500 users history_50 binary; do
  out="$work/$c.callgrind"
  valgrind --tool=callgrind --compress-strings=no --compress-pos=no --callgrind-out-file="$out" \
    "$bin" --benchmark_filter="/$c\$" --benchmark_min_time="$min_time" >"$work/$c.log" 2>&1 ||
    { cat "$work/$c.log" >&2; exit 1; }
  row=("$c")
  for pair in "decode_json_once decode_msgpack_once" "encode_json_once encode_msgpack_once"; do
    read -r json_fn msgpack_fn <<<"$pair"
    read -r json_ir json_calls < <(per_call "$out" "$json_fn")
    read -r msgpack_ir msgpack_calls < <(per_call "$out" "$msgpack_fn")
    echo "$c: $json_fn $json_ir Ir × $json_calls calls, $msgpack_fn $msgpack_ir Ir × $msgpack_calls calls" >&2
    row+=("$json_ir" "$msgpack_ir" "$(awk -v a="$msgpack_ir" -v b="$json_ir" 'BEGIN { printf "%.2f", a / b }')")
  done
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "${row[@]}"
done

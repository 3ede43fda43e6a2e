#!/usr/bin/env bash
# What connection state recovery costs the server on fan-out: chorus-bench fanout (1 room × 1,000
# subscribers, 1 publisher, 100 B, as compare.sh's fanout) against chorus-room-server --threads 1
# with --recovery-window 0 (off) and 120000 (on: every broadcast numbered, stored, and its frame
# re-encoded once with the offset), in PAIRS off/on pairs, interleaved (which side goes first
# alternates), a fresh server per run, so that a busy machine disturbs both sides alike. Prints
# each run, then a table of medians of the server's CPU time per delivery (chorus-bench
# --server-pid) and the on/off ratio. Every run is bounded (--messages, --max-time): a few minutes
# at most. Not for CI: the figures need a quiet machine, or at least the interleaving.
#   bash bench/recovery.sh [extra chorus-bench fanout options]
# Environment:
#   PAIRS           off/on pairs (default 5)
#   OFF_PAYLOAD     payload of the runs with recovery off (default 100). With it on, each frame
#                   carries the offset too (`,"12345"`: 8 more bytes past offset 9999), so
#                   OFF_PAYLOAD=108 compares frames of the same size: what is left is the code.
#   MESSAGES        fanout messages per run (default 20000: 20 M deliveries; the CPU time is read
#                   in 10 ms ticks, so a run wants seconds of it)
#   CHORUS_THREADS  chorus-room-server shards (default 1)
#   PRESET          cmake preset to build (default release); BUILD_DIR (default build/$PRESET)
#   BENCH_WORKERS   chorus-bench worker processes (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${PRESET:-release}
build=${BUILD_DIR:-build/$preset}
threads=${CHORUS_THREADS:-1}
workers=${BENCH_WORKERS:-2}
pairs=${PAIRS:-5}
off_payload=${OFF_PAYLOAD:-100}
bin=$build/bin

if [[ $build == "build/$preset" ]]; then
  cmake --preset "$preset" >/dev/null
else
  cmake --preset "$preset" -B "$build" >/dev/null
fi
nice -n 19 cmake --build "$build" --target chorus-bench chorus-room-server -j2 >/dev/null

fanout=(--rooms 1 --subscribers 1000 --publishers 1 --in-flight 200
        --messages "${MESSAGES:-20000}" --max-time 90
        --workers "$workers" --source-ips 2 --connect-timeout 90 --handshake-timeout 60
        --drain-timeout 30 --no-progress "$@")

source bench/lib/server.sh
work=$(mktemp -d)
trap 'stop_server; rm -rf "$work"' EXIT

# run <name> <recovery window ms> <payload>: a fresh server, one fanout run, its JSON in
# $work/<name>.json.
run() {
  local name=$1 window=$2 payload=$3
  local server=("$bin/chorus-room-server" --threads "$threads" --recovery-window "$window" --port 0)
  start_server "$name" "$work/$name.server" "${server[@]}"
  echo "== $name: ${server[*]}; chorus-bench fanout --port $port --server-pid $server_pid --json --payload $payload ${fanout[*]}" >&2
  "$bin/chorus-bench" fanout --port "$port" --server-pid "$server_pid" --json --payload "$payload" "${fanout[@]}" \
    >"$work/$name.json"
  cut -c1-300 "$work/$name.json" >&2
  stop_server
}

for i in $(seq "$pairs"); do
  # Alternate which side goes first, so a trend in the machine's load favours neither.
  if ((i % 2)); then
    run "off.$i" 0 "$off_payload"
    run "on.$i" 120000 100
  else
    run "on.$i" 120000 100
    run "off.$i" 0 "$off_payload"
  fi
done

node - "$work" "$pairs" "$threads" "$off_payload" <<'JS'
const fs = require('fs');
const [dir, pairs, threads, offPayload] = process.argv.slice(2);
const load = (name) => JSON.parse(fs.readFileSync(`${dir}/${name}.json`, 'utf8'));
const { printFigureRows } = require(require('path').resolve('bench/lib/tables.js'));
const runs = { off: [], on: [] };
for (let i = 1; i <= Number(pairs); ++i) for (const side of ['off', 'on']) runs[side].push(load(`${side}.${i}`));
const figures = [
  ['server CPU per delivery (µs)', (r) => r.server_cpu_per_delivery_us, 4],
  ['deliveries/s', (r) => r.deliveries_per_second, 0],
  ['latency p50 (ms)', (r) => r.latency_us.p50 / 1000, 1],
  ['latency p99 (ms)', (r) => r.latency_us.p99 / 1000, 1],
];
console.log(`| fanout, 1 room × 1000 subscribers, 1 publisher, chorus-room-server --threads ${threads} ` +
            `(median of ${pairs}, runs in brackets) | --recovery-window 0, ${offPayload} B | ` +
            `--recovery-window 120000, 100 B | on/off |`);
console.log('| --- | --- | --- | --- |');
printFigureRows(figures, [runs.off, runs.on], 3);
const lost = (side) => runs[side].map((r) => `${r.deliveries}/${r.lost}`).join(', ');
console.log(`| deliveries/lost per run | ${lost('off')} | ${lost('on')} | |`);
JS

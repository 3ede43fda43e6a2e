#!/usr/bin/env bash
# chorus against the Node.js reference (socket.io 4.8.4, bench/node/room-server.mjs): the same
# fanout scenario run by chorus-bench against each, then a side-by-side table.
#   MESSAGES=5000 bash bench/compare.sh [extra chorus-bench fanout options, e.g. --payload 200]
# Environment: CHORUS_THREADS (chorus-room-server shards, default 1: Node.js is one thread too),
#   PRESET (default release), BENCH_WORKERS (chorus-bench worker processes, default 2).
# Needs `npm ci` in bench/node (scripts/setup.sh does it).
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${PRESET:-release}
threads=${CHORUS_THREADS:-1}
workers=${BENCH_WORKERS:-2}
bin=build/$preset/bin

cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" --target chorus-bench chorus-room-server -j2 >/dev/null
[[ -d bench/node/node_modules/socket.io ]] || (cd bench/node && npm ci --no-audit --no-fund --loglevel=error)

scenario=(--rooms 1 --subscribers 1000 --publishers 1 --payload 100 --in-flight 200
          --messages "${MESSAGES:-20000}" --workers "$workers" --source-ips 2 --connect-timeout 60
          --drain-timeout 30 --max-time 300 "$@")
work=$(mktemp -d)
server_pid=
stop_server() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
trap 'stop_server; rm -rf "$work"' EXIT

# run_against <name> <server command...>: starts the server, waits for its port, runs the bench.
run_against() {
  local name=$1; shift
  "$@" --port 0 >"$work/$name.server" 2>&1 &
  server_pid=$!
  local port=
  for _ in $(seq 300); do
    port=$(sed -n 's/^listening on port \([0-9]*\)$/\1/p' "$work/$name.server")
    [[ -n $port ]] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/$name.server"; exit 1; }
    sleep 0.05
  done
  [[ -n $port ]] || { echo "$name did not start"; exit 1; }
  echo "== $name (pid $server_pid, port $port): chorus-bench fanout ${scenario[*]}" >&2
  "$bin/chorus-bench" fanout --port "$port" --server-pid "$server_pid" --json "${scenario[@]}" \
    >"$work/$name.json"
  cat "$work/$name.json" >&2
  stop_server
}

run_against chorus "$bin/chorus-room-server" --threads "$threads"
run_against node node bench/node/room-server.mjs

node - "$work/chorus.json" "$work/node.json" "$threads" <<'JS'
const fs = require('fs');
const [c, n] = [process.argv[2], process.argv[3]].map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
const threads = process.argv[4];
const rows = [
  ['deliveries/s', (r) => r.deliveries_per_second, 0],
  ['latency p50 (ms)', (r) => r.latency_us.p50 / 1000, 1],
  ['latency p99 (ms)', (r) => r.latency_us.p99 / 1000, 1],
  ['server CPU per delivery (µs)', (r) => r.server_cpu_per_delivery_us, 3],
  ['deliveries (lost)', (r) => `${r.deliveries} (${r.lost})`, null],
];
console.log(`| ${c.rooms} room × ${c.subscribers} subscribers, ${c.publishers} publisher, ` +
            `${c.payload} B, ${c.in_flight} in flight, ${c.sent} messages | chorus (${threads} shard) | Node.js socket.io 4.8.4 | Node/chorus |`);
console.log('| --- | --- | --- | --- |');
for (const [label, get, digits] of rows) {
  const [a, b] = [get(c), get(n)];
  if (digits === null) { console.log(`| ${label} | ${a} | ${b} | |`); continue; }
  const ratio = b / a;
  console.log(`| ${label} | ${a.toFixed(digits)} | ${b.toFixed(digits)} | ${ratio.toFixed(2)} |`);
}
JS

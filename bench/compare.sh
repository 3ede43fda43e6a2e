#!/usr/bin/env bash
# chorus (the chat app, `chorus --rate-limit 0 --db :memory:`) against the Node.js reference (socket.io 4.8.4, bench/node/room-server.mjs): the same
# chorus-bench scenarios run against each (a fresh server per scenario), then one side-by-side
# table with ratios. Every run is bounded (--max-time / --duration), so the script takes a few
# minutes at most. Not for CI: the figures need a quiet machine.
#   MESSAGES=5000 bash bench/compare.sh [extra chorus-bench fanout options, e.g. --payload 200]
# Environment:
#   MESSAGES        fanout messages (default 5000: 5 M deliveries to 1,000 subscribers)
#   SCENARIOS       which to run, default "fanout echo connect idle"
#   CHORUS_THREADS  chorus shards (default 1: Node.js is one thread too)
#   PRESET          cmake preset to build (default release); BUILD_DIR (default build/$PRESET)
#   BENCH_WORKERS   chorus-bench worker processes (default 2)
#   ECHO_SECONDS, CONNECT_SECONDS (default 5 each), IDLE_CONNECTIONS (default 5000)
# Needs `npm ci` in bench/node (done here when node_modules is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${PRESET:-release}
build=${BUILD_DIR:-build/$preset}
threads=${CHORUS_THREADS:-1}
workers=${BENCH_WORKERS:-2}
scenarios=${SCENARIOS:-fanout echo connect idle}
bin=$build/bin

if [[ $build == "build/$preset" ]]; then
  cmake --preset "$preset" >/dev/null
else
  cmake --preset "$preset" -B "$build" >/dev/null
fi
cmake --build "$build" --target chorus-bench chorus -j2 >/dev/null
[[ -d bench/node/node_modules/socket.io ]] || (cd bench/node && npm ci --no-audit --no-fund --loglevel=error)

common=(--workers "$workers" --source-ips 2 --connect-timeout 90 --handshake-timeout 60 --drain-timeout 30
        --no-progress)
fanout=(--rooms 1 --subscribers 1000 --publishers 1 --payload 100 --in-flight 200
        --messages "${MESSAGES:-5000}" --max-time 120 "$@")
echo_=(--connections 100 --in-flight 1 --payload 100 --duration "${ECHO_SECONDS:-5}")
connect=(--duration "${CONNECT_SECONDS:-5}" --connect-concurrency 50)
idle=(--connections "${IDLE_CONNECTIONS:-5000}" --hold 2)

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

# run_against <server name> <scenario> <server command...>: starts the server, waits for its port,
# runs the scenario against it, stops it.
run_against() {
  local name=$1 scenario=$2; shift 2
  : >"$work/$name.server"  # there before the first look, however late the server starts
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
  local -n args=$scenario
  [[ $scenario == echo_ ]] && scenario=echo
  echo "== $name (pid $server_pid, port $port): chorus-bench $scenario ${args[*]} ${common[*]}" >&2
  "$bin/chorus-bench" "$scenario" --port "$port" --server-pid "$server_pid" --json "${args[@]}" \
    "${common[@]}" >"$work/$name.$scenario.json"
  cut -c1-400 "$work/$name.$scenario.json" >&2
  stop_server
}

for scenario in $scenarios; do
  var=$scenario
  [[ $scenario == echo ]] && var=echo_
  # The chat app itself (the seed's handlers, history in memory), rate limit off.
  run_against chorus "$var" "$bin/chorus" --threads "$threads" --rate-limit 0 --db :memory:
  run_against node "$var" node bench/node/room-server.mjs
done

node - "$work" "$threads" $scenarios <<'JS'
const fs = require('fs');
const [dir, threads, ...scenarios] = process.argv.slice(2);
const load = (who, s) => JSON.parse(fs.readFileSync(`${dir}/${who}.${s}.json`, 'utf8'));
const ms = (us) => us / 1000;
const rows = {
  fanout: (r) => [
    [`fanout: ${r.rooms} room × ${r.subscribers} subscribers, ${r.publishers} publisher, ` +
     `${r.payload} B, ${r.in_flight} in flight, ${r.sent} messages — deliveries/s`, r.deliveries_per_second, 0],
    ['fanout: latency p50 (ms)', ms(r.latency_us.p50), 1],
    ['fanout: latency p99 (ms)', ms(r.latency_us.p99), 1],
    ['fanout: server CPU per delivery (µs)', r.server_cpu_per_delivery_us, 3],
    ['fanout: deliveries (lost)', `${r.deliveries} (${r.lost})`, null],
  ],
  echo: (r) => [
    [`echo: ${r.connections} connections to ${r.namespace}, ${r.in_flight} in flight — round trips/s`,
     r.round_trips_per_second, 0],
    ['echo: round trip p50 (ms)', ms(r.latency_us.p50), 2],
    ['echo: round trip p99 (ms)', ms(r.latency_us.p99), 2],
    ['echo: server CPU per round trip (µs)', r.server_cpu_per_round_trip_us, 2],
    ['echo: round trips (lost)', `${r.round_trips} (${r.lost})`, null],
  ],
  connect: (r) => [
    ['connect: handshakes/s (TCP connect → CONNECT reply, then close)', r.handshakes_per_second, 0],
    ['connect: handshake p50 (ms)', ms(r.latency_us.p50), 2],
    ['connect: handshake p99 (ms)', ms(r.latency_us.p99), 2],
    ['connect: server CPU per handshake (µs)', r.server_cpu_per_handshake_us, 1],
  ],
  idle: (r) => [
    [`idle: server RSS per connection (bytes), ${r.held} held`, r.rss_per_connection_bytes, 0],
  ],
};
console.log(`| scenario and figure | chorus (${threads} shard) | Node.js socket.io 4.8.4 | Node/chorus |`);
console.log('| --- | --- | --- | --- |');
for (const s of scenarios) {
  const [c, n] = [load('chorus', s), load('node', s)];
  const [cr, nr] = [rows[s](c), rows[s](n)];
  cr.forEach(([label, a, digits], i) => {
    const b = nr[i][1];
    if (digits === null) { console.log(`| ${label} | ${a} | ${b} | |`); return; }
    const ratio = a ? (b / a).toFixed(2) : '';
    console.log(`| ${label} | ${a.toFixed(digits)} | ${b.toFixed(digits)} | ${ratio} |`);
  });
}
JS

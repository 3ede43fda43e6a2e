#!/usr/bin/env bash
# Fan-out across two nodes joined over Redis, against the same fan-out on one node alone, for
# chorus (`chorus-room-server --threads 1 --redis-url …`: the seed's room handlers, as the Node.js
# side runs them; the chat app would also store each message in Redis first) and for the Node.js
# reference (bench/node/room-server.mjs --redis-url: socket.io 4.8.4 with
# @socket.io/redis-adapter 8.3.0 and redis 4.7.0). It starts its own redis-server on a free
# loopback port; per side:
#   1 node:  chorus-bench fanout against the node alone (no Redis): every delivery is local;
#   2 nodes: nodes A and B with --redis-url; `--servers A,B` puts the room's subscribers on both
#            (round-robin: half on each) and the one publisher on A, so A delivers its half
#            locally and publishes to Redis, and every delivery B makes came across from A.
# Each node's CPU (utime+stime over the measured phase, --server-pids) is divided by the
# deliveries it made (to its own subscribers); the headline ratio is B's CPU per cross-node
# delivery over the lone node's CPU per local delivery. One table at the end. Every run is
# bounded (--max-time); everything started here is stopped on exit. Not for CI: the figures need
# a quiet machine (both nodes, Redis and the load client share its cores).
#   bash bench/cluster.sh [chorus-bench fanout options not set here, e.g. --polling-share 0.2]
# Exits 1 when a run failed or lost deliveries (the table is printed either way).
# Environment:
#   SIDES         which servers, default "chorus node"
#   SUBSCRIBERS   subscribers in the room (default 1000: 500 per node in the 2-node runs)
#   MESSAGES      messages from the publisher (default 2000)
#   IN_FLIGHT     messages the publisher keeps outstanding (default 200)
#   PAYLOAD       message bytes (default 100)
#   PRESET        cmake preset to build (default release); BUILD_DIR (default build/$PRESET)
#   BENCH_WORKERS chorus-bench worker processes (default 2)
#   NO_BUILD=1    use the binaries in BUILD_DIR as they are
#   CHORUS_SERVER the chorus server (default $BUILD_DIR/bin/chorus-room-server), e.g. another
#                 checkout's; `$BUILD_DIR/bin/chorus` measures the chat app instead
# chorus's half needs `--help` to show --redis-url; without it, its 2-node runs are skipped (the
# table says so). Needs redis-server and `npm ci` in bench/node (done here when
# the Redis adapter is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${PRESET:-release}
build=${BUILD_DIR:-build/$preset}
workers=${BENCH_WORKERS:-2}
sides=${SIDES:-chorus node}
bin=$build/bin
chorus=${CHORUS_SERVER:-$bin/chorus-room-server}

if [[ -z ${NO_BUILD:-} ]]; then
  if [[ $build == "build/$preset" ]]; then
    cmake --preset "$preset" >/dev/null
  else
    cmake --preset "$preset" -B "$build" >/dev/null
  fi
  nice -n 19 cmake --build "$build" --target chorus-bench chorus-room-server -j2 >/dev/null
fi
if [[ " $sides " == *" node "* && ! -d bench/node/node_modules/@socket.io/redis-adapter ]]; then
  (cd bench/node && npm ci --no-audit --no-fund --loglevel=error)
fi

fanout=(--rooms 1 --subscribers "${SUBSCRIBERS:-1000}" --publishers 1 --payload "${PAYLOAD:-100}"
        --in-flight "${IN_FLIGHT:-200}" --messages "${MESSAGES:-2000}" --max-time 120
        --workers "$workers" --source-ips 2 --connect-timeout 90 --handshake-timeout 60
        --drain-timeout 30 --no-progress --json "$@")

work=$(mktemp -d)
pids=()
running() {  # running <pid>: alive and not yet a zombie
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $state != Z* ]]
}
stop() {  # stop <pid>...: TERM, up to 5 s of grace, then KILL; reaped, so off the list
  local pid kept=() p
  for pid in "$@"; do kill "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    for _ in $(seq 50); do running "$pid" || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  # A reaped pid may be reused by another process: never signal it again.
  for p in "${pids[@]}"; do [[ " $* " == *" $p "* ]] || kept+=("$p"); done
  pids=("${kept[@]}")
}
cleanup() {
  if ((${#pids[@]})); then stop "${pids[@]}"; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cpu_ticks() {  # utime + stime of a process, in clock ticks (fields 14 and 15 after the comm)
  sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}

# start_server <name> <command...>: runs it with --port 0 and waits for "listening on port N";
# sets port and server_pid.
start_server() {
  local name=$1; shift
  : >"$work/$name.out"  # there before the first look, however late the server starts
  "$@" --port 0 >"$work/$name.out" 2>"$work/$name.err" &
  server_pid=$!
  pids+=("$server_pid")
  port=
  for _ in $(seq 300); do
    port=$(sed -n 's/^listening on port \([0-9]*\)$/\1/p' "$work/$name.out")
    [[ -n $port ]] && return
    kill -0 "$server_pid" 2>/dev/null || { echo "$name exited:"; cat "$work/$name.err"; exit 1; }
    sleep 0.05
  done
  echo "$name did not start"; exit 1
}

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
  >"$work/redis.log" 2>&1 &
redis_pid=$!
pids+=("$redis_pid")
redis() { redis-cli -p "$redis_port" "$@"; }
for _ in $(seq 100); do [[ $(redis ping 2>/dev/null) == PONG ]] && break; sleep 0.05; done
[[ $(redis ping 2>/dev/null) == PONG ]] || { echo "redis-server did not start:"; cat "$work/redis.log"; exit 1; }
redis_url=redis://127.0.0.1:$redis_port

# Clients of this Redis that have subscribed to anything (channels or patterns).
subscribed_clients() {
  redis client list | grep -c -E ' (sub=[1-9]|psub=[1-9])' || true
}

# bench <file> <args...>: chorus-bench fanout; its JSON report in <file> even when messages were
# lost (exit 1 with a report); a run that failed outright leaves a note instead.
bench() {
  local file=$1; shift
  echo "== chorus-bench fanout $* ${fanout[*]}" >&2
  # In the background and waited for: a signal's trap runs at once, not after the run.
  "$bin/chorus-bench" fanout "$@" "${fanout[@]}" >"$file" 2>"$file.err" &
  local bench_pid=$! code=0
  pids+=("$bench_pid")
  wait "$bench_pid" || code=$?
  stop "$bench_pid"
  if ((code != 0)); then
    cat "$file.err" >&2
    [[ -s $file ]] || echo "{\"failed\":$(node -e 'console.log(JSON.stringify(process.argv[1]))' \
      "$(head -c 300 "$file.err")")}" >"$file"
  fi
  cut -c1-300 "$file" >&2
}

# run_side <side> <server command...>: the 1-node run, then the 2-node run (nodes get
# --redis-url appended), each with fresh servers.
run_side() {
  local side=$1; shift
  start_server "$side.alone" "$@"
  local alone_pid=$server_pid
  bench "$work/$side.1.json" --port "$port" --server-pid "$alone_pid"
  stop "$alone_pid"

  if [[ $side == chorus ]] && ! "$chorus" --help 2>&1 | grep -q -- --redis-url; then
    echo '{"skipped":"chorus --help shows no --redis-url yet"}' >"$work/$side.2.json"
    echo "== $side: 2-node run skipped (no --redis-url)" >&2
    return
  fi
  local before
  before=$(subscribed_clients)
  start_server "$side.a" "$@" --redis-url "$redis_url"
  local a_pid=$server_pid a_port=$port
  start_server "$side.b" "$@" --redis-url "$redis_url"
  local b_pid=$server_pid b_port=$port
  # Both nodes subscribed (each with at least one subscribing connection) before any join; a
  # node that subscribes only once a room has members gets the setup phase to do it.
  for _ in $(seq 100); do (($(subscribed_clients) >= before + 2)) && break; sleep 0.05; done
  (($(subscribed_clients) >= before + 2)) ||
    echo "== $side: after 5 s, $(($(subscribed_clients) - before)) of 2 nodes subscribe to Redis" >&2
  local redis_before
  redis_before=$(cpu_ticks "$redis_pid")
  bench "$work/$side.2.json" --servers "127.0.0.1:$a_port,127.0.0.1:$b_port" \
    --server-pids "$a_pid,$b_pid"
  echo $(($(cpu_ticks "$redis_pid") - redis_before)) >"$work/$side.redis_ticks"
  stop "$a_pid" "$b_pid"
}

for side in $sides; do
  case $side in
    chorus)
      chorus_args=(--threads 1)
      # The chat app: no rate limit, no history kept across runs.
      [[ $(basename "$chorus") == chorus ]] && chorus_args+=(--rate-limit 0 --db :memory:)
      run_side chorus "$chorus" "${chorus_args[@]}" ;;
    node) run_side node node bench/node/room-server.mjs ;;
    *) echo "unknown side '$side' (chorus, node)"; exit 2 ;;
  esac
done

node - "$work" "$(getconf CLK_TCK)" $sides <<'JS'
const fs = require('fs');
const [dir, tck, ...sides] = process.argv.slice(2);
const load = (file) => {
  try { return JSON.parse(fs.readFileSync(`${dir}/${file}`, 'utf8')); } catch { return null; }
};
const ticks = (side) => {
  try { return Number(fs.readFileSync(`${dir}/${side}.redis_ticks`, 'utf8')); } catch { return null; }
};
const runs = Object.fromEntries(sides.map((s) => [s, {
  one: load(`${s}.1.json`), two: load(`${s}.2.json`), redisTicks: ticks(s),
}]));
const ok = (r) => r && !r.failed && !r.skipped;
const why = (r) => (!r ? 'no report' : r.failed ? `failed: ${r.failed.split('\n')[0]}`
  : r.skipped ? `skipped: ${r.skipped}` : '');
const node = (r, i) => (ok(r) && r.servers && r.servers[i]) || null;
// [label, value of a side's runs (a number, a string or null), decimals (null: as is), whether
// a Node/chorus ratio means anything]
const figures = [
  ['1 node: deliveries/s', (x) => ok(x.one) ? x.one.deliveries_per_second : null, 0],
  ['1 node: deliveries (lost)', (x) => ok(x.one) ? `${x.one.deliveries} (${x.one.lost})` : null, null],
  ['1 node: latency p50 / p99 (ms)', (x) => ok(x.one)
    ? `${(x.one.latency_us.p50 / 1000).toFixed(1)} / ${(x.one.latency_us.p99 / 1000).toFixed(1)}` : null, null],
  ['1 node: CPU per (local) delivery (µs)', (x) => node(x.one, 0)?.cpu_per_received_us ?? null, 3],
  ['2 nodes: deliveries/s', (x) => ok(x.two) ? x.two.deliveries_per_second : null, 0],
  ['2 nodes: deliveries (lost)', (x) => ok(x.two) ? `${x.two.deliveries} (${x.two.lost})` : null, null],
  ['2 nodes: latency p50 / p99 (ms)', (x) => ok(x.two)
    ? `${(x.two.latency_us.p50 / 1000).toFixed(1)} / ${(x.two.latency_us.p99 / 1000).toFixed(1)}` : null, null],
  ['2 nodes: node A (publisher + local half): deliveries', (x) => node(x.two, 0)?.received ?? null, 0, false],
  ['2 nodes: node A CPU per delivery it made (µs)', (x) => node(x.two, 0)?.cpu_per_received_us ?? null, 3],
  ['2 nodes: node B (all cross-node): deliveries', (x) => node(x.two, 1)?.received ?? null, 0, false],
  ['2 nodes: node B CPU per cross-node delivery (µs)', (x) => node(x.two, 1)?.cpu_per_received_us ?? null, 3],
  ['node B per cross-node delivery / 1 node per local delivery', (x) => {
    const b = node(x.two, 1)?.cpu_per_received_us, l = node(x.one, 0)?.cpu_per_received_us;
    return b && l ? b / l : null;
  }, 2, false],
  ['2 nodes: Redis CPU per message (µs, whole run)', (x) => ok(x.two) && x.redisTicks !== null && x.two.sent
    ? (x.redisTicks / tck) * 1e6 / x.two.sent : null, 1],
];
const names = { chorus: 'chorus (1 thread per node)', node: 'Node.js socket.io 4.8.4 + redis-adapter 8.3.0' };
const r0 = Object.values(runs).map((x) => x.one).find(ok);
if (r0) {
  console.log(`fanout: 1 room × ${r0.subscribers} subscribers, 1 publisher (on node A), ${r0.payload} B, ` +
              `${r0.in_flight} in flight, ${r0.sent} messages; 2 nodes: subscribers round-robin over A and B`);
}
const both = sides.includes('chorus') && sides.includes('node');
console.log(`| figure | ${sides.map((s) => names[s]).join(' | ')} |${both ? ' Node/chorus |' : ''}`);
console.log(`| --- |${sides.map(() => ' --- |').join('')}${both ? ' --- |' : ''}`);
for (const [label, get, digits, comparable = true] of figures) {
  const values = sides.map((s) => get(runs[s]));
  const cells = values.map((v) => v === null ? '-' : digits === null ? v : Number(v).toFixed(digits));
  let ratio = '';
  if (both && digits !== null && comparable) {
    const [c, n] = [values[sides.indexOf('chorus')], values[sides.indexOf('node')]];
    ratio = c && n ? (n / c).toFixed(2) : '';
  }
  console.log(`| ${label} | ${cells.join(' | ')} |${both ? ` ${ratio} |` : ''}`);
}
for (const s of sides) {
  for (const [k, r] of [['1 node', runs[s].one], ['2 nodes', runs[s].two]]) {
    if (!ok(r)) console.log(`${s}, ${k}: ${why(r)}`);
    if (!r || r.failed || (ok(r) && r.lost > 0)) process.exitCode = 1;
  }
}
JS

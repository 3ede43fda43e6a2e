#!/usr/bin/env bash
# What --parser msgpack costs the server on fan-out, against --parser json (issue 18): the chat
# app (`chorus --threads 1 --rate-limit 0 --db :memory:`, a fresh server per run, 127.0.0.1
# only) and chorus-bench fanout with the same --parser: RECEIVERS WebSocket subscribers that join
# nothing, and one publisher emitting MESSAGES lobby `message` events ({message: PAYLOAD bytes of
# text}) at RATE per second, which the chat sends to every connection as `message` {username,
# message, timestamp} (bench/tls.sh's scenario; the publisher gets its own too, not counted).
# Under msgpack every Socket.IO packet both ways is one binary WebSocket message
# (socket.io-msgpack-parser 3); the server encodes each broadcast once either way
# (the msgpack packet_writer re-parses the arguments' JSON to write msgpack). Modes json and
# msgpack, interleaved in every round (which goes first alternates, so a trend in the machine's
# load favours neither). Per run, from chorus-bench's report: the server's CPU per delivery over
# the measured phase only (utime + stime of /proc/PID/stat, every thread, divided by the
# deliveries), the client's CPU per delivery, deliveries/s and latency, and the server's user and
# system CPU over its whole life (connecting included, /proc/PID/stat once the run is over): the
# parsers' work is user time. Prints each run's report, then a table of medians over ROUNDS with
# the msgpack/json ratio. Bounded: a run has --max-time RUN_TIMEOUT and is killed RUN_TIMEOUT +
# 60 s after it starts; the servers started here are stopped on exit. Not for CI: the figures
# want a quiet machine, or at least the interleaving. The defaults take about 3 minutes (2
# cores, busy).
# SCENARIO=echo runs the other extreme instead: every packet reaches one socket, so what the
# parser costs per packet is not spread over a room. CONNECTIONS chorus-bench echo connections
# on the chat's /chat (a `message` comes back to its sender as `response`: one decode and one
# encode per round trip), MESSAGES in all, one in flight per connection, unpaced (each
# connection sends its next message once the last came back); the figures are per round trip.
#   bash bench/msgpack.sh [extra chorus-bench options]
#   ROUNDS=5 bash bench/msgpack.sh
#   SCENARIO=echo ROUNDS=5 bash bench/msgpack.sh
# Environment:
#   SCENARIO        fanout (default) or echo
#   CHORUS_BIN      chorus binary, relative to the repository root or absolute
#                   (default build/release/bin/chorus; built beforehand, not here)
#   BENCH_BIN       chorus-bench binary (default build/release/bin/chorus-bench)
#   RECEIVERS       fanout: subscribers (default 1000)
#   CONNECTIONS     echo: connections (default 100)
#   MESSAGES        broadcasts or echoes per run (default 3000 for fanout: 3,000,000 deliveries
#                   at 1,000 receivers; 50000 for echo; the CPU time is read in 10 ms ticks, so
#                   a run wants seconds of it)
#   RATE            fanout: broadcasts per second (default 200: 200,000 deliveries/s, which the
#                   client keeps up with under both parsers; faster, the client falls behind,
#                   the server's writes batch more frames, and its CPU per delivery drops for a
#                   reason that is the client's, not the parser's)
#   PAYLOAD         bytes of text per message (default 100)
#   ROUNDS          rounds of both modes (default 3)
#   CHORUS_THREADS  chorus shards (default 1)
#   BENCH_WORKERS   chorus-bench worker processes (default 2)
#   RUN_TIMEOUT     seconds a run's measured phase may take (default 120)
set -euo pipefail
cd "$(dirname "$0")/.."
chorus_bin=${CHORUS_BIN:-build/release/bin/chorus}
bench_bin=${BENCH_BIN:-build/release/bin/chorus-bench}
scenario=${SCENARIO:-fanout}
receivers=${RECEIVERS:-1000}
connections=${CONNECTIONS:-100}
payload=${PAYLOAD:-100}
rounds=${ROUNDS:-3}
threads=${CHORUS_THREADS:-1}
workers=${BENCH_WORKERS:-2}
run_timeout=${RUN_TIMEOUT:-120}

for b in "$chorus_bin" "$bench_bin"; do
  [[ -x $b ]] || { echo "msgpack.sh: no executable at $b (build it: cmake --build build/release --target chorus chorus-bench)" >&2; exit 1; }
done

case $scenario in
  fanout)
    messages=${MESSAGES:-3000} rate=${RATE:-200}
    load=(fanout --rooms 1 --subscribers "$receivers" --publishers 1 --join-template ''
          --joined-text '' --send-template '42["message",{"message":"{payload}"}]' --in-flight 200
          --rate "$rate")
    what="fanout: $receivers receivers (WebSocket), lobby \`message\` of $payload B, $messages at $rate/s"
    item=delivery items=deliveries ;;
  echo)
    messages=${MESSAGES:-50000}
    load=(echo --connections "$connections" --in-flight 1)
    what="echo on /chat: $connections connections (WebSocket), \`message\` of $payload B → \`response\`, $messages"
    item="round trip" items="round trips" ;;
  *) echo "msgpack.sh: SCENARIO must be fanout or echo" >&2; exit 2 ;;
esac
load+=(--payload "$payload" --messages "$messages" --max-time "$run_timeout"
       --workers "$workers" --source-ips 2 --connect-timeout 90 --handshake-timeout 60
       --drain-timeout 30 --no-progress "$@")

source bench/lib/server.sh
work=$(mktemp -d)
trap 'stop_server; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# run <parser> <round>: a fresh server, one chorus-bench run, its JSON in
# $work/<parser>.<round>.json.
run() {
  local parser=$1 round=$2
  local server=("$chorus_bin" --host 127.0.0.1 --port 0 --threads "$threads" --rate-limit 0
                --db :memory: --parser "$parser")
  local log="$work/$parser.$round.server"
  start_server "$parser" "$log" "${server[@]}"
  local client=("$bench_bin" "${load[0]}" --port "$port" --server-pid "$server_pid" --json
                --parser "$parser" "${load[@]:1}")
  echo "== round $round, $parser: ${server[*]}; ${client[*]}" >&2
  if ! timeout -k 5 $((run_timeout + 60)) "${client[@]}" >"$work/$parser.$round.json"; then
    echo "$parser: chorus-bench failed or timed out; server log:" >&2
    tail -5 "$log" >&2
    cat "$work/$parser.$round.json" >&2
    stop_server
    exit 1
  fi
  cut -c1-300 "$work/$parser.$round.json" >&2
  # The server's user and system CPU over its whole life (connecting included), in clock ticks:
  # what the parser does is user time; the loopback writes and their wakeups are system time.
  awk '{ print $14, $15 }' "/proc/$server_pid/stat" >"$work/$parser.$round.cpu"
  stop_server
}

for round in $(seq "$rounds"); do
  if ((round % 2)); then
    run json "$round"; run msgpack "$round"
  else
    run msgpack "$round"; run json "$round"
  fi
done

node - "$work" "$rounds" "$threads" "$what" "$item" "$items" "$(getconf CLK_TCK)" <<'JS'
const fs = require('fs');
const [dir, rounds, threads, what, item, items, tck] = process.argv.slice(2);
const { printFigureRows } = require(require('path').resolve('bench/lib/tables.js'));
const load = (parser) => Array.from({ length: Number(rounds) }, (_, r) => {
  const run = JSON.parse(fs.readFileSync(`${dir}/${parser}.${r + 1}.json`, 'utf8'));
  const [user, system] = fs.readFileSync(`${dir}/${parser}.${r + 1}.cpu`, 'utf8').trim().split(' ');
  return { ...run, user_s: user / tck, system_s: system / tck };
});
const runs = { json: load('json'), msgpack: load('msgpack') };
const figures = [
  [`server CPU per ${item} (µs)`, (r) => r.servers[0].cpu_per_received_us, 4],
  [`chorus-bench CPU per ${item} (µs)`, (r) => r.bench_cpu_per_received_us, 4],
  [`${items}/s`, (r) => r.per_second, 0],
  ['latency p50 (ms)', (r) => r.latency_us.p50 / 1000, 2],
  ['latency p99 (ms)', (r) => r.latency_us.p99 / 1000, 2],
  ['server user CPU, whole run (s)', (r) => r.user_s, 2],
  ['server system CPU, whole run (s)', (r) => r.system_s, 2],
];
console.log(`| chorus --threads ${threads}, ${what} (median of ${rounds}, runs in brackets) ` +
            '| --parser json | --parser msgpack | msgpack/json |');
console.log('| --- | --- | --- | --- |');
printFigureRows(figures, [runs.json, runs.msgpack], 3);
const lost = (parser) => runs[parser].map((r) => `${r.received}/${r.lost}`).join(', ');
console.log(`| ${items}/lost per run | ${lost('json')} | ${lost('msgpack')} | |`);
JS

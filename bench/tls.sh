#!/usr/bin/env bash
# What TLS costs the server on fan-out, against the same scenario over plain TCP: the chat app
# (`chorus --threads 1 --rate-limit 0 --db :memory:`, a fresh server per run, 127.0.0.1 only),
# RECEIVERS socket.io-client sockets (websocket transport) in CLIENT_PROCESSES Node.js processes,
# one sender emitting MESSAGES lobby `message` events (100 B of text) at RATE per second, each
# delivered to every socket (bench/node/tls-fanout.mjs). Modes, interleaved in every round (which
# goes first rotates, so a trend in the machine's load favours none):
#   plain                  CHORUS_BIN, ws://
#   tls                    CHORUS_BIN with --tls-cert/--tls-key, wss:// (rejectUnauthorized: false;
#                          a throwaway RSA-2048 self-signed certificate made here)
#   plain (baseline)       BASELINE_BIN, ws://, when set: e.g. a build of the commit before a
#                          change, for the change's before/after over plain TCP in the same run
#   tls (baseline)         BASELINE_BIN the same way as tls, when set: e.g. a build of a commit
#                          with the former socketpair tunnel, to compare the two TLS paths
# Per run: server CPU per delivery over the broadcast phase only (utime + stime of
# /proc/PID/stat, every thread, divided by the deliveries received), handshakes/s and server CPU
# per handshake over the connect phase, and server RSS per idle connection (VmRSS delta over the
# connect phase / receivers). Prints each run, then a table of medians over ROUNDS with the
# tls/plain and tunnel/plain ratios. Every wait is bounded: a run is killed after RUN_TIMEOUT
# seconds, and the servers started here are stopped on exit. Not for CI: the figures want a
# quiet machine, or at least the interleaving. The defaults take about 3 minutes with BASELINE_BIN
# (2 cores, busy), a TLS run's connect phase being most of it (2,000 RSA handshakes).
#   bash bench/tls.sh
#   BASELINE_BIN=/path/to/old/chorus ROUNDS=5 bash bench/tls.sh
# Environment:
#   CHORUS_BIN        chorus binary, relative to the repository root or absolute
#                     (default build/release/bin/chorus; built beforehand, not here)
#   BASELINE_BIN      a second chorus binary (same path rules), run under TLS as
#                     "plain (baseline)" and "tls (baseline)" (optional)
#   RECEIVERS         receiving sockets (default 2000; with CLIENT_PROCESSES 4, 500 per process)
#   MESSAGES          broadcasts per run (default 150: 300,000 deliveries at 2,000 receivers)
#   RATE              broadcasts per second (default 30: 60,000 deliveries/s at 2,000 receivers,
#                     which 4 client processes keep up with over TLS on 2 busy cores; faster, the
#                     clients fall behind, the server's writes batch more frames, and its CPU per
#                     delivery drops for a reason that is the client's, not the server's)
#   ROUNDS            rounds of all modes (default 3)
#   CHORUS_THREADS    chorus shards (default 1)
#   CLIENT_PROCESSES  receiver processes (default 4)
#   RUN_TIMEOUT       seconds a run may take, connect to last delivery (default 150)
set -euo pipefail
cd "$(dirname "$0")/.."
chorus_bin=${CHORUS_BIN:-build/release/bin/chorus}
baseline_bin=${BASELINE_BIN:-}
receivers=${RECEIVERS:-2000}
messages=${MESSAGES:-150}
rate=${RATE:-30}
rounds=${ROUNDS:-3}
threads=${CHORUS_THREADS:-1}
processes=${CLIENT_PROCESSES:-4}
run_timeout=${RUN_TIMEOUT:-150}

for b in "$chorus_bin" ${baseline_bin:+"$baseline_bin"}; do
  [[ -x $b ]] || { echo "tls.sh: no executable at $b (build it: cmake --build build/release --target chorus)" >&2; exit 1; }
done
[[ -d bench/node/node_modules/socket.io-client ]] || (cd bench/node && npm ci --no-audit --no-fund --loglevel=error)
fd_limit=$(ulimit -n)
if [[ $fd_limit != unlimited ]] && (( receivers + 200 > fd_limit )); then
  echo "tls.sh: RECEIVERS=$receivers needs more open files than ulimit -n $fd_limit" >&2
  exit 1
fi

source bench/lib/server.sh
work=$(mktemp -d)
trap 'stop_server; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
  -keyout "$work/k.pem" -out "$work/c.pem" 2>/dev/null
tls_args=(--tls-cert "$work/c.pem" --tls-key "$work/k.pem")

# Modes: name|binary|scheme
modes=("plain|$chorus_bin|http" "tls|$chorus_bin|https")
[[ -n $baseline_bin ]] && modes+=("plain (baseline)|$baseline_bin|http" "tls (baseline)|$baseline_bin|https")

# run <mode index> <round>: a fresh server, one tls-fanout.mjs run, its JSON in $work/<index>.<round>.json.
run() {
  local i=$1 round=$2 name bin scheme
  IFS='|' read -r name bin scheme <<<"${modes[$i]}"
  local server=("$bin" --host 127.0.0.1 --port 0 --threads "$threads" --rate-limit 0 --db :memory:)
  [[ $scheme == https ]] && server+=("${tls_args[@]}")
  local log="$work/$i.$round.server"
  start_server "$name" "$log" "${server[@]}"
  local client=(node bench/node/tls-fanout.mjs --url "$scheme://127.0.0.1:$port" --server-pid "$server_pid"
                --label "$name" --receivers "$receivers" --processes "$processes" --messages "$messages"
                --rate "$rate" --max-time "$run_timeout")
  echo "== round $round, $name: ${server[*]}; ${client[*]}" >&2
  if ! timeout -k 5 $((run_timeout + 15)) "${client[@]}" >"$work/$i.$round.json"; then
    echo "$name: the client failed or timed out; server log:" >&2
    tail -5 "$log" >&2
    stop_server
    exit 1
  fi
  stop_server
}

for round in $(seq "$rounds"); do
  for k in $(seq 0 $((${#modes[@]} - 1))); do
    run $(((k + round - 1) % ${#modes[@]})) "$round"
  done
done

names=()
for m in "${modes[@]}"; do names+=("${m%%|*}"); done
node - "$work" "$rounds" "$threads" "$receivers" "$messages" "$rate" "${names[@]}" <<'JS'
const fs = require('fs');
const [dir, rounds, threads, receivers, messages, rate, ...names] = process.argv.slice(2);
const { printFigureRows } = require(require('path').resolve('bench/lib/tables.js'));
const runs = names.map((_, i) => Array.from({ length: Number(rounds) },
  (_, r) => JSON.parse(fs.readFileSync(`${dir}/${i}.${r + 1}.json`, 'utf8'))));
const figures = [
  ['server CPU per delivery (µs)', (r) => r.server_cpu_per_delivery_us, 3],
  ['deliveries/s', (r) => r.deliveries_per_second, 0],
  ['handshakes/s (connect phase)', (r) => r.handshakes_per_second, 0],
  ['server CPU per handshake (µs)', (r) => r.server_cpu_per_handshake_us, 0],
  ['server RSS per idle connection (bytes)', (r) => r.rss_per_connection_bytes, 0],
];
const ratioNames = names.slice(1).map((n) => `${n} / plain`);
console.log(`| chorus --threads ${threads}, ${receivers} receivers (websocket), ${messages} broadcasts at ` +
            `${rate}/s, median of ${rounds} (runs in brackets) | ${names.join(' | ')} | ${ratioNames.join(' | ')} |`);
console.log(`|${' --- |'.repeat(names.length * 2)}`);
printFigureRows(figures, runs, 2);
const lost = (rs) => rs.map((r) => `${r.deliveries}/${r.lost}` + (r.connect_failed ? ` (${r.connect_failed} not connected)` : '')).join(', ');
console.log(`| deliveries/lost per run | ${runs.map(lost).join(' | ')} |${' |'.repeat(names.length - 1)}`);
JS

#!/usr/bin/env bash
# chorus-bench --servers against two chorus-room-servers on loopback (port 0), not joined in a
# cluster: connections go round-robin by their index within their role, and what each server
# saw (Engine.IO handshakes, from its /metrics) matches what the report says went to it. echo,
# idle and connect (every connection on its own) complete on both; fanout puts one room's
# subscribers on both servers and its publisher on the first, so the second server's subscribers
# get nothing: exactly their share is lost. --server-pids: CPU per server.
# Usage: servers_integration.sh <chorus-bench> <chorus-room-server>
set -euo pipefail
bench=$1 server=$2
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

start() {  # start <name>: a room server on port 0; sets port and server_pid
  : >"$work/$1.out"  # there before the first look, however late the server starts
  "$server" --port 0 --threads 1 >"$work/$1.out" 2>"$work/$1.err" &
  server_pid=$!
  pids+=("$server_pid")
  port=
  for _ in $(seq 200); do
    port=$(sed -n 's/^listening on port \([0-9]*\)$/\1/p' "$work/$1.out")
    [[ -n $port ]] && return
    kill -0 "$server_pid" 2>/dev/null || { echo "$1 exited"; cat "$work/$1.err"; exit 1; }
    sleep 0.05
  done
  echo "$1 did not start"; exit 1
}

start a
a_port=$port a_pid=$server_pid
start b
b_port=$port b_pid=$server_pid
servers=127.0.0.1:$a_port,127.0.0.1:$b_port

accepted() {  # accepted <port>: Engine.IO sessions the server has opened (every transport)
  curl -sf "http://127.0.0.1:$1/metrics" |
    awk '/^chorus_connections_accepted_total\{/ { n += $2 } END { print n + 0 }'
}

# value <json> <python expression over r>: e.g. value "$REPLY" 'r["servers"][0]["connections"]'
value() {
  python3 -c 'import json, sys; r = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}

check() {  # check <name> <json> <expression> <want>
  local got
  got=$(value "$2" "$3")
  if [[ $got != "$4" ]]; then echo "FAIL $1: $3 = '$got', want $4"; echo "$2"; exit 1; fi
}

# run <name> <want exit code> <scenario> <args...>: --servers $targets (default: both); sets REPLY to the JSON report, and a_seen
# and b_seen to the handshakes each server counted during the run.
run() {
  local name=$1 want=$2 scenario=$3; shift 3
  local a_before b_before code
  a_before=$(accepted "$a_port") b_before=$(accepted "$b_port")
  set +e
  REPLY=$(timeout 60 "$bench" "$scenario" --servers "${targets:-$servers}" --json --connect-timeout 20 \
            --max-time 30 "$@" 2>"$work/bench.err")
  code=$?
  set -e
  if [[ $code != "$want" ]]; then
    echo "FAIL $name: exit $code, want $want"; echo "$REPLY"; cat "$work/bench.err"; exit 1
  fi
  a_seen=$(($(accepted "$a_port") - a_before)) b_seen=$(($(accepted "$b_port") - b_before))
  echo "$name: servers saw $a_seen and $b_seen handshakes; $REPLY"
}

seen() {  # seen <name> <want a> <want b>: the servers' own counts, and the report's
  if [[ $a_seen != "$2" || $b_seen != "$3" ]]; then
    echo "FAIL $1: the servers saw $a_seen and $b_seen handshakes, want $2 and $3"; exit 1
  fi
  check "$1" "$REPLY" 'r["servers"][0]["connections"]' "$2"
  check "$1" "$REPLY" 'r["servers"][1]["connections"]' "$3"
}

# echo: 21 connections, 0, 2, 4 … on a and 1, 3, 5 … on b; 1000 round trips each (long enough
# for each server's CPU to show in /proc's clock ticks).
run "echo" 0 echo --connections 21 --messages 21000 --workers 2 --server-pids "$a_pid,$b_pid"
seen "echo" 11 10
check "echo" "$REPLY" 'r["round_trips"]' 21000
check "echo" "$REPLY" 'r["lost"]' 0
check "echo" "$REPLY" 'r["servers"][0]["received"]' 11000
check "echo" "$REPLY" 'r["servers"][1]["received"]' 10000
check "echo" "$REPLY" '[s["address"] for s in r["servers"]]' "['127.0.0.1:$a_port', '127.0.0.1:$b_port']"
check "echo" "$REPLY" '[s["pid"] for s in r["servers"]]' "[$a_pid, $b_pid]"
check "echo" "$REPLY" 'all(s["cpu_us"] > 0 and s["rss_end_kib"] > 0 for s in r["servers"])' True
check "echo" "$REPLY" 'round(r["server_cpu_us"] - sum(s["cpu_us"] for s in r["servers"]), 1)' 0.0
check "echo" "$REPLY" \
  'r["server_rss_end_kib"] == sum(s["rss_end_kib"] for s in r["servers"])' True

# idle, some on long-polling, in rooms: 15 and 15.
run "idle" 0 idle --connections 30 --rooms 3 --hold 0.2 --polling-share 0.2 --workers 2
seen "idle" 15 15
check "idle" "$REPLY" 'r["held"]' 30
check "idle" "$REPLY" 'r["servers"][1]["received"]' 15
check "idle" "$REPLY" '[s["pid"] for s in r["servers"]]' "[None, None]"

# connect: 40 handshakes, 20 on each (connection c on c % 2, whichever worker opens it).
run "connect" 0 connect --connections 40 --connect-concurrency 5 --workers 2 --polling-share 0.25
seen "connect" 20 20
check "connect" "$REPLY" 'r["handshakes"]' 40
check "connect" "$REPLY" '[s["received"] for s in r["servers"]]' "[20, 20]"

# fanout: 1 room × 10 subscribers (0, 2, … 8 on a; 1, 3, … 9 on b) and publisher 0 on a. The two
# servers are no cluster: a's 5 subscribers get all 20 messages, b's none, 100 of 200 are lost.
run "fanout" 1 fanout --rooms 1 --subscribers 10 --publishers 1 --messages 20 --in-flight 20 \
  --drain-timeout 1 --server-pids "$a_pid,$b_pid"
seen "fanout" 6 5
check "fanout" "$REPLY" 'r["sent"]' 20
check "fanout" "$REPLY" 'r["deliveries"]' 100
check "fanout" "$REPLY" 'r["lost"]' 100
check "fanout" "$REPLY" 'r["servers"][0]["received"]' 100
check "fanout" "$REPLY" 'r["servers"][1]["received"]' 0
grep -q "100 deliveries lost" "$work/bench.err" || { echo "FAIL fanout:"; cat "$work/bench.err"; exit 1; }

# The text report: a line per server.
out=$(timeout 60 "$bench" echo --servers "$servers" --server-pids "$a_pid,$b_pid" \
        --connections 4 --messages 40)
grep -q "^server 1          127.0.0.1:$a_port (pid $a_pid): 2 connections, 20 round trips; CPU " \
  <<<"$out" || { echo "FAIL text: $out"; exit 1; }
grep -q "^server 2          127.0.0.1:$b_port (pid $b_pid): 2 connections, 20 round trips; CPU " \
  <<<"$out" || { echo "FAIL text: $out"; exit 1; }
grep -q "summed over 2 servers" <<<"$out" || { echo "FAIL text: $out"; exit 1; }
echo "text: $(grep '^server' <<<"$out" | tr '\n' '|')"

# One --servers entry is the --port form.
targets=127.0.0.1:$b_port run "one server" 0 fanout --rooms 2 --subscribers 5 \
  --publishers 2 --messages 20 --in-flight 5
check "one server" "$REPLY" 'r["deliveries"]' 100
check "one server" "$REPLY" 'r["lost"]' 0
check "one server" "$REPLY" 'len(r["servers"])' 1
if [[ $a_seen != 0 || $b_seen != 12 ]]; then echo "FAIL one server: saw $a_seen and $b_seen"; exit 1; fi

# A server that is not there, second in the list: its connections fail, named.
set +e
err=$(timeout 30 "$bench" echo --servers "127.0.0.1:$a_port,127.0.0.1:1" --connections 2 \
        --messages 2 --connect-timeout 5 2>&1 >/dev/null)
code=$?
set -e
if [[ $code != 1 ]]; then echo "FAIL refused: exit $code"; exit 1; fi
grep -q "connect to 127.0.0.1:1: " <<<"$err" || { echo "FAIL refused: message: $err"; exit 1; }
echo "refused: exit $code: $err"
echo PASS

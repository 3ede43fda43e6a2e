#!/usr/bin/env bash
# Every chorus-bench scenario briefly against the chorus binary (the seed's chat, --rate-limit 0)
# on loopback, checking the counts: echo (N round trips, none lost; over WebSocket and polling;
# acks against chorus-room-server), connect (N handshakes), idle (N held, server RSS reported),
# churn (nothing lost for the subscribers that stay), fanout with a polling share (the polling
# subscribers get every broadcast), the HTML report, --parser msgpack against chorus --parser
# msgpack (fanout in rooms and in the lobby, echo); then bad arguments, a server that is not
# there, one that never answers and one that dies mid-run: each reported, non-zero, no hang.
# Usage: scenarios_integration.sh <chorus-bench> <chorus> <chorus-room-server>
set -euo pipefail
bench=$1 chorus=$2 room_server=$3
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# start <name> <command...>: runs a server on port 0; sets port and server_pid.
start() {
  local name=$1; shift
  : >"$work/$name.out"  # there before the first look, however late the server starts
  "$@" --port 0 >"$work/$name.out" 2>"$work/$name.err" &
  server_pid=$!
  pids+=("$server_pid")
  port=
  for _ in $(seq 400); do
    port=$(sed -n 's/^listening on port \([0-9]*\)$/\1/p' "$work/$name.out")
    [[ -n $port ]] && return
    kill -0 "$server_pid" 2>/dev/null || { echo "$name exited"; cat "$work/$name.err"; exit 1; }
    sleep 0.05
  done
  echo "$name did not start"; exit 1
}

field() {  # field <json> <name>: a top-level number (or null)
  sed -n "s/.*\"$2\":\([0-9.]*\|null\)[,}].*/\1/p" <<<"$1"
}

check() {  # check <name> <json> <field> <want>
  local got
  got=$(field "$2" "$3")
  if [[ $got != "$4" ]]; then echo "FAIL $1: $3 = '$got', want $4"; echo "$2"; exit 1; fi
}

check_positive() {  # check_positive <name> <json> <field>
  local got
  got=$(field "$2" "$3")
  if [[ ! $got =~ ^[0-9.]+$ ]] || [[ $got =~ ^0*\.?0*$ ]]; then
    echo "FAIL $1: $3 = '$got', want a positive number"; echo "$2"; exit 1
  fi
}

run() {  # run <name> <scenario> <args...>: sets REPLY to the JSON report
  local name=$1 scenario=$2; shift 2
  local out
  if ! out=$(timeout 90 "$bench" "$scenario" --port "$port" --json --connect-timeout 30 \
               --handshake-timeout 20 --drain-timeout 10 --max-time 60 "$@" 2>"$work/bench.err"); then
    echo "FAIL $name: chorus-bench failed"; echo "$out"; cat "$work/bench.err"; exit 1
  fi
  echo "$name: $out"
  REPLY=$out
}

expect_failure() {  # expect_failure <name> <exit code> <message part> <args...>
  local name=$1 want=$2 part=$3; shift 3
  set +e
  timeout 60 "$bench" "$@" >"$work/fail.out" 2>"$work/fail.err"
  local code=$?
  set -e
  if [[ $code != "$want" ]]; then
    echo "FAIL $name: exit $code, want $want"; cat "$work/fail.out" "$work/fail.err"; exit 1
  fi
  grep -qF -- "$part" "$work/fail.err" || { echo "FAIL $name: message:"; cat "$work/fail.err"; exit 1; }
  echo "$name: exit $code: $(head -1 "$work/fail.err")"
}

start chorus "$chorus" --threads 2 --rate-limit 0

run "echo" echo --connections 20 --messages 1000 --workers 2 --server-pid "$server_pid"
check "echo" "$REPLY" round_trips 1000
check "echo" "$REPLY" sent 1000
check "echo" "$REPLY" lost 0
check "echo" "$REPLY" out_of_order 0
check_positive "echo" "$REPLY" server_cpu_per_round_trip_us

run "echo, polling" echo --connections 8 --messages 400 --in-flight 3 --polling-share 0.5 \
  --source-ips 2
check "echo, polling" "$REPLY" polling_connections 4
check "echo, polling" "$REPLY" round_trips 400
check "echo, polling" "$REPLY" lost 0

run "connect" connect --connections 300 --connect-concurrency 20 --polling-share 0.2 \
  --workers 2 --source-ips 3
check "connect" "$REPLY" handshakes 300
check "connect" "$REPLY" lost 0
check_positive "connect" "$REPLY" handshakes_per_second

run "idle" idle --connections 200 --hold 0.5 --server-pid "$server_pid" --polling-share 0.1
check "idle" "$REPLY" held 200
check "idle" "$REPLY" polling_connections 20
check_positive "idle" "$REPLY" server_rss_up_kib
rss=$(field "$REPLY" rss_per_connection_bytes)
[[ $rss =~ ^-?[0-9]+$ ]] || { echo "FAIL idle: rss_per_connection_bytes = '$rss'"; exit 1; }

run "idle in rooms" idle --connections 60 --rooms 3 --hold 0.2
check "idle in rooms" "$REPLY" held 60

run "churn" churn --rooms 2 --subscribers 10 --publishers 2 --rate 100 --duration 2 \
  --churners 6 --lifetime 0.1 --polling-share 0.2 --server-pid "$server_pid"
sent=$(field "$REPLY" sent)
check "churn" "$REPLY" lost 0
check "churn" "$REPLY" deliveries $((sent * 10))
check_positive "churn" "$REPLY" cycles
check_positive "churn" "$REPLY" server_rss_max_kib

run "fanout, polling share" fanout --rooms 2 --subscribers 20 --publishers 2 --messages 200 \
  --in-flight 20 --polling-share 0.3 --workers 2
check "fanout, polling share" "$REPLY" polling_connections 12
check "fanout, polling share" "$REPLY" deliveries 4000
check "fanout, polling share" "$REPLY" lost 0

# The client's two ways of reading WebSocket connections (bench/client/websocket_io.hpp): io_uring
# by default, an epoll set with --io-uring false; the same counts either way.
for io in true false; do
  want=$([[ $io == true ]] && echo io_uring || echo epoll)
  run "fanout, reads via $want" fanout --rooms 2 --subscribers 30 --publishers 2 --messages 300 \
    --in-flight 20 --workers 2 --io-uring "$io"
  [[ $REPLY == *"\"client_io\":\"$want\""* ]] ||
    { echo "FAIL fanout, reads via $want: client_io is not $want"; echo "$REPLY"; exit 1; }
  check "fanout, reads via $want" "$REPLY" deliveries 9000
  check "fanout, reads via $want" "$REPLY" lost 0
  check "fanout, reads via $want" "$REPLY" out_of_order 0
done

# Every subscriber on polling, paced: the long-polling GET loop carries every broadcast.
run "fanout, all polling" fanout --subscribers 10 --messages 100 --rate 200 --polling-share 1
check "fanout, all polling" "$REPLY" polling_connections 11
check "fanout, all polling" "$REPLY" deliveries 1000
check "fanout, all polling" "$REPLY" lost 0

# The HTML report: a file with the charts, the text report still on stdout.
timeout 60 "$bench" echo --port "$port" --connections 5 --messages 200 --html "$work/echo.html" \
  >"$work/echo.txt"
grep -q "round trips/s" "$work/echo.txt" || { echo "FAIL html: no text report"; exit 1; }
[[ $(grep -c "<svg" "$work/echo.html") -ge 2 ]] || { echo "FAIL html: no charts"; exit 1; }
grep -q "</html>" "$work/echo.html" || { echo "FAIL html: truncated"; exit 1; }
echo "html: $(wc -c <"$work/echo.html") bytes"

# --parser msgpack against chorus --parser msgpack: every Socket.IO packet a binary message both
# ways. Rooms: the join is confirmed by a `status` read back from msgpack (the users roster and
# the history come through the same reader); the lobby `message`, which needs no join; echo on
# /chat. A JSON client is refused by a msgpack server: reported, no hang.
start chorus-msgpack "$chorus" --threads 2 --rate-limit 0 --db :memory: --parser msgpack
run "fanout, msgpack" fanout --parser msgpack --rooms 2 --subscribers 10 --publishers 2 \
  --messages 100 --in-flight 10 --workers 2
check "fanout, msgpack" "$REPLY" deliveries 1000
check "fanout, msgpack" "$REPLY" lost 0
check "fanout, msgpack" "$REPLY" out_of_order 0
run "fanout, msgpack lobby" fanout --parser msgpack --subscribers 20 --messages 100 \
  --in-flight 10 --join-template '' --joined-text '' \
  --send-template '42["message",{"message":"{payload}"}]'
check "fanout, msgpack lobby" "$REPLY" deliveries 2000
check "fanout, msgpack lobby" "$REPLY" lost 0
run "echo, msgpack" echo --parser msgpack --connections 10 --messages 500 --in-flight 2
check "echo, msgpack" "$REPLY" round_trips 500
check "echo, msgpack" "$REPLY" lost 0
expect_failure "json client, msgpack server" 1 "the server sent a close frame" echo \
  --port "$port" --connections 2 --messages 2 --handshake-timeout 5

# Acks: chorus-room-server answers /chat `message` with the ack the client asked for.
start room-server "$room_server" --threads 1
run "echo, acks" echo --connections 10 --messages 500 --in-flight 2 --ack --polling-share 0.2
check "echo, acks" "$REPLY" round_trips 500
check "echo, acks" "$REPLY" lost 0
check "echo, acks" "$REPLY" out_of_order 0

expect_failure "bad scenario" 2 "unknown scenario 'pingpong'" pingpong
expect_failure "bad share" 2 "--polling-share must be 0 … 1" echo --polling-share 2
expect_failure "bad html path" 2 "cannot write --html" echo --port "$port" --html "$work/no/such/dir/r.html"
expect_failure "msgpack over polling" 2 "--parser msgpack is WebSocket only" echo --parser msgpack \
  --polling-share 0.5

# A namespace the server does not have: the CONNECT error is reported.
expect_failure "no such namespace" 1 "CONNECT to /nowhere refused" echo --port "$port" \
  --namespace /nowhere --connections 2 --messages 2

# A server that dies mid-run: reported, non-zero, no hang.
timeout 60 "$bench" echo --port "$port" --connections 10 --duration 20 >"$work/dies.out" \
  2>"$work/dies.err" &
bench_pid=$!
sleep 1
kill -9 "$server_pid"; wait "$server_pid" 2>/dev/null || true
set +e
wait "$bench_pid"
code=$?
set -e
if [[ $code == 0 || $code == 124 ]]; then echo "FAIL server dies: exit code $code"; exit 1; fi
grep -q "connection failure" "$work/dies.err" || { echo "FAIL server dies:"; cat "$work/dies.err"; exit 1; }
echo "server dies: exit $code: $(cat "$work/dies.err")"

# Nobody listening: the refused connect is reported.
expect_failure "refused" 1 "connect to 127.0.0.1:$port" connect --port "$port" --connections 5

# A listener that accepts TCP but never answers: the handshake timeout ends the run.
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
print(s.getsockname()[1], flush=True)
time.sleep(60)' >"$work/mute.port" &
pids+=("$!")
for _ in $(seq 100); do [[ -s $work/mute.port ]] && break; sleep 0.05; done
mute_port=$(cat "$work/mute.port")
expect_failure "mute server" 1 "no WebSocket upgrade or polling handshake within 1 s" \
  idle --port "$mute_port" --connections 3 --handshake-timeout 1
echo PASS
